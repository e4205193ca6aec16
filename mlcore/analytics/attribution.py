"""Factor attribution: ordinary least squares of returns on factor returns, with intercept.

``returns_t = alpha + sum_i beta_i * factor_i,t + e_t``; standard errors are the classic
(homoskedastic) OLS ones, ``sigma^2 (X'X)^-1`` with ``sigma^2 = RSS / (n - k - 1)``.
"""

from __future__ import annotations

import attrs
import numpy as np
import pandas as pd
from scipy import stats

from mlcore.analytics.rows import first_bad, row_error
from mlcore.errors import AnalyticsError

__all__ = ["FactorAttribution", "factor_attribution"]

INTERCEPT = "alpha"


@attrs.frozen(kw_only=True)
class FactorAttribution:
    """An OLS fit of per-period returns on factors.

    ``coefficients``, ``standard_errors``, ``t_stats`` and ``p_values`` (two-sided) are
    indexed by ``"alpha"`` (the per-period intercept) then the factor names.
    ``contributions`` is each factor's annualised share of the mean return,
    ``beta_i * mean(factor_i) * periods_per_year``, with ``"alpha"`` the annualised
    intercept; they sum to the annualised mean of the fitted returns.
    ``residual_volatility`` is the annualised standard deviation of the residuals (with
    ``n - k - 1`` degrees of freedom).
    """

    coefficients: pd.Series = attrs.field(eq=False)
    standard_errors: pd.Series = attrs.field(eq=False)
    t_stats: pd.Series = attrs.field(eq=False)
    p_values: pd.Series = attrs.field(eq=False)
    contributions: pd.Series = attrs.field(eq=False)
    r_squared: float
    adjusted_r_squared: float
    residual_volatility: float
    n_observations: int

    @property
    def alpha(self) -> float:
        """The per-period intercept."""
        return float(self.coefficients[INTERCEPT])

    @property
    def betas(self) -> pd.Series:
        """The factor loadings, without the intercept."""
        return self.coefficients.drop(INTERCEPT)


def factor_attribution(
    returns: pd.Series, factors: pd.DataFrame, *, periods_per_year: float
) -> FactorAttribution:
    """Regress ``returns`` on ``factors`` over their common dates.

    ``factors`` is a frame of per-period factor returns with one column per factor. Rows
    where any factor is NaN are an error (the caller chooses how to fill them).
    """
    y, x = _aligned(returns, factors)
    n, k = x.shape
    design = np.column_stack([np.ones(n), x])
    coefficients, _residuals, rank, _sv = np.linalg.lstsq(design, y, rcond=None)
    if rank < k + 1:
        raise AnalyticsError(
            "the factors are collinear (or one is constant), so their loadings are not "
            f"identified: drop one of {list(factors.columns)}"
        )
    residuals = y - design @ coefficients
    dof = n - k - 1
    sigma2 = float(residuals @ residuals) / dof
    standard_errors = np.sqrt(sigma2 * np.diag(np.linalg.inv(design.T @ design)))
    t_stats = coefficients / standard_errors
    total = float(((y - y.mean()) ** 2).sum())
    r_squared = 1.0 - float(residuals @ residuals) / total if total > 0 else 0.0
    names = [INTERCEPT, *map(str, factors.columns)]
    means = np.concatenate(([1.0], x.mean(axis=0)))
    return FactorAttribution(
        coefficients=pd.Series(coefficients, index=names, name="coefficient"),
        standard_errors=pd.Series(standard_errors, index=names, name="standard_error"),
        t_stats=pd.Series(t_stats, index=names, name="t_stat"),
        p_values=pd.Series(2.0 * stats.t.sf(np.abs(t_stats), dof), index=names, name="p_value"),
        contributions=pd.Series(
            coefficients * means * periods_per_year, index=names, name="contribution"
        ),
        r_squared=r_squared,
        adjusted_r_squared=1.0 - (1.0 - r_squared) * (n - 1) / dof,
        residual_volatility=float(np.sqrt(sigma2 * periods_per_year)),
        n_observations=n,
    )


def _aligned(returns: pd.Series, factors: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    if not isinstance(factors, pd.DataFrame) or factors.shape[1] == 0:
        raise AnalyticsError(
            "factors must be a DataFrame of per-period factor returns with at least one "
            f"column, got {type(factors).__name__}"
        )
    if not isinstance(factors.index, pd.DatetimeIndex):
        raise AnalyticsError(
            "factors must have a DatetimeIndex to align with the returns, got "
            f"{type(factors.index).__name__}"
        )
    common = returns.index.intersection(factors.index)
    frame = factors.loc[common]
    non_numeric = [str(c) for c in frame.columns if not pd.api.types.is_numeric_dtype(frame[c])]
    if non_numeric:
        raise AnalyticsError(
            f"factor column(s) {non_numeric} are not numeric", column=non_numeric[0]
        )
    if (missing := first_bad(frame.isna().any(axis=1))) is not None:
        position = int(np.flatnonzero(factors.index == frame.index[missing])[0])  # in factors
        column = str(factors.columns[factors.iloc[position].isna().to_numpy()][0])
        raise row_error(
            f"factor column {column!r} is NaN at {{row}}; fill or drop those rows first",
            factors.index,
            position,
            column=column,
        )
    k = factors.shape[1]
    if len(common) < k + 2:
        raise AnalyticsError(
            f"factor attribution needs more common dates than factors + 1 ({k + 1}); the "
            f"returns and factors share {len(common)}"
        )
    return returns.loc[common].to_numpy(np.float64), frame.to_numpy(np.float64)
