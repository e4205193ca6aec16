"""Price impact: how far prices move per unit traded.

- :class:`AmihudIlliquidity` (``amihud``): Amihud (2002), ``|r_t| / (close_t * volume_t)``
  averaged over a trailing window.
- :class:`KyleLambda` (``kyle_lambda``): rolling OLS slope of returns on signed order flow
  (Kyle 1985; the signed-volume regression of Hasbrouck 2009 and López de Prado 2018).
"""

from __future__ import annotations

from collections import deque
from collections.abc import Mapping
from typing import ClassVar, Final

import attrs
import numpy as np

from mlcore_microstructure._base import (
    BufferedStreamingIndicator,
    FloatArray,
    bar_values,
    last_row,
    log_returns,
    positive_int,
    rolling,
    simple_returns,
)
from mlcore_microstructure.order_flow import FLOW_COLUMNS, signed_flow

__all__ = ["AmihudIlliquidity", "KyleLambda", "REGRESSORS", "tick_rule_signs"]

#: What Kyle's lambda regresses returns on: signed volume, or signed sqrt(dollar volume).
REGRESSORS: Final = ("volume", "sqrt_dollar_volume")


def _ratio_of_sums(numerator: FloatArray, denominator: FloatArray) -> FloatArray:
    return np.asarray(numerator.sum(axis=1) / denominator.sum(axis=1), dtype=np.float64)


@attrs.frozen
class AmihudIlliquidity(BufferedStreamingIndicator):
    """Amihud (2002) illiquidity: mean of ``|r_t| / (close_t * volume_t)`` over ``window`` bars.

    ``r_t`` is the simple close-to-close return, so the value is the return per unit of
    currency traded (papers often report it times 1e6). As in the paper, bars without
    volume are left out of the mean (their ratio is undefined); a window with no traded
    bar is NaN, as is a window holding a NaN input. Output ``amihud_<window>``; warmup
    ``window``.

    Amihud, Y. (2002), "Illiquidity and stock returns: cross-section and time-series
    effects", Journal of Financial Markets 5(1), 31-56.
    """

    name: ClassVar[str] = "amihud"
    input_columns: ClassVar[tuple[str, ...]] = ("close", "volume")

    window: int = attrs.field(default=20, validator=positive_int(1))

    @property
    def warmup(self) -> int:
        return self.window

    def _kernel(self, inputs: Mapping[str, FloatArray]) -> FloatArray:
        close, volume = inputs["close"], inputs["volume"]
        returns = simple_returns(close)
        dollar_volume = close * volume
        missing = np.isnan(returns) | np.isnan(dollar_volume)
        traded = (dollar_volume > 0) & ~missing
        with np.errstate(divide="ignore", invalid="ignore"):
            ratio = np.where(traded, np.abs(returns) / dollar_volume, 0.0)
        weight = traded.astype(np.float64)
        ratio[missing] = np.nan
        weight[missing] = np.nan
        return rolling(self.window, _ratio_of_sums, ratio, weight)


def tick_rule_signs(close: FloatArray, sign_before: float = 0.0) -> FloatArray:
    """The tick rule: +1 after an uptick, -1 after a downtick, the previous sign otherwise.

    Row t gets ``sign(close_t - close_{t-1})``; an unchanged (or NaN) price carries the
    last non-zero sign forward (a causal forward fill); ``sign_before`` is the sign before
    the first row (0: unknown).
    """
    n = close.shape[0]
    signs = np.full(n, np.nan)
    signs[1:] = np.sign(close[1:] - close[:-1])
    signs[signs == 0] = np.nan
    if n:
        signs[0] = sign_before
    known = np.where(np.isnan(signs), 0, np.arange(n))
    return np.asarray(signs[np.maximum.accumulate(known)], dtype=np.float64)


def _ols_slope(x: FloatArray, y: FloatArray) -> FloatArray:
    dx = x - x.mean(axis=1, keepdims=True)
    dy = y - y.mean(axis=1, keepdims=True)
    sxx = (dx * dx).sum(axis=1)
    sxy = (dx * dy).sum(axis=1)
    out = np.full(sxx.shape, np.nan)
    np.divide(sxy, sxx, out=out, where=sxx > 0)
    return out


