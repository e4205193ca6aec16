"""Structure family: support and resistance from confirmed swing points, rolling linear
regression (trend lines) and breakout flags.

Every indicator has a vectorized ``compute`` and a streaming ``update`` that agrees with it
to 1e-9. Swing points are the classic look-ahead trap: a swing high at bar ``s`` is only
known once the ``order`` bars after it have closed lower, so it becomes a level at bar
``s + order`` and never earlier.
"""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Mapping
from typing import Any, ClassVar

import attrs
import numpy as np

from mlcore_indicators._base import (
    FloatArray,
    StreamingNativeIndicator,
    bar_close,
    bar_high_low_close,
    is_int,
    period_field,
)
from mlcore_indicators._kernels import (
    FLAT_TOLERANCE,
    flat,
    prior_max,
    prior_min,
    regression_slope,
    rolling_max,
    rolling_min,
    time_sum_of_squares,
    window_mean_var,
)
from mlcore_indicators._streaming import NAN, RollingExtreme, divide

__all__ = ["Breakout", "LinearRegression", "SupportResistance", "swing_highs", "swing_lows"]

_HLC = ("high", "low", "close")


@attrs.frozen
class _Structure(StreamingNativeIndicator):
    family: ClassVar[str] = "structure"


# ---------------------------------------------------------------------------
# Swing points and support / resistance
# ---------------------------------------------------------------------------


def swing_highs(high: FloatArray, order: int) -> FloatArray:
    """Bars at which a swing high is confirmed (bool array indexed by confirmation bar).

    ``s`` is a swing high when ``high[s]`` is above each of the ``order`` highs before it
    and at least each of the ``order`` highs after it (so a flat top counts once, at its
    first bar), with no NaN among them. It is known at the close of bar ``s + order``:
    ``result[s + order]`` is True. Two swing highs are at least ``order + 1`` bars apart.
    """
    size = len(high)
    confirmed = np.zeros(size, dtype=bool)
    if size <= 2 * order:
        return confirmed
    block_max = rolling_max(high, order)  # max of high[i - order + 1 .. i]
    candidate = high[order : size - order]  # s = order .. size - order - 1
    before = block_max[order - 1 : size - order - 1]  # max of high[s - order .. s - 1]
    after = block_max[2 * order :]  # max of high[s + 1 .. s + order]
    confirmed[2 * order :] = (candidate > before) & (candidate >= after)
    return confirmed


def swing_lows(low: FloatArray, order: int) -> FloatArray:
    """Bars at which a swing low is confirmed (the mirror image of :func:`swing_highs`)."""
    return swing_highs(-low, order)


