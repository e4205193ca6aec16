"""Volatility clustering: GARCH(1,1) conditional volatility, fit once, filtered forward.

:class:`GarchVolatility` (``garch_vol``) estimates a GARCH(1,1) with the ``arch`` package
on the first ``fit_bars`` rows (the training window), then runs the variance recursion
with those fixed parameters through every later bar. No row after the training window
ever changes the parameters, so the feature has no look-ahead; the rows inside the
training window are NaN, because their values would use parameters estimated with their
own future.

``arch`` is imported when a model is fitted, never when the plugin loads.

Bollerslev, T. (1986), "Generalized Autoregressive Conditional Heteroskedasticity",
Journal of Econometrics 31(3), 307-327.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Mapping
from typing import ClassVar, Final

import attrs
import numpy as np
from mlcore.errors import DataValidationError
from mlcore.protocols import NanPolicy
from scipy.signal import lfilter

from mlcore_microstructure._base import (
    FloatArray,
    MicrostructureIndicator,
    bar_values,
    log_returns,
    positive_int,
)

__all__ = [
    "MEANS",
    "GarchParameters",
    "GarchVolatility",
    "fit_garch",
    "garch_variance",
]

#: Mean models: ``constant`` (arch's ``Constant``, the default) or ``zero``.
MEANS: Final = ("constant", "zero")

#: Weights of arch's backcast: an exponentially weighted mean of the first 75 squared
#: residuals (``arch.univariate.GARCH.backcast``), reproduced so the filter starts exactly
#: where arch's estimation did.
_BACKCAST_BARS = 75
_BACKCAST_DECAY = 0.94

#: Fewest finite returns in the training window that we let arch fit a GARCH(1,1) on.
MIN_FIT_RETURNS: Final = 30


@attrs.frozen
class GarchParameters:
    """A fitted GARCH(1,1), on arch's scale: returns were multiplied by ``scale``.

    ``sigma2_t = omega + alpha * e_{t-1}^2 + beta * sigma2_{t-1}`` with ``e = scale * r - mu``;
    ``backcast`` is the variance that starts the recursion (arch's backcast).
    """

    mu: float
    omega: float
    alpha: float
    beta: float
    scale: float
    backcast: float


def fit_garch(returns: FloatArray, mean: str = "constant") -> GarchParameters:
    """Fit a GARCH(1,1) with normal errors to ``returns`` (NaN left out) with ``arch``.

    The returns are rescaled the way arch recommends (``rescale=True``: multiplied by a
    power of 10 so that their variance is of order 1; 100, percentages, for daily
    returns). Results are cached on the exact sample, so recomputing features on a
    growing frame does not refit.
    """
    if mean not in MEANS:
        raise ValueError(f"mean must be one of {', '.join(MEANS)}, got {mean!r}")
    sample = np.ascontiguousarray(returns[np.isfinite(returns)], dtype=np.float64)
    if sample.shape[0] < MIN_FIT_RETURNS:
        raise DataValidationError(
            f"a GARCH(1,1) needs at least {MIN_FIT_RETURNS} finite returns in its training "
            f"window, got {sample.shape[0]}: pass a frame with more rows or a larger fit_bars",
            rule="too_short",
            column="close",
        )
    return _fit_cached(sample.tobytes(), mean)


@functools.lru_cache(maxsize=64)
def _fit_cached(sample_bytes: bytes, mean: str) -> GarchParameters:
    from arch import arch_model

    sample = np.frombuffer(sample_bytes, dtype=np.float64)
    model = arch_model(
        sample,
        mean="Constant" if mean == "constant" else "Zero",
        vol="GARCH",
        p=1,
        q=1,
        dist="normal",
        rescale=True,
    )
    result = model.fit(disp="off")
    params = result.params
    scale = float(result.scale)
    scaled = scale * sample
    # arch starts its recursion from the residuals at the starting values: the sample
    # mean for a constant mean.
    residuals = scaled - scaled.mean() if mean == "constant" else scaled
    tau = min(_BACKCAST_BARS, residuals.shape[0])
    weights = _BACKCAST_DECAY ** np.arange(tau)
    weights = weights / weights.sum()
    return GarchParameters(
        mu=float(params["mu"]) if mean == "constant" else 0.0,
        omega=float(params["omega"]),
        alpha=float(params["alpha[1]"]),
        beta=float(params["beta[1]"]),
        scale=scale,
        backcast=float(np.sum(np.abs(residuals[:tau]) ** 2 * weights)),
    )


def garch_variance(
    squared_residuals: FloatArray, parameters: GarchParameters, start: float | None = None
) -> FloatArray:
    """The GARCH(1,1) variances ``g`` of length ``n + 1`` for ``n`` squared residuals.

    ``g[t]`` is the variance of residual t given residuals before t, and ``g[n]`` the
    forecast for the next one. ``g[0] = omega + (alpha + beta) * backcast`` (as in arch),
    unless ``start`` gives ``g[0]``. A missing (NaN) residual is replaced by its
    conditional expectation ``g[t]``, so the filter carries on through gaps. Vectorized
    with :func:`scipy.signal.lfilter`, one call per run of finite residuals.
    """
    omega, alpha, beta = parameters.omega, parameters.alpha, parameters.beta
    n = squared_residuals.shape[0]
    variances = np.empty(n + 1)
    if start is None:
        backcast = parameters.backcast
        variances[0] = omega + alpha * backcast + beta * backcast
    else:
        variances[0] = start
    missing = np.flatnonzero(np.isnan(squared_residuals))
    begin = 0
    for end in [*missing.tolist(), n]:
        if end > begin:
            drive = omega + alpha * squared_residuals[begin:end]
            variances[begin + 1 : end + 1], _ = lfilter(
                [1.0], [1.0, -beta], drive, zi=[beta * variances[begin]]
            )
        if end < n:
            previous = variances[end]
            variances[end + 1] = omega + alpha * previous + beta * previous
        begin = end + 1
    return variances


def _squared_residuals(close: FloatArray, parameters: GarchParameters) -> FloatArray:
    """``(scale * r_t - mu)^2`` for rows 1.., NaN (missing) where the return is not finite."""
    residuals = parameters.scale * log_returns(close)[1:] - parameters.mu
    squared = residuals * residuals
    squared[~np.isfinite(squared)] = np.nan
    return squared


@attrs.define
class _GarchStream:
    """Streaming state: the closes of the training window, then the fitted filter."""

    closes: list[float] = attrs.field(factory=list)
    parameters: GarchParameters | None = None
    next_variance: float = math.nan
    previous_close: float = math.nan

    def clear(self) -> None:
        self.closes.clear()
        self.parameters = None
        self.next_variance = math.nan
        self.previous_close = math.nan


@attrs.frozen
class GarchVolatility(MicrostructureIndicator):
    """GARCH(1,1) conditional volatility, fit on the first ``fit_bars`` rows, then filtered.

    The model: log returns ``r_t = mu + e_t`` (``mean="constant"``, or ``mu = 0`` with
    ``mean="zero"``), ``e_t = sigma_t z_t`` with ``z_t`` standard normal and
    ``sigma2_t = omega + alpha e_{t-1}^2 + beta sigma2_{t-1}``. The parameters are
    estimated by ``arch`` (maximum likelihood, rescaled returns, see :func:`fit_garch`)
    on the returns of rows ``0 .. fit_bars - 1`` only. The recursion then runs from arch's
    backcast through every row with those fixed parameters; it is what arch's own
    ``model.fix(params)`` computes. A missing return (a NaN close, or a non-positive one,
    which the OHLCV contract forbids) is replaced by its expectation, so the filter
    continues (``nan_policy = "ignore"``).

    Outputs, in return units (the rescaling undone):

    - ``garch_vol_<fit_bars>_<mean>``: ``sigma_t``, the volatility of bar t's return given
      bars before t (arch's ``conditional_volatility``);
    - ``garch_vol_forecast_<fit_bars>_<mean>``: ``sigma_{t+1}``, the one-bar-ahead forecast
      made at the close of bar t.

    Rows ``0 .. fit_bars - 1`` are NaN (``warmup = fit_bars``): the parameters were
    estimated on them, so their values would use their own future. Streaming: ``update``
    collects the training window, fits at bar ``fit_bars`` (the same fit as ``compute``),
    then updates in O(1) per bar.
    """

    name: ClassVar[str] = "garch_vol"
    nan_policy: ClassVar[NanPolicy] = "ignore"
    input_columns: ClassVar[tuple[str, ...]] = ("close",)
    output_suffixes: ClassVar[tuple[str, ...]] = ("", "forecast")

    fit_bars: int = attrs.field(default=500, validator=positive_int(MIN_FIT_RETURNS + 1))
    mean: str = attrs.field(default="constant", validator=attrs.validators.in_(MEANS))
    _stream: _GarchStream = attrs.field(init=False, factory=_GarchStream, eq=False, repr=False)

    @property
    def warmup(self) -> int:
        return self.fit_bars

    def fit(self, close: FloatArray) -> GarchParameters:
        """The parameters fitted on the returns of the first ``fit_bars`` closes."""
        return fit_garch(log_returns(close[: self.fit_bars])[1:], self.mean)

    def _kernel(self, inputs: Mapping[str, FloatArray]) -> FloatArray:
        close = inputs["close"]
        n = close.shape[0]
        out = np.full((n, 2), np.nan)
        if n <= self.fit_bars:
            return out
        parameters = self.fit(close)
        variances = garch_variance(_squared_residuals(close, parameters), parameters)
        out[1:, 0] = np.sqrt(variances[:-1]) / parameters.scale
        out[1:, 1] = np.sqrt(variances[1:]) / parameters.scale
        out[: self.fit_bars] = np.nan
        return out

    def reset(self) -> None:
        """Forget every bar seen by :meth:`update`, and the fitted parameters."""
        self._stream.clear()

    def update(self, bar: Mapping[str, float]) -> tuple[float, float]:
        """Add one bar; NaN until the training window is complete, then O(1) per bar."""
        (close,) = bar_values(self, bar)
        stream = self._stream
        if stream.parameters is None:
            stream.closes.append(close)
            if len(stream.closes) <= self.fit_bars:
                return (math.nan, math.nan)
            closes = np.asarray(stream.closes, dtype=np.float64)
            parameters = stream.parameters = self.fit(closes)
            variances = garch_variance(_squared_residuals(closes, parameters), parameters)
            stream.closes.clear()
            stream.previous_close = close
            stream.next_variance = float(variances[-1])
            return self._scaled(float(variances[-2]), float(variances[-1]), parameters)
        parameters = stream.parameters
        with np.errstate(divide="ignore", invalid="ignore"):
            ratio = np.array([close]) / np.array([stream.previous_close])
            residual = parameters.scale * float(np.log(ratio)[0]) - parameters.mu
        variance = stream.next_variance
        # a missing return is replaced by its expectation, as in garch_variance
        shock = residual * residual if math.isfinite(residual) else variance
        stream.next_variance = (
            parameters.omega + parameters.alpha * shock + parameters.beta * variance
        )
        stream.previous_close = close
        return self._scaled(variance, stream.next_variance, parameters)

    @staticmethod
    def _scaled(
        variance: float, forecast: float, parameters: GarchParameters
    ) -> tuple[float, float]:
        return (math.sqrt(variance) / parameters.scale, math.sqrt(forecast) / parameters.scale)
