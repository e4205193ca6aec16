"""The module the ``mlcore.plugins`` entry point names: hook implementations only.

mlcore imports this module at start-up, so it imports nothing heavy: every component is
registered as a lazy ``"module:attr"`` string, imported the first time it is built
(``arch`` is imported only when a GARCH model is fitted).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Final

from mlcore import hookimpl

if TYPE_CHECKING:
    from mlcore import Registry

#: Every tag of this plugin's components: they are not part of the default feature set.
TAGS: Final = frozenset({"microstructure"})

#: name -> (factory, description, extra tags)
INDICATORS: Final[dict[str, tuple[str, str, frozenset[str]]]] = {
    "spread_quoted": (
        "mlcore_microstructure.spread:QuotedSpread",
        "Relative quoted spread (ask - bid) / mid from bid/ask columns, rolling mean.",
        frozenset({"spread", "streaming"}),
    ),
    "spread_cs": (
        "mlcore_microstructure.spread:CorwinSchultzSpread",
        "Corwin-Schultz (2012) high-low spread estimator, negatives set to 0, rolling mean.",
        frozenset({"spread", "streaming"}),
    ),
    "spread_roll": (
        "mlcore_microstructure.spread:RollSpread",
        "Roll (1984) spread 2 sqrt(-cov(dp_t, dp_t-1)) over a rolling window, 0 if cov >= 0.",
        frozenset({"spread", "streaming"}),
    ),
    "spread_ar": (
        "mlcore_microstructure.spread:AbdiRanaldoSpread",
        "Abdi-Ranaldo (2017) close-high-low spread estimator over a rolling window.",
        frozenset({"spread", "streaming"}),
    ),
    "spread_auto": (
        "mlcore_microstructure.spread:AutoSpread",
        "Quoted spread when the frame has bid/ask, else the Corwin-Schultz estimate.",
        frozenset({"spread"}),
    ),
    "ofi": (
        "mlcore_microstructure.order_flow:SignedFlowImbalance",
        "Order-flow imbalance (buy - sell) / (buy + sell) from known trade sides, rolling.",
        frozenset({"order_flow", "streaming"}),
    ),
    "ofi_bvc": (
        "mlcore_microstructure.order_flow:BulkVolumeImbalance",
        "Order-flow imbalance with bulk-volume classification (Easley et al. 2012), rolling.",
        frozenset({"order_flow", "streaming"}),
    ),
    "amihud": (
        "mlcore_microstructure.impact:AmihudIlliquidity",
        "Amihud (2002) illiquidity |r| / dollar volume, rolling mean over traded bars.",
        frozenset({"impact", "liquidity", "streaming"}),
    ),
    "kyle_lambda": (
        "mlcore_microstructure.impact:KyleLambda",
        "Kyle's lambda: rolling OLS slope of returns on signed volume (tick rule or sides).",
        frozenset({"impact", "streaming"}),
    ),
    "garch_vol": (
        "mlcore_microstructure.volatility:GarchVolatility",
        "GARCH(1,1) conditional volatility (arch), fit on the first fit_bars rows, filtered.",
        frozenset({"volatility", "streaming"}),
    ),
    "bv_jump": (
        "mlcore_microstructure.jumps:BipowerJumpTest",
        "Barndorff-Nielsen-Shephard bipower-variation jump test z and relative jump, rolling.",
        frozenset({"jumps", "streaming"}),
    ),
    "lm_jump": (
        "mlcore_microstructure.jumps:LeeMyklandJump",
        "Lee-Mykland (2008) per-bar jump statistic and flag against trailing bipower vol.",
        frozenset({"jumps", "streaming"}),
    ),
    "zero_return": (
        "mlcore_microstructure.liquidity:ZeroReturnProportion",
        "Share of zero-return bars (Lesmond, Ogden & Trzcinka 1999) over a rolling window.",
        frozenset({"liquidity", "streaming"}),
    ),
    "amivest": (
        "mlcore_microstructure.liquidity:AmivestLiquidity",
        "Amivest liquidity ratio: dollar volume per unit absolute return, rolling.",
        frozenset({"liquidity", "streaming"}),
    ),
    "vpin": (
        "mlcore_microstructure.liquidity:VPIN",
        "VPIN (Easley et al. 2012) on time bars with bulk-volume classification, rolling.",
        frozenset({"liquidity", "order_flow", "streaming"}),
    ),
}


@hookimpl
def mlcore_register_indicators(registry: Registry[Any]) -> None:
    for name, (factory, description, tags) in INDICATORS.items():
        registry.add(name, factory, description=description, tags=TAGS | tags)