@attrs.frozen
class SupportResistance(_Structure):
    """Support and resistance from confirmed swing lows and highs, and the close's distance.

    A swing high (low) of ``order`` bars is confirmed ``order`` bars after its peak (see
    :func:`swing_highs`). At bar ``t`` the levels are the swing highs (lows) whose swing
    bar lies in the last ``lookback`` bars and which are confirmed by ``t``. ``resistance``
    is the lowest such swing high at or above the close, or, when there is none (the
    close broke above them all), the highest high of the last ``lookback`` bars;
    ``support`` is the highest swing low at or below the close, else the lowest low of the
    last ``lookback`` bars. Distances are fractions of the close:
    ``resistance_distance = resistance / close - 1``,
    ``support_distance = 1 - support / close``. Columns: ``sr_resistance_5_100``,
    ``sr_support_5_100``, ``sr_resistance_distance_5_100``, ``sr_support_distance_5_100``.
    """

    name: ClassVar[str] = "sr"
    input_columns: ClassVar[tuple[str, ...]] = _HLC
    output_suffixes: ClassVar[tuple[str, ...]] = (
        "resistance",
        "support",
        "resistance_distance",
        "support_distance",
    )
    default_parameters: ClassVar[tuple[Mapping[str, Any], ...]] = (
        {"order": 3, "lookback": 50},
        {"order": 5, "lookback": 100},
        {"order": 10, "lookback": 250},
    )

    order: int = period_field(5, minimum=1)
    lookback: int = attrs.field(default=100, validator=is_int)

    @lookback.validator
    def _covers_a_swing(self, attribute: attrs.Attribute[int], value: int) -> None:
        if value < 2 * self.order + 1:
            raise ValueError(
                f"'lookback' must be at least 2 * order + 1 = {2 * self.order + 1} bars, "
                f"the span of one swing: {value}"
            )

    @property
    def warmup(self) -> int:
        return self.lookback - 1

    def _compute(self, **inputs: FloatArray) -> tuple[FloatArray, ...]:
        high, low, close = inputs["high"], inputs["low"], inputs["close"]
        order, lookback = self.order, self.lookback
        from mlcore_indicators._sequential import nearest_levels  # numba: imported on use

        highest, lowest = rolling_max(high, lookback), rolling_min(low, lookback)
        resistance = nearest_levels(
            high, swing_highs(high, order), close, order, lookback, True, highest
        )
        support = nearest_levels(low, swing_lows(low, order), close, order, lookback, False, lowest)
        with np.errstate(divide="ignore", invalid="ignore"):
            return resistance, support, resistance / close - 1.0, 1.0 - support / close

    def _new_stream(self) -> _SwingStream:
        return _SwingStream(self.order, self.lookback)

    def update(self, bar: Mapping[str, float]) -> tuple[float, ...]:
        """Add one bar; its (resistance, support, distances), NaN during the warm-up."""
        high, low, close = bar_high_low_close(self, bar)
        resistance, support = self._stream.push(high, low, close)
        return (
            resistance,
            support,
            divide(resistance, close) - 1.0,
            1.0 - divide(support, close),
        )


class _SwingStream:
    """Streaming swing detection: the last ``2 * order + 1`` highs and lows, the confirmed
    levels still inside the lookback, and the window's extremes. O(order + levels) a bar."""

    __slots__ = (
        "count",
        "high_levels",
        "highs",
        "last_missing_high",
        "last_missing_low",
        "lookback",
        "low_levels",
        "lows",
        "order",
        "window_high",
        "window_low",
    )

    def __init__(self, order: int, lookback: int) -> None:
        self.order = order
        self.lookback = lookback
        self.count = 0
        self.highs: list[float] = []
        self.lows: list[float] = []
        self.last_missing_high = self.last_missing_low = -(1 << 62)
        self.high_levels: deque[tuple[int, float]] = deque()
        self.low_levels: deque[tuple[int, float]] = deque()
        self.window_high = RollingExtreme(lookback, is_max=True)
        self.window_low = RollingExtreme(lookback, is_max=False)

    def push(self, high: float, low: float, close: float) -> tuple[float, float]:
        """Add a bar; (resistance, support), NaN during the warm-up."""
        t = self.count
        self.count = t + 1
        order = self.order
        highs, lows = self.highs, self.lows
        highs.append(high)
        lows.append(low)
        if high != high:
            self.last_missing_high = t
        if low != low:
            self.last_missing_low = t
        if len(highs) > 2 * order + 1:
            del highs[0], lows[0]
        if len(highs) == 2 * order + 1:
            # A window holding a NaN confirms nothing, as in swing_highs / swing_lows.
            # The neighbours first: most bars fail there, before any slice is taken.
            peak = highs[order]
            if (
                peak > highs[order - 1]
                and peak >= highs[order + 1]
                and t - self.last_missing_high > 2 * order
                and peak > max(highs[:order])
                and peak >= max(highs[order + 1 :])
            ):
                self.high_levels.append((t - order, peak))
            trough = lows[order]
            if (
                trough < lows[order - 1]
                and trough <= lows[order + 1]
                and t - self.last_missing_low > 2 * order
                and trough < min(lows[:order])
                and trough <= min(lows[order + 1 :])
            ):
                self.low_levels.append((t - order, trough))
        oldest = t - self.lookback + 1
        high_levels, low_levels = self.high_levels, self.low_levels
        while high_levels and high_levels[0][0] < oldest:
            high_levels.popleft()
        while low_levels and low_levels[0][0] < oldest:
            low_levels.popleft()
        window_high = self.window_high.push(high)
        window_low = self.window_low.push(low)
        if t < self.lookback - 1:
            return NAN, NAN
        resistance = math.inf
        for _, level in high_levels:
            if close <= level < resistance:
                resistance = level
        support = -math.inf
        for _, level in low_levels:
            if close >= level > support:
                support = level
        return (
            window_high if resistance == math.inf else resistance,
            window_low if support == -math.inf else support,
        )


