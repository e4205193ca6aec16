"""mlcore-talib: TA-Lib's candlestick patterns and indicators as mlcore indicators.

Every function resolves as ``talib:<lowercase name>`` (``talib:rsi``, ``talib:cdldoji``).
Importing this package is cheap and works without TA-Lib: :mod:`.plugin` registers from
the static catalog in :mod:`._catalog`; TA-Lib is imported when an indicator is built.
"""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("mlcore-talib")
except PackageNotFoundError:  # running from a source checkout that is not installed
    __version__ = "0.0.0"

__all__ = ["DISTRIBUTION", "ENTRY_POINT", "MISSING_TALIB", "__version__"]

#: The distribution name.
DISTRIBUTION = "mlcore-talib"
#: The entry-point name: the prefix of every qualified name (``talib:rsi``).
ENTRY_POINT = "talib"
#: The one message a user sees (``mlcore plugins``) when TA-Lib is not importable.
MISSING_TALIB = "mlcore-talib needs TA-Lib: pip install TA-Lib"
