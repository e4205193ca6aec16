"""mlcore-microstructure: market-microstructure features for mlcore.

Spreads (quoted, Corwin-Schultz, Roll, Abdi-Ranaldo), order-flow imbalance (known sides or
bulk-volume classification), price impact (Amihud, Kyle's lambda), GARCH(1,1) volatility,
jump tests (bipower variation, Lee-Mykland) and liquidity measures (zero returns,
Amivest, VPIN), all registered with the tag ``microstructure``.

Importing this package is cheap: the components live in their own modules, which mlcore
imports the first time one of them is built (``arch`` only when a GARCH is fitted).
"""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("mlcore-microstructure")
except PackageNotFoundError:  # running from a source checkout that is not installed
    __version__ = "0.0.0"

__all__ = ["DISTRIBUTION", "__version__"]

#: The distribution name.
DISTRIBUTION = "mlcore-microstructure"
