"""Bid-ask spread: quoted when quotes exist, else estimated from bars.

Every estimate is a *relative* spread (a fraction of the price, 0.001 = 10 bp), so the
quoted spread and the estimators are on one scale.

- :class:`QuotedSpread` (``spread_quoted``): ``(ask - bid) / mid`` from ``bid``/``ask``.
- :class:`CorwinSchultzSpread` (``spread_cs``): Corwin & Schultz (2012), from two bars'
  highs and lows.
- :class:`RollSpread` (``spread_roll``): Roll (1984), from the serial covariance of price
  changes.
- :class:`AbdiRanaldoSpread` (``spread_ar``): Abdi & Ranaldo (2017), from close, high and
  low.
- :class:`AutoSpread` (``spread_auto``): the quoted spread when the frame has ``bid`` and
  ``ask``, else Corwin-Schultz.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import ClassVar

import attrs
import numpy as np
import pandas as pd

from mlcore_microstructure._base import (
    BufferedStreamingIndicator,
    FloatArray,
    MicrostructureIndicator,
    input_arrays,
    lagged,
    log_returns,
    positive_int,
    rolling,
    to_frame,
    window_mean,
)

__all__ = [
    "AbdiRanaldoSpread",
    "AutoSpread",
    "CorwinSchultzSpread",
    "QuotedSpread",
    "RollSpread",
    "corwin_schultz_two_bar",
    "relative_quoted_spread",
]

#: ``3 - 2 * sqrt(2)``, the denominator of Corwin-Schultz's alpha.
_CS_K = 3.0 - 2.0 * math.sqrt(2.0)


def relative_quoted_spread(bid: FloatArray, ask: FloatArray) -> FloatArray:
    """``(ask - bid) / mid`` with ``mid = (ask + bid) / 2``; NaN where ``mid <= 0``.

    Crossed quotes (``ask < bid``) give a negative spread: they are reported, not hidden.
    """
    mid = (ask + bid) / 2.0
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(mid > 0, (ask - bid) / mid, np.nan)


def corwin_schultz_two_bar(high: FloatArray, low: FloatArray, close: FloatArray) -> FloatArray:
    """Corwin-Schultz's spread estimate from bars t-1 and t, on row t (row 0 is NaN).

    With ``beta = ln(H_t/L_t)^2 + ln(H_{t-1}/L_{t-1})^2`` and
    ``gamma = ln(max(H_t, H_{t-1}) / min(L_t, L_{t-1}))^2``::

        alpha = (sqrt(2 beta) - sqrt(beta)) / (3 - 2 sqrt 2) - sqrt(gamma / (3 - 2 sqrt 2))
        S     = 2 (e^alpha - 1) / (1 + e^alpha)

    Overnight adjustment (Corwin & Schultz 2012, section III.B): when bar t's low is above
    the previous close, bar t's high and low are lowered by the gap; when its high is
    below the previous close, they are raised by the gap. Negative estimates are returned
    as they are; :class:`CorwinSchultzSpread` sets them to 0 before averaging.
    """
    prev_close = lagged(close)
    gap_up = np.maximum(low - prev_close, 0.0)
    gap_down = np.maximum(prev_close - high, 0.0)
    high_t = high - gap_up + gap_down
    low_t = low - gap_up + gap_down
    high_prev, low_prev = lagged(high), lagged(low)
    with np.errstate(divide="ignore", invalid="ignore"):
        beta = np.log(high_t / low_t) ** 2 + np.log(high_prev / low_prev) ** 2
        gamma = np.log(np.maximum(high_t, high_prev) / np.minimum(low_t, low_prev)) ** 2
        alpha = (np.sqrt(2.0 * beta) - np.sqrt(beta)) / _CS_K - np.sqrt(gamma / _CS_K)
        exp_alpha = np.exp(alpha)
        return np.asarray(2.0 * (exp_alpha - 1.0) / (1.0 + exp_alpha), dtype=np.float64)


@attrs.frozen
class QuotedSpread(BufferedStreamingIndicator):
    """Relative quoted spread ``(ask - bid) / mid``, averaged over the last ``window`` bars.

    Needs ``bid`` and ``ask`` columns (the quotes at each bar's close). ``window=1`` gives
    the bar's own spread. Output ``spread_quoted_<window>``; warmup ``window - 1``; a NaN
    quote blanks every window holding it.
    """

    name: ClassVar[str] = "spread_quoted"
    input_columns: ClassVar[tuple[str, ...]] = ("bid", "ask")

    window: int = attrs.field(default=1, validator=positive_int(1))

    @property
    def warmup(self) -> int:
        return self.window - 1

    def _kernel(self, inputs: Mapping[str, FloatArray]) -> FloatArray:
        spread = relative_quoted_spread(inputs["bid"], inputs["ask"])
        return rolling(self.window, window_mean, spread)


@attrs.frozen
class CorwinSchultzSpread(BufferedStreamingIndicator):
    """Corwin & Schultz (2012) high-low spread estimator, averaged over ``window`` bars.

    Each bar t gives a two-bar estimate from bars t-1 and t (see
    :func:`corwin_schultz_two_bar`, with the overnight adjustment); negative estimates are
    set to 0 (the paper's first option), and the result is their mean over the last
    ``window`` bars. Output ``spread_cs_<window>``; warmup ``window`` (the first estimate
    needs two bars).

    Corwin, S. A., and P. Schultz (2012), "A Simple Way to Estimate Bid-Ask Spreads from
    Daily High and Low Prices", Journal of Finance 67(2), 719-760.
    """

    name: ClassVar[str] = "spread_cs"
    input_columns: ClassVar[tuple[str, ...]] = ("high", "low", "close")

    window: int = attrs.field(default=20, validator=positive_int(1))

    @property
    def warmup(self) -> int:
        return self.window

    def _kernel(self, inputs: Mapping[str, FloatArray]) -> FloatArray:
        estimate = corwin_schultz_two_bar(inputs["high"], inputs["low"], inputs["close"])
        return rolling(self.window, window_mean, np.maximum(estimate, 0.0))


def _roll_reducer(changes: FloatArray, previous: FloatArray) -> FloatArray:
    count = changes.shape[1]
    deviations = changes - changes.mean(axis=1, keepdims=True)
    previous_deviations = previous - previous.mean(axis=1, keepdims=True)
    covariance = (deviations * previous_deviations).sum(axis=1) / (count - 1)
    # 2 sqrt(-cov) when the covariance is negative, else 0; NaN stays NaN.
    return np.asarray(2.0 * np.sqrt(np.maximum(-covariance, 0.0)), dtype=np.float64)


@attrs.frozen
class RollSpread(BufferedStreamingIndicator):
    """Roll (1984) spread: ``2 sqrt(-cov(dp_t, dp_{t-1}))``, 0 when the covariance is >= 0.

    ``dp`` is the log price change, so the spread is relative. The covariance is the
    sample covariance (``ddof=1``) of the last ``window`` pairs ``(dp_t, dp_{t-1})``.
    Output ``spread_roll_<window>``; warmup ``window + 1`` (a pair needs three closes).

    Roll, R. (1984), "A Simple Implicit Measure of the Effective Bid-Ask Spread in an
    Efficient Market", Journal of Finance 39(4), 1127-1139.
    """

    name: ClassVar[str] = "spread_roll"
    input_columns: ClassVar[tuple[str, ...]] = ("close",)

    window: int = attrs.field(default=20, validator=positive_int(2))

    @property
    def warmup(self) -> int:
        return self.window + 1

    def _kernel(self, inputs: Mapping[str, FloatArray]) -> FloatArray:
        changes = log_returns(inputs["close"])
        return rolling(self.window, _roll_reducer, changes, lagged(changes))


def _abdi_ranaldo_reducer(products: FloatArray) -> FloatArray:
    return np.asarray(np.sqrt(np.maximum(4.0 * products.mean(axis=1), 0.0)), dtype=np.float64)


@attrs.frozen
class AbdiRanaldoSpread(BufferedStreamingIndicator):
    """Abdi & Ranaldo (2017) close-high-low spread estimator over ``window`` bars.

    With log prices, ``c`` the close and ``eta = (ln H + ln L) / 2`` the mid-range, each
    bar t contributes ``(c_{t-1} - eta_{t-1}) (c_{t-1} - eta_t)``: the paper's two-day
    term, dated at the later day so that it is known at t. The estimate is
    ``sqrt(max(4 * mean, 0))`` over the last ``window`` terms (the paper's monthly
    estimator, negative means set to 0). Output ``spread_ar_<window>``; warmup ``window``.

    Abdi, F., and A. Ranaldo (2017), "A Simple Estimation of Bid-Ask Spreads from Daily
    Close, High, and Low Prices", Review of Financial Studies 30(12), 4437-4480.
    """

    name: ClassVar[str] = "spread_ar"
    input_columns: ClassVar[tuple[str, ...]] = ("high", "low", "close")

    window: int = attrs.field(default=20, validator=positive_int(1))

    @property
    def warmup(self) -> int:
        return self.window

    def _kernel(self, inputs: Mapping[str, FloatArray]) -> FloatArray:
        with np.errstate(divide="ignore", invalid="ignore"):
            mid_range = (np.log(inputs["high"]) + np.log(inputs["low"])) / 2.0
            log_close = np.log(inputs["close"])
        previous_close = lagged(log_close)
        products = (previous_close - lagged(mid_range)) * (previous_close - mid_range)
        return rolling(self.window, _abdi_ranaldo_reducer, products)


@attrs.frozen
class AutoSpread(MicrostructureIndicator):
    """The best spread the frame allows: quoted when it has ``bid`` and ``ask``, else CS.

    With ``bid`` and ``ask`` columns: :class:`QuotedSpread` averaged over ``window`` bars;
    otherwise :class:`CorwinSchultzSpread` (``window``) from high, low and close.
    ``inputs`` names the fallback's columns (``high, low, close``), which is all the
    feature requires; ``bid`` and ``ask`` are the optional columns listed in
    ``optional_inputs``, and :meth:`source_for` says which path a frame takes. The two
    paths estimate the same quantity on the same scale but are not the same numbers:
    train and serve on frames with the same columns. Output ``spread_auto_<window>``;
    warmup ``window`` on both paths (the quoted path's first ``window`` rows are NaN too,
    so the warmup does not depend on the frame). Not streaming: use ``spread_quoted`` or
    ``spread_cs``, whose inputs are fixed.
    """

    name: ClassVar[str] = "spread_auto"
    input_columns: ClassVar[tuple[str, ...]] = ("high", "low", "close")
    #: Columns used instead of ``inputs`` when the frame has both.
    optional_inputs: ClassVar[tuple[str, ...]] = ("bid", "ask")

    window: int = attrs.field(default=20, validator=positive_int(1))

    @property
    def warmup(self) -> int:
        return self.window

    def source_for(self, columns: pd.Index | list[str] | tuple[str, ...]) -> str:
        """``"quoted"`` when ``columns`` hold ``bid`` and ``ask``, else ``"corwin_schultz"``."""
        return "quoted" if all(c in columns for c in self.optional_inputs) else "corwin_schultz"

    def compute(self, ohlcv: pd.DataFrame) -> pd.DataFrame:
        """The spread on ``ohlcv``'s index, from its quotes when it has them."""
        estimator: MicrostructureIndicator
        if self.source_for(ohlcv.columns) == "quoted":
            estimator = QuotedSpread(window=self.window)
        else:
            estimator = CorwinSchultzSpread(window=self.window)
        values = estimator._kernel(input_arrays(estimator, ohlcv))
        values[: self.window] = np.nan
        return to_frame(ohlcv.index, self.outputs, values)
