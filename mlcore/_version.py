"""The kernel's version and the plugin API version plugins declare against."""

__version__ = "0.1.0"

#: Bumped when a hook changes incompatibly; plugins pin ``mlcore>=X,<next major``.
PLUGIN_API_VERSION = 1
