"""The conventions every performance figure depends on, in one validated place.

The reference libraries disagree on them (252 or 365 periods a year, a per-period or an
annual risk-free rate), so mlcore makes each one an explicit, documented argument.
"""

from __future__ import annotations

import math
from typing import Any, Literal

import attrs

__all__ = ["Compounding", "Conventions", "per_period_rate"]

#: How an annual rate becomes a per-period one: ``geometric`` gives the rate that compounds
#: to the annual one, ``(1 + r) ** (1 / periods_per_year) - 1``; ``simple`` divides,
#: ``r / periods_per_year``.
Compounding = Literal["geometric", "simple"]


def per_period_rate(annual_rate: float, periods_per_year: float, compounding: Compounding) -> float:
    """The per-period rate equivalent to ``annual_rate`` under ``compounding``."""
    if compounding == "simple":
        return annual_rate / periods_per_year
    return float((1.0 + annual_rate) ** (1.0 / periods_per_year) - 1.0)


def _finite(instance: object, attribute: attrs.Attribute[float], value: float) -> None:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise ValueError(f"{attribute.name} must be a finite number, got {value!r}")


def _above_minus_one(instance: object, attribute: attrs.Attribute[float], value: float) -> None:
    _finite(instance, attribute, value)
    if value <= -1.0:
        raise ValueError(f"{attribute.name} is an annual rate and must be > -1, got {value!r}")


def _probability(instance: object, attribute: attrs.Attribute[float], value: float) -> None:
    _finite(instance, attribute, value)
    if not 0.0 < value < 1.0:
        raise ValueError(f"{attribute.name} must lie strictly between 0 and 1, got {value!r}")


def _positive(instance: object, attribute: attrs.Attribute[Any], value: Any) -> None:
    _finite(instance, attribute, value)
    if value <= 0:
        raise ValueError(f"{attribute.name} must be > 0, got {value!r}")


def _non_negative_or_none(
    instance: object, attribute: attrs.Attribute[float | None], value: float | None
) -> None:
    if value is None:
        return
    _finite(instance, attribute, value)  # type: ignore[arg-type]
    if value < 0:
        raise ValueError(f"{attribute.name} must be >= 0, got {value!r}")


@attrs.frozen(kw_only=True)
class Conventions:
    """How returns are annualised and compared with a risk-free rate.

    - ``risk_free_rate``: the **annual** risk-free rate; metrics use the per-period rate
      :attr:`risk_free_per_period`, converted by ``risk_free_compounding``.
    - ``periods_per_year``: periods in a year (252 trading days, 365 for crypto, 52 weeks,
      12 months), used to annualise means (x n), volatilities (x sqrt(n)) and the
      compounded annual return.
    - ``target_return``: the annual minimum acceptable return of the Sortino and Omega
      ratios; ``None`` uses the risk-free rate.
    - ``confidence_level``: the level of the VaR and CVaR in :class:`PerformanceMetrics`.
    - ``benchmark_sharpe``: the annual Sharpe ratio the probabilistic Sharpe ratio tests
      against.
    - ``n_trials`` and ``trials_sharpe_variance``: how many strategy variants were tried
      before this one and the variance of their annual Sharpe ratios; the deflated Sharpe
      ratio corrects for that selection (``n_trials=1`` means no selection).
    """

    risk_free_rate: float = attrs.field(default=0.02, validator=_above_minus_one)
    periods_per_year: float = attrs.field(default=252, validator=_positive)
    risk_free_compounding: Compounding = attrs.field(
        default="geometric", validator=attrs.validators.in_(("geometric", "simple"))
    )
    target_return: float | None = attrs.field(default=None)
    confidence_level: float = attrs.field(default=0.95, validator=_probability)
    benchmark_sharpe: float = attrs.field(default=0.0, validator=_finite)
    n_trials: int = attrs.field(
        default=1, validator=[attrs.validators.instance_of(int), attrs.validators.ge(1)]
    )
    trials_sharpe_variance: float | None = attrs.field(
        default=None, validator=_non_negative_or_none
    )

    @target_return.validator
    def _check_target(self, attribute: attrs.Attribute[float | None], value: float | None) -> None:
        if value is not None:
            _above_minus_one(self, attribute, value)  # type: ignore[arg-type]

    def __attrs_post_init__(self) -> None:
        if self.n_trials > 1 and self.trials_sharpe_variance is None:
            raise ValueError(
                f"n_trials={self.n_trials} needs trials_sharpe_variance, the variance of the "
                "annual Sharpe ratios of the trials, for the deflated Sharpe ratio"
            )

    @property
    def risk_free_per_period(self) -> float:
        """The risk-free rate of one period."""
        return per_period_rate(
            self.risk_free_rate, self.periods_per_year, self.risk_free_compounding
        )

    @property
    def target_per_period(self) -> float:
        """The Sortino/Omega threshold of one period (the risk-free rate when no target)."""
        if self.target_return is None:
            return self.risk_free_per_period
        return per_period_rate(
            self.target_return, self.periods_per_year, self.risk_free_compounding
        )