@attrs.frozen
class KyleLambda(BufferedStreamingIndicator):
    """Kyle's lambda: the OLS slope of returns on signed order flow over ``window`` bars.

    ``r_t = c + lambda * x_t + e_t`` with intercept, fitted on the last ``window`` bars
    (closed form ``cov(x, r) / var(x)`` per window), ``r_t`` the log return and ``x_t``
    the bar's signed volume:

    - ``flow="tick"`` (default, needs ``close, volume`` only): the volume signed by the
      tick rule (:func:`tick_rule_signs`), as in López de Prado (2018), section 19.3.2;
    - ``flow`` one of :data:`~mlcore_microstructure.order_flow.FLOW_COLUMNS`: the signed
      volume from known trade sides, and ``inputs`` adds that flow's columns.

    ``regressor="sqrt_dollar_volume"`` uses ``sign(x) * sqrt(|x| * close)`` instead
    (Hasbrouck 2009). NaN when the window's signed flow does not vary. Output
    ``kyle_lambda_<window>_<flow>_<regressor>``; warmup ``window``.

    Kyle, A. S. (1985), "Continuous Auctions and Insider Trading", Econometrica 53(6);
    Hasbrouck, J. (2009), "Trading Costs and Returns for U.S. Equities: Estimating
    Effective Costs from Daily Data", Journal of Finance 64(3);
    López de Prado, M. (2018), Advances in Financial Machine Learning, Wiley, ch. 19.
    """

    name: ClassVar[str] = "kyle_lambda"
    #: The default (tick rule) columns; ``inputs`` adds those of the instance's ``flow``.
    input_columns: ClassVar[tuple[str, ...]] = ("close", "volume")

    window: int = attrs.field(default=50, validator=positive_int(3))
    flow: str = attrs.field(default="tick", validator=attrs.validators.in_(("tick", *FLOW_COLUMNS)))
    regressor: str = attrs.field(default="volume", validator=attrs.validators.in_(REGRESSORS))
    # Streaming: the tick-rule sign of each buffered bar (the rule carries it forward).
    _signs: deque[float] = attrs.field(init=False, factory=deque, eq=False, repr=False)

    @property
    def inputs(self) -> tuple[str, ...]:
        if self.flow == "tick":
            return ("close", "volume")
        return ("close", *FLOW_COLUMNS[self.flow])

    @property
    def warmup(self) -> int:
        return self.window

    def _kernel(self, inputs: Mapping[str, FloatArray], sign_before: float = 0.0) -> FloatArray:
        close = inputs["close"]
        if self.flow == "tick":
            signed = tick_rule_signs(close, sign_before) * inputs["volume"]
        else:
            signed, _ = signed_flow(self.flow, inputs)
        if self.regressor == "sqrt_dollar_volume":
            with np.errstate(invalid="ignore"):
                signed = np.sign(signed) * np.sqrt(np.abs(signed) * close)
        return rolling(self.window, _ols_slope, signed, log_returns(close))

    def reset(self) -> None:
        """Forget every bar seen by :meth:`update`."""
        self._bars.clear()
        self._signs.clear()

    def update(self, bar: Mapping[str, float]) -> tuple[float, ...]:
        """Add one bar and return its lambda (NaN during the warmup), in O(window)."""
        values = bar_values(self, bar)
        close = values[0]
        sign = 0.0
        if self._bars:
            sign = self._signs[-1]
            change = close - self._bars[-1][0]
            if change != 0 and not np.isnan(change):
                sign = 1.0 if change > 0 else -1.0
        self._bars.append(values)
        self._signs.append(sign)
        while len(self._bars) > self.warmup + 1:
            self._bars.popleft()
            self._signs.popleft()
        block = np.array(self._bars, dtype=np.float64)
        arrays = {c: np.ascontiguousarray(block[:, i]) for i, c in enumerate(self.inputs)}
        return last_row(self._kernel(arrays, self._signs[0]))
