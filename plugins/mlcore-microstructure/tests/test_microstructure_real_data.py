"""Every component on real S&P 500 daily bars and on synthetic 5-minute bars."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from arch.data import sp500
from mlcore.data import synthetic_ohlcv
from mlcore.errors import DataValidationError

from mlcore_microstructure.impact import AmihudIlliquidity, KyleLambda
from mlcore_microstructure.jumps import BipowerJumpTest, LeeMyklandJump
from mlcore_microstructure.liquidity import VPIN, AmivestLiquidity, ZeroReturnProportion
from mlcore_microstructure.order_flow import BulkVolumeImbalance, SignedFlowImbalance
from mlcore_microstructure.spread import (
    AbdiRanaldoSpread,
    AutoSpread,
    CorwinSchultzSpread,
    QuotedSpread,
    RollSpread,
)
from mlcore_microstructure.volatility import GarchVolatility

#: Every registered component with its default parameters.
DEFAULTS = [
    QuotedSpread(),
    CorwinSchultzSpread(),
    RollSpread(),
    AbdiRanaldoSpread(),
    AutoSpread(),
    SignedFlowImbalance(),
    BulkVolumeImbalance(),
    AmihudIlliquidity(),
    KyleLambda(),
    GarchVolatility(),
    BipowerJumpTest(),
    LeeMyklandJump(),
    ZeroReturnProportion(),
    AmivestLiquidity(),
    VPIN(),
]


def with_quotes_and_sides(ohlcv: pd.DataFrame) -> pd.DataFrame:
    rng = np.random.default_rng(0)
    frame = ohlcv.copy()
    frame["bid"] = ohlcv["close"] * (1 - rng.uniform(1e-4, 1e-3, len(ohlcv)))
    frame["ask"] = ohlcv["close"] * (1 + rng.uniform(1e-4, 1e-3, len(ohlcv)))
    frame["buy_volume"] = ohlcv["volume"] * rng.uniform(0.3, 0.7, len(ohlcv))
    frame["sell_volume"] = ohlcv["volume"] - frame["buy_volume"]
    return frame


def sp500_bars() -> pd.DataFrame:
    data = sp500.load().rename(columns=str.lower)[["open", "high", "low", "close", "volume"]]
    data.index = data.index.tz_localize("UTC")
    return data.astype(float)


@pytest.fixture(
    scope="module",
    params=["sp500_daily", "synthetic_5min"],
)
def market(request) -> pd.DataFrame:
    if request.param == "sp500_daily":
        return with_quotes_and_sides(sp500_bars())
    return with_quotes_and_sides(synthetic_ohlcv(n=3000, seed=4, freq="5min").ohlcv)


@pytest.mark.parametrize("indicator", DEFAULTS, ids=lambda i: i.name)
def test_finite_after_warmup(market, indicator):
    result = indicator.compute(market)
    assert list(result.columns) == list(indicator.outputs)
    assert (result.dtypes == np.float64).all()
    assert result.index.equals(market.index)
    values = result.to_numpy()
    assert np.isfinite(values[indicator.warmup :]).all(), indicator
    assert np.isnan(values[: indicator.warmup]).all(), indicator  # warmup is exact


def test_sp500_spreads_are_plausible():
    # S&P 500 index bars: the CS and Roll estimates of a highly liquid index are small
    # (below 1%), non-negative, and the GARCH volatility is near the ~1.2% daily std.
    data = sp500_bars()
    cs = CorwinSchultzSpread().compute(data).iloc[20:, 0]
    assert (cs >= 0).all()
    assert cs.median() < 0.01
    garch = GarchVolatility().compute(data).iloc[500:, 0]
    returns = np.log(data["close"]).diff().iloc[500:]
    assert garch.mean() == pytest.approx(returns.std(), rel=0.25)


def test_a_missing_column_is_named():
    data = sp500_bars().drop(columns=["volume"])
    with pytest.raises(DataValidationError, match="'volume'"):
        AmihudIlliquidity().compute(data)
    with pytest.raises(DataValidationError, match="'buy_volume', 'sell_volume'"):
        SignedFlowImbalance().compute(data)
    with pytest.raises(DataValidationError, match="'volume'") as error:
        VPIN().update({"close": 1.0})
    assert error.value.column == "volume"
