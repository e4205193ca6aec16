"""The conformance suite over every registered component of mlcore-microstructure.

Each component runs ``mlcore.testing``'s checks (attributes, output, determinism, input
not mutated, no look-ahead, NaN handling, pickle, clone, streaming agreement) on a
synthetic market of 500 bars, and again on the same market with quote and trade-side
columns added (``bid``, ``ask``, ``side``, ``signed_volume``, ``buy_volume``,
``sell_volume``). Components that need those columns run on the second frame only.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from mlcore.data import synthetic_ohlcv
from mlcore.registry import Component
from mlcore.testing import component_id, parametrize_with_checks

from mlcore_microstructure.impact import AmihudIlliquidity, KyleLambda
from mlcore_microstructure.jumps import BipowerJumpTest, LeeMyklandJump
from mlcore_microstructure.liquidity import VPIN, AmivestLiquidity, ZeroReturnProportion
from mlcore_microstructure.order_flow import (
    FLOW_COLUMNS,
    BulkVolumeImbalance,
    SignedFlowImbalance,
)
from mlcore_microstructure.plugin import INDICATORS
from mlcore_microstructure.spread import (
    AbdiRanaldoSpread,
    AutoSpread,
    CorwinSchultzSpread,
    QuotedSpread,
    RollSpread,
)
from mlcore_microstructure.volatility import GarchVolatility

BARS = 500


def _market() -> pd.DataFrame:
    return synthetic_ohlcv(n=BARS, seed=11).ohlcv


def _with_quotes_and_sides(ohlcv: pd.DataFrame) -> pd.DataFrame:
    """The market plus quotes around the close and a random split of volume into sides."""
    rng = np.random.default_rng(5)
    frame = ohlcv.copy()
    half_spread = ohlcv["close"] * rng.uniform(0.0002, 0.002, len(ohlcv))
    frame["bid"] = ohlcv["close"] - half_spread
    frame["ask"] = ohlcv["close"] + half_spread
    frame["side"] = rng.choice([-1.0, 1.0], len(ohlcv))
    buy_share = rng.uniform(0.2, 0.8, len(ohlcv))
    frame["buy_volume"] = ohlcv["volume"] * buy_share
    frame["sell_volume"] = ohlcv["volume"] - frame["buy_volume"]
    frame["signed_volume"] = frame["buy_volume"] - frame["sell_volume"]
    return frame


MARKET = _market()
MARKET_WITH_SIDES = _with_quotes_and_sides(MARKET)

#: Every component that needs OHLCV only: defaults plus small and non-default settings.
OHLCV_ONLY = [
    CorwinSchultzSpread(),
    CorwinSchultzSpread(window=1),
    RollSpread(),
    RollSpread(window=2),
    AbdiRanaldoSpread(),
    AutoSpread(),
    BulkVolumeImbalance(),
    BulkVolumeImbalance(window=1, sigma_window=2),
    AmihudIlliquidity(),
    AmihudIlliquidity(window=1),
    KyleLambda(),
    KyleLambda(window=3, regressor="sqrt_dollar_volume"),
    GarchVolatility(fit_bars=250),
    GarchVolatility(fit_bars=100, mean="zero"),
    BipowerJumpTest(),
    BipowerJumpTest(window=3),
    LeeMyklandJump(),
    LeeMyklandJump(window=3, threshold=2.5),
    ZeroReturnProportion(),
    AmivestLiquidity(),
    VPIN(),
    VPIN(window=5, sigma_window=10),
]

#: Components that read quote or trade-side columns.
NEEDS_SIDES = [
    QuotedSpread(),
    QuotedSpread(window=5),
    AutoSpread(window=5),
    *(SignedFlowImbalance(flow=flow) for flow in FLOW_COLUMNS),
    SignedFlowImbalance(window=1, flow="side"),
    *(KyleLambda(window=20, flow=flow) for flow in FLOW_COLUMNS),
    KyleLambda(window=20, flow="buy_sell", regressor="sqrt_dollar_volume"),
]


@parametrize_with_checks(OHLCV_ONLY, data=MARKET)
def test_conformance_on_ohlcv(component, check):
    check(component)


#: On the frame with extra columns: one instance of each OHLCV-only class (the extra
#: columns must not disturb them), and every component that needs those columns.
ON_FRAME_WITH_SIDES = [
    *{type(c): c for c in reversed(OHLCV_ONLY)}.values(),
    *NEEDS_SIDES,
]


@parametrize_with_checks(ON_FRAME_WITH_SIDES, data=MARKET_WITH_SIDES)
def test_conformance_with_quotes_and_sides(component, check):
    check(component)


def test_every_registered_component_is_covered():
    covered = {type(c) for c in OHLCV_ONLY + NEEDS_SIDES}
    for name, (factory, _, _) in INDICATORS.items():
        component = Component(name=name, kind="indicators", factory=factory, provenance=None)  # type: ignore[arg-type]
        assert component.load() in covered, f"{name} ({factory}) has no conformance run"


def test_registered_names_are_the_feature_stems():
    for name, (factory, _, _) in INDICATORS.items():
        cls = Component(name=name, kind="indicators", factory=factory, provenance=None).load()  # type: ignore[arg-type]
        assert cls.name == name
        assert cls.family == "microstructure"


@pytest.mark.parametrize("indicator", OHLCV_ONLY + NEEDS_SIDES, ids=component_id)
def test_warmup_is_exact(indicator):
    # rows before warmup are NaN in every output, and the warmup row has every value
    values = indicator.compute(MARKET_WITH_SIDES).to_numpy()
    assert np.isnan(values[: indicator.warmup]).all()
    assert np.isfinite(values[indicator.warmup]).all()


@pytest.mark.parametrize(
    ("build", "field"),
    [
        (lambda: CorwinSchultzSpread(window=0), "window"),
        (lambda: RollSpread(window=1), "window"),
        (lambda: QuotedSpread(window=True), "window"),
        (lambda: AmihudIlliquidity(window=2.5), "window"),
        (lambda: SignedFlowImbalance(flow="guess"), "flow"),
        (lambda: BulkVolumeImbalance(sigma_window=1), "sigma_window"),
        (lambda: KyleLambda(regressor="dollars"), "regressor"),
        (lambda: KyleLambda(window=2), "window"),
        (lambda: GarchVolatility(fit_bars=30), "fit_bars"),
        (lambda: LeeMyklandJump(threshold=-1.0), "threshold"),
        (lambda: BipowerJumpTest(window="50"), "window"),
        (lambda: VPIN(window=0), "window"),
    ],
)
def test_invalid_parameters_are_refused_naming_the_field(build, field):
    with pytest.raises((TypeError, ValueError), match=f"'{field}'"):
        build()
