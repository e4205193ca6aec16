"""mlcore-example-plugin: a rolling z-score indicator and a hit-rate metric for mlcore.

Importing this package is cheap: the components live in :mod:`.indicators` and
:mod:`.metrics`, which mlcore imports only when they are first used.
"""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("mlcore-example-plugin")
except PackageNotFoundError:  # running from a source checkout that is not installed
    __version__ = "0.0.0"

__all__ = ["DISTRIBUTION", "__version__"]

#: The distribution name: the key of this plugin's settings (``plugins.config.<name>``).
DISTRIBUTION = "mlcore-example-plugin"
