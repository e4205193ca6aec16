"""GARCH(1,1): arch's own filtered volatility is the reference; no look-ahead; streaming."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from arch import arch_model
from arch.data import sp500

from mlcore_microstructure.volatility import GarchVolatility, fit_garch, garch_variance

FIT_BARS = 500


@pytest.fixture(scope="module")
def sp500_bars() -> pd.DataFrame:
    """The first 1500 S&P 500 daily bars bundled with arch, as an OHLCV frame."""
    data = sp500.load().rename(columns=str.lower)[["open", "high", "low", "close", "volume"]]
    data.index = data.index.tz_localize("UTC")
    return data.iloc[:1500].astype(float)


@pytest.fixture(scope="module")
def arch_reference(sp500_bars):
    """arch fitted on the training window, then ``model.fix(params)`` over every return."""
    close = sp500_bars["close"].to_numpy()
    returns = np.log(close[1:] / close[:-1])
    fitted = arch_model(returns[: FIT_BARS - 1], mean="Constant", vol="GARCH", rescale=True).fit(
        disp="off"
    )
    scale = fitted.scale
    full = arch_model(scale * returns, mean="Constant", vol="GARCH", p=1, q=1, rescale=False)
    fixed = full.fix(fitted.params.to_numpy())
    return fitted, fixed, scale


def test_filtered_volatility_equals_arch_with_the_fitted_parameters(sp500_bars, arch_reference):
    _, fixed, scale = arch_reference
    garch = GarchVolatility(fit_bars=FIT_BARS)
    result = garch.compute(sp500_bars)
    assert list(result.columns) == ["garch_vol_500_constant", "garch_vol_forecast_500_constant"]
    volatility = result["garch_vol_500_constant"].to_numpy()
    # arch's series starts at the first return (row 1); rows inside the fit window are NaN
    expected = fixed.conditional_volatility / scale
    assert np.isnan(volatility[:FIT_BARS]).all()
    np.testing.assert_allclose(volatility[FIT_BARS:], expected[FIT_BARS - 1 :], rtol=1e-8)


def test_forecast_equals_arch_one_step_forecast(sp500_bars, arch_reference):
    _, fixed, scale = arch_reference
    forecast = GarchVolatility(fit_bars=FIT_BARS).compute(sp500_bars).iloc[:, 1].to_numpy()
    # arch's forecast made at return index FIT_BARS - 1 (row FIT_BARS) onwards
    arch_forecast = fixed.forecast(horizon=1, start=FIT_BARS - 1, reindex=False).variance
    np.testing.assert_allclose(
        forecast[FIT_BARS:], np.sqrt(arch_forecast.to_numpy().ravel()) / scale, rtol=1e-8
    )
    volatility = GarchVolatility(fit_bars=FIT_BARS).compute(sp500_bars).iloc[:, 0].to_numpy()
    # the forecast made at t is the conditional volatility of t + 1
    np.testing.assert_allclose(forecast[FIT_BARS:-1], volatility[FIT_BARS + 1 :], rtol=1e-12)


def test_parameters_are_arch_estimates_on_the_training_window(sp500_bars, arch_reference):
    fitted, _, scale = arch_reference
    parameters = GarchVolatility(fit_bars=FIT_BARS).fit(sp500_bars["close"].to_numpy())
    assert scale == 100.0  # daily returns in percent, as arch recommends
    assert parameters.scale == scale
    assert (parameters.mu, parameters.omega, parameters.alpha, parameters.beta) == pytest.approx(
        tuple(fitted.params), rel=1e-12
    )
    # the recursion from our backcast reproduces arch's in-sample volatility too
    close = sp500_bars["close"].to_numpy()[:FIT_BARS]
    residuals = scale * np.log(close[1:] / close[:-1]) - parameters.mu
    variances = garch_variance(residuals**2, parameters)
    np.testing.assert_allclose(np.sqrt(variances[:-1]), fitted.conditional_volatility, rtol=1e-10)


def test_changing_later_bars_never_changes_earlier_rows(sp500_bars):
    garch = GarchVolatility(fit_bars=FIT_BARS)
    full = garch.compute(sp500_bars).to_numpy()
    for t in (FIT_BARS, FIT_BARS + 1, 900, 1400):
        changed = sp500_bars.copy()
        changed.iloc[t + 1 :, :4] *= np.linspace(0.5, 2.0, len(changed) - t - 1)[:, None]
        np.testing.assert_array_equal(garch.compute(changed).to_numpy()[: t + 1], full[: t + 1])
        np.testing.assert_array_equal(
            garch.compute(sp500_bars.iloc[: t + 1]).to_numpy(), full[: t + 1]
        )


def test_a_missing_close_is_skipped_and_the_filter_carries_on(sp500_bars):
    garch = GarchVolatility(fit_bars=FIT_BARS)
    clean = garch.compute(sp500_bars).to_numpy()
    k = 800
    dirty = sp500_bars.copy()
    dirty.iloc[k, dirty.columns.get_loc("close")] = math.nan
    result = garch.compute(dirty).to_numpy()
    np.testing.assert_array_equal(result[:k], clean[:k])
    assert np.isfinite(result[FIT_BARS:]).all()
    # returns k and k + 1 are missing: each is replaced by its expectation sigma_t^2, so
    # sigma2_{k+1} = omega + (alpha + beta) sigma2_k, and likewise for k + 2
    p = garch.fit(sp500_bars["close"].to_numpy())
    sigma2_k = (result[k, 0] * p.scale) ** 2
    sigma2_next = p.omega + p.alpha * sigma2_k + p.beta * sigma2_k
    assert result[k, 0] == clean[k, 0]  # sigma_k depends on bars before k only
    assert result[k + 1, 0] == pytest.approx(math.sqrt(sigma2_next) / p.scale, rel=1e-12)
    assert result[k, 1] == pytest.approx(result[k + 1, 0], rel=1e-12)


def test_streaming_agrees_with_compute_and_fits_once(sp500_bars):
    garch = GarchVolatility(fit_bars=200)
    data = sp500_bars.iloc[:400]
    expected = garch.compute(data).to_numpy()
    for _ in range(2):  # the second pass checks reset()
        streamed = np.array([garch.update({"close": c}) for c in data["close"]])
        np.testing.assert_allclose(streamed, expected, rtol=1e-9, atol=0)
        garch.reset()


def test_too_short_a_frame_is_all_nan_and_bad_settings_are_refused(sp500_bars):
    garch = GarchVolatility(fit_bars=FIT_BARS)
    assert garch.compute(sp500_bars.iloc[:FIT_BARS]).isna().all().all()
    assert garch.warmup == FIT_BARS
    with pytest.raises(ValueError, match="fit_bars"):
        GarchVolatility(fit_bars=10)
    with pytest.raises(ValueError, match="mean"):
        GarchVolatility(mean="ar1")
    with pytest.raises(ValueError, match="at least 30 finite returns"):
        fit_garch(np.full(100, math.nan))


def test_intraday_returns_are_rescaled_and_the_output_is_in_return_units():
    rng = np.random.default_rng(0)
    returns = rng.normal(0, 0.0005, 600)  # 5-minute-like returns
    close = 100 * np.exp(np.cumsum(returns))
    index = pd.date_range("2024-01-01", periods=600, freq="5min", tz="UTC")
    result = GarchVolatility(fit_bars=400).compute(pd.DataFrame({"close": close}, index=index))
    assert fit_garch(returns[1:400]).scale == 1000.0
    assert result.iloc[400:, 0].mean() == pytest.approx(0.0005, rel=0.2)