# ---------------------------------------------------------------------------
# Linear regression
# ---------------------------------------------------------------------------


@attrs.frozen
class LinearRegression(_Structure):
    """Rolling linear regression of the close (trend line): slope, intercept and R^2.

    The window's bars are ``x = 0..period-1`` (oldest first): ``slope`` is price per bar
    (TA-Lib's ``LINEARREG_SLOPE``), ``intercept`` the line's value at the window's oldest
    bar (``LINEARREG_INTERCEPT``), ``r2`` the squared correlation of close and time, in
    [0, 1]; NaN where the window is flat. Columns: ``linreg_slope_20``,
    ``linreg_intercept_20``, ``linreg_r2_20``.
    """

    name: ClassVar[str] = "linreg"
    input_columns: ClassVar[tuple[str, ...]] = ("close",)
    output_suffixes: ClassVar[tuple[str, ...]] = ("slope", "intercept", "r2")
    default_parameters: ClassVar[tuple[Mapping[str, Any], ...]] = tuple(
        {"period": p} for p in (10, 20, 50, 100)
    )

    period: int = period_field(20, minimum=3)

    @property
    def warmup(self) -> int:
        return self.period - 1

    def _compute(self, **inputs: FloatArray) -> tuple[FloatArray, ...]:
        close = inputs["close"]
        n = self.period
        slope = regression_slope(close, n)
        mean, var = window_mean_var(close, n)
        intercept = mean - slope * ((n - 1) / 2.0)
        with np.errstate(divide="ignore", invalid="ignore"):
            r2 = np.minimum(slope * slope * time_sum_of_squares(n) / (n * var), 1.0)
        r2[flat(np.sqrt(var), mean)] = np.nan
        return slope, intercept, r2

    def _new_stream(self) -> _RegressionStream:
        return _RegressionStream(self.period)

    def update(self, bar: Mapping[str, float]) -> tuple[float, ...]:
        """Add one bar; the window's (slope, intercept, R^2), NaN during the warm-up."""
        line: tuple[float, float, float] = self._stream.push(bar_close(self, bar))
        return line


