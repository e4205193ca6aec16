"""The seeded regime-switching synthetic market."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from mlcore.data import (
    REQUIRED_COLUMNS,
    SyntheticMarket,
    data_fingerprint,
    synthetic_ohlcv,
    validate_ohlcv,
)

BULL, BEAR, SIDEWAYS = 0, 1, 2


@pytest.fixture(scope="module")
def long_market() -> SyntheticMarket:
    return synthetic_ohlcv(60_000, seed=1)


def log_returns(ohlcv: pd.DataFrame) -> pd.Series:
    return np.log(ohlcv["close"]).diff()


def run_lengths(regimes: pd.Series) -> pd.DataFrame:
    """One row per visit: the regime and how many bars it lasted (first and last cut off)."""
    visit = (regimes != regimes.shift()).cumsum()
    runs = regimes.groupby(visit).agg(["first", "size"])
    return runs.iloc[1:-1]


def test_same_seed_same_market_other_seed_other_market() -> None:
    first, again, other = (synthetic_ohlcv(500, seed=s) for s in (7, 7, 8))
    pd.testing.assert_frame_equal(first.ohlcv, again.ohlcv)
    pd.testing.assert_series_equal(first.regimes, again.regimes)
    assert data_fingerprint(first.ohlcv) == data_fingerprint(again.ohlcv)
    assert data_fingerprint(first.ohlcv) != data_fingerprint(other.ohlcv)


def test_market_unpacks_and_follows_the_contracts() -> None:
    market = synthetic_ohlcv(1_000, seed=2)
    ohlcv, regimes = market

    assert ohlcv is market.ohlcv
    assert regimes is market.regimes
    pd.testing.assert_frame_equal(validate_ohlcv(ohlcv), ohlcv)
    assert list(ohlcv.columns) == list(REQUIRED_COLUMNS)
    assert str(ohlcv.index.tz) == "UTC"
    assert ohlcv.index[0] == pd.Timestamp("2015-01-01", tz="UTC")
    assert (np.diff(ohlcv.index.asi8) == np.diff(ohlcv.index.asi8)[0]).all()
    assert regimes.name == "regime"
    assert regimes.index.equals(ohlcv.index)
    assert set(regimes.unique()) <= {BULL, BEAR, SIDEWAYS}
    assert market.regime_names == {BULL: "bull", BEAR: "bear", SIDEWAYS: "sideways"}


def test_ohlc_bars_are_consistent() -> None:
    ohlcv = synthetic_ohlcv(5_000, seed=3).ohlcv
    open_, high, low, close, volume = (ohlcv[c].to_numpy() for c in REQUIRED_COLUMNS)
    assert (high >= np.maximum(open_, close)).all()
    assert (low <= np.minimum(open_, close)).all()
    assert (low > 0).all()
    assert (volume >= 1).all()
    assert (volume == np.round(volume)).all()
    # opens gap only slightly from the previous close: a tenth of the bar's volatility
    gaps = np.log(open_[1:] / close[:-1])
    assert 0 < np.abs(gaps).mean() < 0.2 * np.abs(np.diff(np.log(close))).mean()
    assert open_[0] == pytest.approx(100.0, rel=0.01)


def test_regime_durations_match_the_transition_matrix(long_market: SyntheticMarket) -> None:
    runs = run_lengths(long_market.regimes)
    mean_duration = runs.groupby("first")["size"].mean()
    for regime in long_market.params.regimes:
        # a geometric duration with stay probability 1 - 1/d has mean d
        assert mean_duration[regime.label] == pytest.approx(regime.mean_duration, rel=0.2)
        assert 50 <= regime.mean_duration <= 200
    matrix = np.array(long_market.params.transition_matrix)
    np.testing.assert_allclose(matrix.sum(axis=1), 1.0)
    np.testing.assert_allclose(np.diag(matrix), [1 - 1 / 150, 1 - 1 / 60, 1 - 1 / 100])


def test_regimes_have_their_drift_and_volatility(long_market: SyntheticMarket) -> None:
    ohlcv, regimes = long_market
    returns = log_returns(ohlcv)
    mean = returns.groupby(regimes).mean()
    std = returns.groupby(regimes).std()
    assert mean[BULL] > mean[SIDEWAYS] > mean[BEAR]
    assert std[BEAR] > std[BULL] > std[SIDEWAYS]
    for regime in long_market.params.regimes:
        # GARCH multiplies the variance by a unit-mean factor: the sample std stays near vol
        assert std[regime.label] == pytest.approx(regime.bar_volatility, rel=0.15)
        assert mean[regime.label] == pytest.approx(regime.bar_drift, abs=4e-4)


def test_separation_scales_only_the_drifts() -> None:
    wide = synthetic_ohlcv(10, separation=3.0).params.regimes
    base = synthetic_ohlcv(10).params.regimes
    for w, b in zip(wide, base, strict=True):
        assert w.drift == pytest.approx(3 * b.drift)
        assert w.volatility == b.volatility
    assert [r.drift for r in synthetic_ohlcv(10, separation=0).params.regimes] == [0.0] * 3


def test_volatility_clusters_like_the_garch_it_claims() -> None:
    arch = pytest.importorskip("arch")
    market = synthetic_ohlcv(20_000, seed=5, regimes=("bull",))
    returns = log_returns(market.ohlcv).dropna()
    assert returns.abs().autocorr(1) > 0.05
    fit = arch.arch_model(100 * returns, mean="Constant", vol="GARCH", p=1, q=1).fit(disp="off")
    assert fit.params["alpha[1]"] == pytest.approx(market.params.garch_alpha, abs=0.03)
    assert fit.params["beta[1]"] == pytest.approx(market.params.garch_beta, abs=0.04)
    assert fit.params["alpha[1]"] + fit.params["beta[1]"] < 1


def test_volume_rises_with_the_size_of_the_move(long_market: SyntheticMarket) -> None:
    ohlcv = long_market.ohlcv
    moves = log_returns(ohlcv).abs().iloc[1:]
    rho = stats.spearmanr(ohlcv["volume"].iloc[1:], moves).statistic
    assert rho > 0.2


@pytest.mark.parametrize(("freq", "bars_per_day"), [("5min", 288), ("1h", 24), ("1D", 1)])
def test_intraday_bars_scale_drift_and_volatility(freq: str, bars_per_day: int) -> None:
    market = synthetic_ohlcv(20_000, seed=6, freq=freq, regimes=("sideways",))
    ohlcv = market.ohlcv
    assert (ohlcv.index[1] - ohlcv.index[0]) == pd.Timedelta(days=1) / bars_per_day
    assert market.params.bar_fraction_of_year == pytest.approx(1 / (252 * bars_per_day))
    # sideways: 10% a year over 252 days of 24 hours
    expected = 0.10 / np.sqrt(252 * bars_per_day)
    assert log_returns(ohlcv).std() == pytest.approx(expected, rel=0.15)
    assert ohlcv["volume"].median() == pytest.approx(1e6 / bars_per_day, rel=0.5)


def test_regime_subsets_and_forced_paths() -> None:
    two = synthetic_ohlcv(2_000, seed=9, regimes=("bear", "bull"))
    assert set(two.regimes.unique()) == {BULL, BEAR}
    assert two.regime_names == {BULL: "bull", BEAR: "bear"}
    assert np.array(two.params.transition_matrix)[0, 1] == pytest.approx(1 / 150)

    one = synthetic_ohlcv(300, regimes=("sideways",))
    assert (one.regimes == SIDEWAYS).all()

    path = np.repeat([BULL, BEAR, BULL], 100)
    forced = synthetic_ohlcv(300, seed=1, regimes=path)
    np.testing.assert_array_equal(forced.regimes, path)
    assert forced.regime_names == {BULL: "bull", BEAR: "bear"}


def test_mean_duration_can_be_set_per_regime() -> None:
    market = synthetic_ohlcv(20_000, seed=4, mean_duration={"bear": 20.0})
    durations = {r.name: r.mean_duration for r in market.params.regimes}
    assert durations == {"bull": 150.0, "bear": 20.0, "sideways": 100.0}
    runs = run_lengths(market.regimes)
    assert runs.groupby("first")["size"].mean()[BEAR] == pytest.approx(20, rel=0.2)


def test_start_can_be_aware() -> None:
    ohlcv = synthetic_ohlcv(5, start=pd.Timestamp("2020-01-01 09:30", tz="America/New_York")).ohlcv
    assert ohlcv.index[0] == pd.Timestamp("2020-01-01 14:30", tz="UTC")


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"n": 0}, ValueError, "n must be a positive integer"),
        ({"regimes": ("bull", "crash")}, ValueError, "distinct names"),
        ({"regimes": ("bull", "bull")}, ValueError, "distinct names"),
        ({"regimes": "bull"}, TypeError, r"\('bull',\)"),
        ({"regimes": np.zeros(3, dtype=int)}, ValueError, "n=10 labels"),
        ({"mean_duration": 0.5}, ValueError, "mean_duration must be >= 1"),
        ({"start_price": 0.0}, ValueError, "start_price must be > 0"),
    ],
)
def test_bad_arguments_are_named(kwargs: dict[str, object], error: type, match: str) -> None:
    with pytest.raises(error, match=match):
        synthetic_ohlcv(**{"n": 10, **kwargs})  # type: ignore[arg-type]
