"""Factor attribution against statsmodels' OLS (to 1e-9)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from mlcore import AnalyticsError
from mlcore.analytics import AdvancedAnalytics, FactorAttribution

sm = pytest.importorskip("statsmodels.api")


@pytest.fixture(scope="module")
def data() -> tuple[pd.Series, pd.DataFrame]:
    rng = np.random.default_rng(21)
    index = pd.bdate_range("2018-01-01", periods=600)
    factors = pd.DataFrame(
        {
            "market": rng.normal(0.0004, 0.01, 600),
            "size": rng.normal(0.0, 0.005, 600),
            "value": rng.normal(0.0001, 0.004, 600),
        },
        index=index,
    )
    returns = (
        0.0002
        + 1.1 * factors["market"]
        - 0.4 * factors["size"]
        + 0.05 * factors["value"]
        + rng.normal(0, 0.006, 600)
    )
    return returns, factors


def test_ols_equals_statsmodels(data: tuple[pd.Series, pd.DataFrame]) -> None:
    returns, factors = data
    got = AdvancedAnalytics(metrics={}).add_returns(returns).factor_attribution(factors)
    rf = 1.02 ** (1 / 252) - 1
    fit = sm.OLS((returns - rf).to_numpy(), sm.add_constant(factors.to_numpy())).fit()
    assert isinstance(got, FactorAttribution)
    assert list(got.coefficients.index) == ["alpha", "market", "size", "value"]
    np.testing.assert_allclose(got.coefficients.to_numpy(), fit.params, rtol=1e-9)
    np.testing.assert_allclose(got.standard_errors.to_numpy(), fit.bse, rtol=1e-9)
    np.testing.assert_allclose(got.t_stats.to_numpy(), fit.tvalues, rtol=1e-9)
    np.testing.assert_allclose(got.p_values.to_numpy(), fit.pvalues, rtol=1e-9, atol=1e-300)
    assert got.r_squared == pytest.approx(fit.rsquared, rel=1e-9)
    assert got.adjusted_r_squared == pytest.approx(fit.rsquared_adj, rel=1e-9)
    assert got.residual_volatility == pytest.approx(np.sqrt(fit.mse_resid * 252), rel=1e-9)
    assert got.n_observations == 600
    assert got.alpha == got.coefficients["alpha"]
    assert list(got.betas.index) == ["market", "size", "value"]


def test_contributions_sum_to_the_annualised_fitted_mean(
    data: tuple[pd.Series, pd.DataFrame],
) -> None:
    returns, factors = data
    got = (
        AdvancedAnalytics(metrics={})
        .add_returns(returns)
        .factor_attribution(factors, subtract_risk_free=False)
    )
    # OLS with an intercept fits the mean exactly: contributions add up to mean * 252
    assert got.contributions.sum() == pytest.approx(returns.mean() * 252, rel=1e-9)


def test_factors_are_aligned_on_common_dates(data: tuple[pd.Series, pd.DataFrame]) -> None:
    returns, factors = data
    got = AdvancedAnalytics(metrics={}).add_returns(returns.iloc[50:]).factor_attribution(factors)
    assert got.n_observations == 550


def test_collinear_factors_are_an_error(data: tuple[pd.Series, pd.DataFrame]) -> None:
    returns, factors = data
    doubled = factors.assign(market2=2 * factors["market"])
    with pytest.raises(AnalyticsError, match="collinear"):
        AdvancedAnalytics(metrics={}).add_returns(returns).factor_attribution(doubled)


def test_nan_factor_is_an_error_naming_column_and_row(
    data: tuple[pd.Series, pd.DataFrame],
) -> None:
    returns, factors = data
    broken = factors.copy()
    broken.iloc[10, 1] = np.nan
    with pytest.raises(AnalyticsError, match="'size' is NaN") as caught:
        AdvancedAnalytics(metrics={}).add_returns(returns).factor_attribution(broken)
    assert caught.value.column == "size"
    assert caught.value.row == factors.index[10]


def test_factors_need_a_datetime_index(data: tuple[pd.Series, pd.DataFrame]) -> None:
    returns, factors = data
    with pytest.raises(AnalyticsError, match="DatetimeIndex"):
        AdvancedAnalytics(metrics={}).add_returns(returns).factor_attribution(
            factors.reset_index(drop=True)
        )