class _RegressionStream:
    """Running sums of a window's offsets ``d = y - reference``: ``sum1 = sum(d)``,
    ``sum2 = sum(d * d)``, ``weighted = sum(j * d_j)`` for ``j = 0..n-1`` oldest first.
    Sliding by one bar: ``weighted -= sum1 - d_oldest``, then ``+= (n - 1) * d_new``.
    Every ``n`` bars, and whenever a NaN enters or leaves the window, the reference moves
    to the newest value and the sums are recomputed from the window."""

    __slots__ = ("age", "missing", "n", "reference", "run", "sum1", "sum2", "weighted", "window")

    def __init__(self, n: int) -> None:
        self.n = n
        self.window: deque[float] = deque()
        self.reference = NAN
        self.sum1 = 0.0
        self.sum2 = 0.0
        self.weighted = 0.0
        self.missing = 0
        self.age = 0
        self.run = 0  # how many values in a row equal their predecessor

    def push(self, y: float) -> tuple[float, float, float]:
        """Add ``y``; the window's (slope, intercept, R^2), NaN while incomplete or with a NaN."""
        n = self.n
        window = self.window
        self.run = self.run + 1 if window and window[-1] == y else 0
        window.append(y)
        if len(window) > n:
            old = window.popleft()
            if y == y and old == old and not self.missing:
                age = self.age + 1
                if age < n:
                    self.age = age
                    reference = self.reference
                    d = y - reference
                    e = old - reference
                    sum1 = self.sum1
                    self.weighted += (n - 1) * d - (sum1 - e)
                    self.sum1 = sum1 + (d - e)
                    self.sum2 += d * d - e * e
                    return self._line()
            else:
                if y != y:
                    self.missing += 1
                if old != old:
                    self.missing -= 1
            return self._rebase()
        if y != y:
            self.missing += 1
        if len(window) == n:
            return self._rebase()
        return NAN, NAN, NAN

    def _rebase(self) -> tuple[float, float, float]:
        self.age = 0
        if self.missing:
            return NAN, NAN, NAN
        reference = self.reference = self.window[-1]
        sum1 = sum2 = weighted = 0.0
        for j, value in enumerate(self.window):
            d = value - reference
            sum1 += d
            sum2 += d * d
            weighted += j * d
        self.sum1, self.sum2, self.weighted = sum1, sum2, weighted
        return self._line()

    def _line(self) -> tuple[float, float, float]:
        n = self.n
        sum1 = self.sum1
        half = (n - 1) / 2.0
        sxx = n * (n * n - 1) / 12.0
        slope = (self.weighted - half * sum1) / sxx
        mean1 = sum1 / n
        var = self.sum2 / n - mean1 * mean1
        if self.run >= n - 1:
            var = 0.0  # a constant window, as window_mean_var decides
        mean = self.reference + mean1
        intercept = mean - slope * half
        if not (var > 0.0 and math.sqrt(var) > FLAT_TOLERANCE * abs(mean)):
            return slope, intercept, NAN
        r2 = slope * slope * sxx / (n * var)
        return slope, intercept, (r2 if r2 < 1.0 else 1.0)


# ---------------------------------------------------------------------------
# Breakouts
# ---------------------------------------------------------------------------


@attrs.frozen
class Breakout(_Structure):
    """Breakout flags: 1.0 when the close breaks the prior ``period`` bars' high or low.

    ``up`` when the close is above the prior bars' highest high, ``down`` when it is below
    their lowest low, else 0.0.
    "Prior" excludes the current bar: ``up[t] = close[t] > max(high[t-period .. t-1])``.
    First valid on row ``period``; NaN where an input in the window is NaN. Columns:
    ``breakout_up_20``, ``breakout_down_20``.
    """

    name: ClassVar[str] = "breakout"
    input_columns: ClassVar[tuple[str, ...]] = _HLC
    output_suffixes: ClassVar[tuple[str, ...]] = ("up", "down")
    default_parameters: ClassVar[tuple[Mapping[str, Any], ...]] = tuple(
        {"period": p} for p in (5, 10, 20, 50, 100, 250)
    )

    period: int = period_field(20, minimum=1)

    def _new_stream(self) -> _BreakoutStream:
        return _BreakoutStream(self.period)

    @property
    def warmup(self) -> int:
        return self.period

    def _compute(self, **inputs: FloatArray) -> tuple[FloatArray, ...]:
        high, low, close = inputs["high"], inputs["low"], inputs["close"]
        from mlcore_indicators._sequential import breakout_flags  # numba: imported on use

        up, down = breakout_flags(close, prior_max(high, self.period), prior_min(low, self.period))
        return up, down

    def update(self, bar: Mapping[str, float]) -> tuple[float, ...]:
        """Add one bar; its (up, down) flags, NaN during the warm-up."""
        high, low, close = bar_high_low_close(self, bar)
        stream = self._stream
        ceiling, floor = stream.ceiling, stream.floor  # the extremes up to the previous bar
        stream.ceiling = stream.highs.push(high)
        stream.floor = stream.lows.push(low)
        up = NAN if ceiling != ceiling or close != close else float(close > ceiling)
        down = NAN if floor != floor or close != close else float(close < floor)
        return up, down


class _BreakoutStream:
    """The window's highest high and lowest low, and those of the window one bar earlier."""

    __slots__ = ("ceiling", "floor", "highs", "lows")

    def __init__(self, period: int) -> None:
        self.highs = RollingExtreme(period, is_max=True)
        self.lows = RollingExtreme(period, is_max=False)
        self.ceiling = self.floor = NAN
