"""mlcore-ta: every indicator of the ``ta`` library as an mlcore indicator (``ta:<name>``).

Importing this package is cheap: :mod:`.plugin` registers the indicators from the table in
:mod:`._table` without importing ``ta``; :mod:`.indicators` builds the classes, and ``ta``
is imported the first time one of them computes.
"""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("mlcore-ta")
except PackageNotFoundError:  # running from a source checkout that is not installed
    __version__ = "0.0.0"

__all__ = ["DISTRIBUTION", "ENTRY_POINT", "__version__"]

#: The distribution name.
DISTRIBUTION = "mlcore-ta"
#: The entry-point name: the prefix of every qualified name (``ta:rsi``).
ENTRY_POINT = "ta"
