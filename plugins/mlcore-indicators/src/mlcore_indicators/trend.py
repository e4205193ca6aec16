"""Trend indicators: moving averages, MACD, Parabolic SAR, ADX, Ichimoku, KAMA, TRIX, Aroon.

Each matches TA-Lib (seeding included) where TA-Lib has it, and streams bar by bar with
``reset()`` / ``update(bar)`` agreeing with ``compute``. Everything is causal: Ichimoku's
spans are given as computed at ``t`` and as they apply at ``t`` (computed ``displacement``
bars earlier), never shifted back; there is no chikou span (the close shifted into the
past, a look-ahead when used as a feature).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any, ClassVar

import attrs
import numpy as np

from mlcore_indicators import _kernels as k
from mlcore_indicators._base import (
    FloatArray,
    StreamingNativeIndicator,
    bar_close,
    bar_high_low,
    bar_high_low_close,
    period_field,
)
from mlcore_indicators._streaming import (
    NAN,
    Exponential,
    Lag,
    RollingExtreme,
    RollingSum,
    RollingWeightedSum,
    ema_alpha,
    rate_of_change,
    true_range,
)

__all__ = [
    "ADX",
    "ADXR",
    "DEMA",
    "EMA",
    "KAMA",
    "MACD",
    "SMA",
    "TEMA",
    "TRIX",
    "WMA",
    "MassIndex",
    "Vortex",
    "Aroon",
    "Ichimoku",
    "ParabolicSAR",
]


@attrs.frozen
class _Trend(StreamingNativeIndicator):
    family: ClassVar[str] = "trend"


# ---------------------------------------------------------------------------
# Moving averages
# ---------------------------------------------------------------------------


@attrs.frozen
class _MovingAverage(_Trend):
    """An average of the last ``period`` closes."""

    default_parameters: ClassVar[tuple[Mapping[str, Any], ...]] = tuple(
        {"period": p} for p in (5, 10, 20, 50, 100, 200)
    )

    period: int = period_field(20)

    @property
    def warmup(self) -> int:
        return self.period - 1


@attrs.frozen
class SMA(_MovingAverage):
    """Simple moving average of the close (TA-Lib SMA)."""

    name: ClassVar[str] = "sma"

    def _compute(self, close: FloatArray) -> tuple[FloatArray, ...]:  # type: ignore[override]
        return (k.sma(close, self.period),)

    def _new_stream(self) -> RollingSum:
        return RollingSum(self.period)

    def update(self, bar: Mapping[str, float]) -> tuple[float]:
        """Add one bar; the average of the last ``period`` closes (NaN before that)."""
        close = bar_close(self, bar)
        return (self._stream.push(close) / self.period,)


@attrs.frozen
class EMA(_MovingAverage):
    """Exponential moving average of the close, seeded by the SMA of its first bars (TA-Lib EMA)."""

    name: ClassVar[str] = "ema"

    def _compute(self, close: FloatArray) -> tuple[FloatArray, ...]:  # type: ignore[override]
        return (k.ema(close, self.period),)

    def _new_stream(self) -> Exponential:
        return Exponential(ema_alpha(self.period), self.period)

    def update(self, bar: Mapping[str, float]) -> tuple[float]:
        """Add one bar; the average after it (NaN for the first ``period - 1`` bars)."""
        close = bar_close(self, bar)
        return (self._stream.push(close),)


@attrs.frozen
class WMA(_MovingAverage):
    """Linearly weighted moving average of the close, newest bar heaviest (TA-Lib WMA)."""

    name: ClassVar[str] = "wma"

    def _compute(self, close: FloatArray) -> tuple[FloatArray, ...]:  # type: ignore[override]
        return (k.wma(close, self.period),)

    def _new_stream(self) -> RollingWeightedSum:
        return RollingWeightedSum(self.period)

    def update(self, bar: Mapping[str, float]) -> tuple[float]:
        """Add one bar; the weighted average of the last ``period`` closes."""
        close = bar_close(self, bar)
        period = self.period
        return (self._stream.push(close) / (period * (period + 1) / 2.0),)


class _EMAChain:
    """``depth`` exponential averages, each of the one before (DEMA, TEMA, TRIX)."""

    __slots__ = ("averages", "last")

    def __init__(self, period: int, depth: int) -> None:
        self.averages = [Exponential(ema_alpha(period), period) for _ in range(depth)]
        self.last = NAN

    def push(self, x: float) -> list[float]:
        values = []
        for average in self.averages:
            x = average.push(x)
            values.append(x)
        return values


@attrs.frozen
class _ChainedEMA(_Trend):
    """A combination of ``depth`` chained EMAs of the close, each of the one before."""

    depth: ClassVar[int] = 2
    default_parameters: ClassVar[tuple[Mapping[str, Any], ...]] = (
        {"period": 10},
        {"period": 20},
        {"period": 50},
    )

    period: int = period_field(30)

    @property
    def warmup(self) -> int:
        return self.depth * (self.period - 1)

    def _compute(self, close: FloatArray) -> tuple[FloatArray, ...]:  # type: ignore[override]
        chain = [k.ema(close, self.period)]
        while len(chain) < self.depth:
            chain.append(k.ema(chain[-1], self.period))
        return (self._combine(chain),)

    def _combine(self, averages: Any) -> Any:
        """The indicator from the chained averages (arrays, or one bar's floats)."""
        raise NotImplementedError

    def _new_stream(self) -> _EMAChain:
        return _EMAChain(self.period, self.depth)

    def update(self, bar: Mapping[str, float]) -> tuple[float]:
        """Add one bar; the average after it."""
        value: float = self._combine(self._stream.push(bar_close(self, bar)))
        return (value,)


@attrs.frozen
class DEMA(_ChainedEMA):
    """Double exponential moving average of the close, 2 EMA - EMA(EMA) (TA-Lib DEMA)."""

    name: ClassVar[str] = "dema"
    depth: ClassVar[int] = 2

    def _combine(self, averages: Any) -> Any:
        return 2.0 * averages[0] - averages[1]


@attrs.frozen
class TEMA(_ChainedEMA):
    """Triple exponential moving average of the close, 3 EMA - 3 EMA2 + EMA3 (TA-Lib TEMA)."""

    name: ClassVar[str] = "tema"
    depth: ClassVar[int] = 3

    def _combine(self, averages: Any) -> Any:
        return 3.0 * averages[0] - 3.0 * averages[1] + averages[2]


# ---------------------------------------------------------------------------
# MACD
# ---------------------------------------------------------------------------


class _MACDStream:
    __slots__ = ("fast", "signal", "slow")

    def __init__(self, fast: int, slow: int, signal: int) -> None:
        self.slow = Exponential(ema_alpha(slow), slow)
        self.fast = Exponential(ema_alpha(fast), fast, seed_count=slow)
        self.signal = Exponential(ema_alpha(signal), signal)

    def push(self, x: float) -> tuple[float, float, float]:
        macd = self.fast.push(x) - self.slow.push(x)
        signal = self.signal.push(macd)
        return macd, signal, macd - signal


@attrs.frozen
class MACD(_Trend):
    """MACD line, signal line and histogram of the close (TA-Lib MACD, its seeding included).

    As in TA-Lib, the fast EMA is seeded where the slow one starts (by the SMA of the
    ``fast`` closes ending there), so both begin on the same bar; the line exists from bar
    ``slow - 1``, the signal (EMA of the line) and histogram from ``slow + signal - 2``.
    """

    name: ClassVar[str] = "macd"
    output_suffixes: ClassVar[tuple[str, ...]] = ("", "signal", "hist")
    default_parameters: ClassVar[tuple[Mapping[str, Any], ...]] = (
        {"fast": 12, "slow": 26, "signal": 9},
        {"fast": 5, "slow": 35, "signal": 5},
    )

    fast: int = period_field(12)
    slow: int = period_field(26, above="fast")
    signal: int = period_field(9, minimum=1)

    @property
    def warmup(self) -> int:
        return self.slow + self.signal - 2

    def _compute(self, close: FloatArray) -> tuple[FloatArray, ...]:  # type: ignore[override]
        slow = k.ema(close, self.slow)
        seed_at = k.first_valid(close) + self.slow - 1
        fast = k.exponential(close, ema_alpha(self.fast), self.fast, seed_at=seed_at)
        macd = fast - slow
        signal = k.ema(macd, self.signal)
        return macd, signal, macd - signal

    def _new_stream(self) -> _MACDStream:
        return _MACDStream(self.fast, self.slow, self.signal)

    def update(self, bar: Mapping[str, float]) -> tuple[float, float, float]:
        """Add one bar; (macd, signal, hist) after it."""
        close = bar_close(self, bar)
        values: tuple[float, float, float] = self._stream.push(close)
        return values


# ---------------------------------------------------------------------------
# Parabolic SAR
# ---------------------------------------------------------------------------


class _SARStream:
    """TA-Lib's SAR state machine, one bar at a time (see ``_sequential.parabolic_sar``)."""

    __slots__ = (
        "acceleration",
        "af",
        "count",
        "ep",
        "is_long",
        "maximum",
        "new_high",
        "new_low",
        "sar",
    )

    def __init__(self, acceleration: float, maximum: float) -> None:
        self.acceleration = min(acceleration, maximum)
        self.maximum = maximum
        self.count = 0
        self.af = self.acceleration
        self.is_long = True
        self.ep = self.sar = self.new_high = self.new_low = NAN

    def push(self, high: float, low: float) -> float:
        count = self.count
        self.count = count + 1
        if count == 0:
            self.new_high = high
            self.new_low = low
            return NAN
        if count == 1:
            first_high, first_low = self.new_high, self.new_low
            diff_minus = first_low - low
            diff_plus = high - first_high
            self.is_long = not (diff_minus > 0.0 and diff_plus < diff_minus)
            if self.is_long:
                self.ep, self.sar = high, first_low
            else:
                self.ep, self.sar = low, first_high
            self.new_high = high
            self.new_low = low
        prev_low = self.new_low
        prev_high = self.new_high
        self.new_low = low
        self.new_high = high
        sar = self.sar
        ep = self.ep
        if self.is_long:
            if low <= sar:
                self.is_long = False
                sar = ep
                if sar < prev_high:
                    sar = prev_high
                if sar < high:
                    sar = high
                out = sar
                self.af = af = self.acceleration
                self.ep = ep = low
                sar = sar + af * (ep - sar)
                if sar < prev_high:
                    sar = prev_high
                if sar < high:
                    sar = high
            else:
                out = sar
                af = self.af
                if high > ep:
                    self.ep = ep = high
                    af += self.acceleration
                    if af > self.maximum:
                        af = self.maximum
                    self.af = af
                sar = sar + af * (ep - sar)
                if sar > prev_low:
                    sar = prev_low
                if sar > low:
                    sar = low
        else:
            if high >= sar:
                self.is_long = True
                sar = ep
                if sar > prev_low:
                    sar = prev_low
                if sar > low:
                    sar = low
                out = sar
                self.af = af = self.acceleration
                self.ep = ep = high
                sar = sar + af * (ep - sar)
                if sar > prev_low:
                    sar = prev_low
                if sar > low:
                    sar = low
            else:
                out = sar
                af = self.af
                if low < ep:
                    self.ep = ep = low
                    af += self.acceleration
                    if af > self.maximum:
                        af = self.maximum
                    self.af = af
                sar = sar + af * (ep - sar)
                if sar < prev_high:
                    sar = prev_high
                if sar < high:
                    sar = high
        self.sar = sar
        return out


def _positive_float(instance: Any, attribute: Any, value: float) -> None:
    if not value > 0 or math.isinf(value):
        raise ValueError(f"{type(instance).__name__}.{attribute.name} must be > 0, got {value!r}")


@attrs.frozen
class ParabolicSAR(_Trend):
    """Wilder's Parabolic SAR from high and low (TA-Lib SAR, its first-bar direction rule included).

    The value at bar ``t`` is the stop for bar ``t``, computed from bars up to ``t - 1``
    and flipped on bar ``t`` when its range crosses it. The first bar's direction is
    short when bar 1 has a downward directional move (-DM > 0), long otherwise.
    ``psar_trend`` is the position after bar ``t``: +1 long, -1 short (the sign of
    TA-Lib's SAREXT).
    """

    name: ClassVar[str] = "psar"
    input_columns: ClassVar[tuple[str, ...]] = ("high", "low")
    output_suffixes: ClassVar[tuple[str, ...]] = ("", "trend")
    default_parameters: ClassVar[tuple[Mapping[str, Any], ...]] = (
        {"acceleration": 0.02, "maximum": 0.2},
        {"acceleration": 0.01, "maximum": 0.1},
    )

    acceleration: float = attrs.field(default=0.02, converter=float, validator=_positive_float)
    maximum: float = attrs.field(default=0.2, converter=float, validator=_positive_float)

    @property
    def warmup(self) -> int:
        return 1

    def _compute(self, high: FloatArray, low: FloatArray) -> tuple[FloatArray, ...]:  # type: ignore[override]
        from mlcore_indicators._sequential import parabolic_sar

        sar, trend = parabolic_sar(high, low, self.acceleration, self.maximum)
        return sar, trend

    def _new_stream(self) -> _SARStream:
        return _SARStream(self.acceleration, self.maximum)

    def update(self, bar: Mapping[str, float]) -> tuple[float, float]:
        """Add one bar; (SAR, position) for it (NaN on the first bar)."""
        high, low = bar_high_low(self, bar)
        stream = self._stream
        sar = stream.push(high, low)
        if sar != sar and stream.count < 2:
            return NAN, NAN
        return sar, 1.0 if stream.is_long else -1.0


# ---------------------------------------------------------------------------
# ADX
# ---------------------------------------------------------------------------


class _ADXStream:
    """TA-Lib's ADX recursion one bar at a time, in ``_kernels.directional_index``'s arithmetic."""

    __slots__ = (
        "adx",
        "count",
        "decay",
        "dx",
        "dx_sum",
        "minus",
        "period",
        "plus",
        "prev_close",
        "prev_high",
        "prev_low",
        "range",
    )

    def __init__(self, period: int) -> None:
        self.period = period
        self.decay = 1.0 - 1.0 / period
        self.count = 0
        self.plus = self.minus = self.range = self.dx_sum = self.dx = 0.0
        self.adx = NAN
        self.prev_high = self.prev_low = self.prev_close = NAN

    def push(self, high: float, low: float, close: float) -> tuple[float, float, float, float]:
        t = self.count
        self.count = t + 1
        up = high - self.prev_high
        down = self.prev_low - low
        previous = self.prev_close
        self.prev_high, self.prev_low, self.prev_close = high, low, close
        if t == 0:
            return NAN, NAN, NAN, NAN
        if up != up or down != down:
            plus_dm = minus_dm = NAN
        else:
            plus_dm = up if up > 0 and up > down else 0.0
            minus_dm = down if down > 0 and up < down else 0.0
        span = true_range(high, low, previous)
        period = self.period
        if t < period:  # the seed: plain sums over bars 1..period-1
            self.plus += plus_dm
            self.minus += minus_dm
            self.range += span
            return NAN, NAN, NAN, NAN
        decay = self.decay
        self.plus = plus = plus_dm + self.plus * decay
        self.minus = minus = minus_dm + self.minus * decay
        self.range = total = span + self.range * decay
        skip = True
        if total == 0.0:
            plus_di = minus_di = 0.0
        else:
            plus_di = 100.0 * (plus / total)
            minus_di = 100.0 * (minus / total)
            both = minus_di + plus_di
            if not -k.DI_ZERO < both < k.DI_ZERO:
                skip = False
                self.dx = 100.0 * (abs(minus_di - plus_di) / both)
        dx = self.dx
        if t < 2 * period - 1:
            if not skip:
                self.dx_sum += dx
            return NAN, plus_di, minus_di, dx
        if t == 2 * period - 1:
            if not skip:
                self.dx_sum += dx
            self.adx = self.dx_sum / period
        elif not skip:
            self.adx = (self.adx * (period - 1) + dx) / period
        return self.adx, plus_di, minus_di, dx


@attrs.frozen
class ADX(_Trend):
    """Average directional index with +DI, -DI and DX (TA-Lib ADX, PLUS_DI, MINUS_DI, DX).

    Wilder's smoothing of +DM, -DM and the true range starts from their plain sums over
    bars 1..period-1, as in TA-Lib; the DIs and DX exist from bar ``period``, the ADX
    (Wilder's average of DX seeded by the mean of the first ``period`` DX) from
    ``2 period - 1``. A bar whose DX is undefined (no directional movement at all) leaves
    the ADX as it was and repeats the last DX, as TA-Lib does; a zero true range gives DIs
    of 0 (TA-Lib tests ``|sum| < 1e-8`` in price units; this tests for exactly 0 so that
    tiny prices keep their values).
    """

    name: ClassVar[str] = "adx"
    input_columns: ClassVar[tuple[str, ...]] = ("high", "low", "close")
    output_suffixes: ClassVar[tuple[str, ...]] = ("", "plus_di", "minus_di", "dx")
    default_parameters: ClassVar[tuple[Mapping[str, Any], ...]] = (
        {"period": 7},
        {"period": 14},
        {"period": 28},
    )

    period: int = period_field(14)

    @property
    def warmup(self) -> int:
        return 2 * self.period - 1

    def _compute(  # type: ignore[override]
        self, high: FloatArray, low: FloatArray, close: FloatArray
    ) -> tuple[FloatArray, ...]:
        return k.directional_index(high, low, close, self.period)

    def _new_stream(self) -> _ADXStream:
        return _ADXStream(self.period)

    def update(self, bar: Mapping[str, float]) -> tuple[float, float, float, float]:
        """Add one bar; (ADX, +DI, -DI, DX) after it."""
        values: tuple[float, float, float, float] = self._stream.push(
            *bar_high_low_close(self, bar)
        )
        return values


class _ADXRStream:
    __slots__ = ("adx", "lag")

    def __init__(self, period: int) -> None:
        self.adx = _ADXStream(period)
        self.lag = Lag(period - 1)


@attrs.frozen
class ADXR(_Trend):
    """Directional movement rating: mean of the ADX now and period - 1 bars ago (TA-Lib ADXR)."""

    name: ClassVar[str] = "adxr"
    input_columns: ClassVar[tuple[str, ...]] = ("high", "low", "close")
    default_parameters: ClassVar[tuple[Mapping[str, Any], ...]] = ({"period": 14}, {"period": 28})

    period: int = period_field(14)

    @property
    def warmup(self) -> int:
        return 3 * self.period - 2

    def _compute(  # type: ignore[override]
        self, high: FloatArray, low: FloatArray, close: FloatArray
    ) -> tuple[FloatArray, ...]:
        adx = k.directional_index(high, low, close, self.period)[0]
        return ((adx + k.shift(adx, self.period - 1)) / 2.0,)

    def _new_stream(self) -> _ADXRStream:
        return _ADXRStream(self.period)

    def update(self, bar: Mapping[str, float]) -> tuple[float]:
        """Add one bar; the ADXR after it."""
        stream = self._stream
        adx = stream.adx.push(*bar_high_low_close(self, bar))[0]
        return ((adx + stream.lag.push(adx)) / 2.0,)


class _VortexStream:
    __slots__ = ("minus", "plus", "prev_close", "prev_high", "prev_low", "range")

    def __init__(self, period: int) -> None:
        self.plus = RollingSum(period)
        self.minus = RollingSum(period)
        self.range = RollingSum(period)
        self.prev_high = self.prev_low = self.prev_close = NAN


@attrs.frozen
class Vortex(_Trend):
    """Vortex indicator: VI+, VI- and their difference (Botes and Siepman).

    ``VI+ = sum |high - previous low| / sum true range`` and ``VI- = sum |low - previous
    high| / sum true range`` over the last ``period`` bars; 0 where the true range sums
    to 0.
    """

    name: ClassVar[str] = "vortex"
    input_columns: ClassVar[tuple[str, ...]] = ("high", "low", "close")
    output_suffixes: ClassVar[tuple[str, ...]] = ("plus", "minus", "diff")
    default_parameters: ClassVar[tuple[Mapping[str, Any], ...]] = ({"period": 14},)

    period: int = period_field(14)

    @property
    def warmup(self) -> int:
        return self.period

    def _compute(  # type: ignore[override]
        self, high: FloatArray, low: FloatArray, close: FloatArray
    ) -> tuple[FloatArray, ...]:
        period = self.period
        total = k.rolling_sum(k.true_range(high, low, close), period)
        plus_sum = k.rolling_sum(np.abs(high - k.shift(low)), period)
        minus_sum = k.rolling_sum(np.abs(low - k.shift(high)), period)
        with np.errstate(divide="ignore", invalid="ignore"):
            plus = np.where(total == 0.0, 0.0, plus_sum / total)
            minus = np.where(total == 0.0, 0.0, minus_sum / total)
        return plus, minus, plus - minus

    def _new_stream(self) -> _VortexStream:
        return _VortexStream(self.period)

    def update(self, bar: Mapping[str, float]) -> tuple[float, float, float]:
        """Add one bar; (VI+, VI-, VI+ - VI-) after it."""
        high, low, close = bar_high_low_close(self, bar)
        stream = self._stream
        previous = stream.prev_close
        total = stream.range.push(true_range(high, low, previous))
        plus_sum = stream.plus.push(abs(high - stream.prev_low))
        minus_sum = stream.minus.push(abs(low - stream.prev_high))
        stream.prev_high, stream.prev_low, stream.prev_close = high, low, close
        if total == 0.0:
            return 0.0, 0.0, 0.0
        plus = plus_sum / total
        minus = minus_sum / total
        return plus, minus, plus - minus


class _MassStream:
    __slots__ = ("inner", "outer", "total")

    def __init__(self, fast: int, slow: int) -> None:
        self.inner = Exponential(ema_alpha(fast), fast)
        self.outer = Exponential(ema_alpha(fast), fast)
        self.total = RollingSum(slow)


@attrs.frozen
class MassIndex(_Trend):
    """Dorsey's mass index: a rolling sum of EMA(high - low) / EMA(EMA(high - low)).

    The sum covers ``slow`` bars and the EMAs span ``fast`` bars, seeded by their SMA as
    TA-Lib's EMA is; a ratio of two zero averages (no range at all) counts as 1.
    """

    name: ClassVar[str] = "mass_index"
    input_columns: ClassVar[tuple[str, ...]] = ("high", "low")
    default_parameters: ClassVar[tuple[Mapping[str, Any], ...]] = ({"fast": 9, "slow": 25},)

    fast: int = period_field(9, minimum=1)
    slow: int = period_field(25, minimum=1)

    @property
    def warmup(self) -> int:
        return 2 * (self.fast - 1) + self.slow - 1

    def _compute(self, high: FloatArray, low: FloatArray) -> tuple[FloatArray, ...]:  # type: ignore[override]
        inner = k.ema(high - low, self.fast)
        outer = k.ema(inner, self.fast)
        with np.errstate(divide="ignore", invalid="ignore"):
            ratio = np.where(outer == 0.0, 1.0, inner / outer)
        ratio[np.isnan(outer)] = np.nan
        return (k.rolling_sum(ratio, self.slow),)

    def _new_stream(self) -> _MassStream:
        return _MassStream(self.fast, self.slow)

    def update(self, bar: Mapping[str, float]) -> tuple[float]:
        """Add one bar; the mass index after it."""
        high, low = bar_high_low(self, bar)
        span = high - low
        stream = self._stream
        inner = stream.inner.push(span)
        outer = stream.outer.push(inner)
        ratio = 1.0 if outer == 0.0 else inner / outer
        return (stream.total.push(ratio),)


# ---------------------------------------------------------------------------
# Ichimoku
# ---------------------------------------------------------------------------


class _IchimokuStream:
    __slots__ = (
        "base_high",
        "base_low",
        "conversion_high",
        "conversion_low",
        "lag_a",
        "lag_b",
        "span_high",
        "span_low",
    )

    def __init__(self, tenkan: int, kijun: int, senkou: int, displacement: int) -> None:
        self.conversion_high = RollingExtreme(tenkan, is_max=True)
        self.conversion_low = RollingExtreme(tenkan, is_max=False)
        self.base_high = RollingExtreme(kijun, is_max=True)
        self.base_low = RollingExtreme(kijun, is_max=False)
        self.span_high = RollingExtreme(senkou, is_max=True)
        self.span_low = RollingExtreme(senkou, is_max=False)
        self.lag_a = Lag(displacement)
        self.lag_b = Lag(displacement)

    def push(self, high: float, low: float) -> tuple[float, ...]:
        tenkan = 0.5 * (self.conversion_high.push(high) + self.conversion_low.push(low))
        kijun = 0.5 * (self.base_high.push(high) + self.base_low.push(low))
        span_a = 0.5 * (tenkan + kijun)
        span_b = 0.5 * (self.span_high.push(high) + self.span_low.push(low))
        return tenkan, kijun, span_a, span_b, self.lag_a.push(span_a), self.lag_b.push(span_b)


@attrs.frozen
class Ichimoku(_Trend):
    """Ichimoku tenkan, kijun and the senkou spans as known at each bar (no chikou span).

    ``tenkan`` and ``kijun`` are the midpoints of the high-low range over ``tenkan`` and
    ``kijun`` bars; ``senkou_a`` (their mean) and ``senkou_b`` (the midpoint over
    ``senkou`` bars) are the spans computed at bar ``t``, which a chart draws
    ``displacement`` bars ahead; ``cloud_a`` and ``cloud_b`` are the spans drawn at bar
    ``t``, i.e. computed at ``t - displacement``. All use bars up to ``t`` only. The
    chikou span (the close drawn ``displacement`` bars back) is not offered: as a feature
    at ``t`` it would be the close of ``t + displacement``.
    """

    name: ClassVar[str] = "ichimoku"
    input_columns: ClassVar[tuple[str, ...]] = ("high", "low")
    output_suffixes: ClassVar[tuple[str, ...]] = (
        "tenkan",
        "kijun",
        "senkou_a",
        "senkou_b",
        "cloud_a",
        "cloud_b",
    )
    default_parameters: ClassVar[tuple[Mapping[str, Any], ...]] = (
        {"tenkan": 9, "kijun": 26, "senkou": 52, "displacement": 26},
    )

    tenkan: int = period_field(9, minimum=1)
    kijun: int = period_field(26, minimum=1)
    senkou: int = period_field(52, minimum=1)
    displacement: int = period_field(26, minimum=1)

    @property
    def warmup(self) -> int:
        longest_span = max(self.tenkan, self.kijun, self.senkou)
        return longest_span - 1 + self.displacement

    def _compute(self, high: FloatArray, low: FloatArray) -> tuple[FloatArray, ...]:  # type: ignore[override]
        tenkan = 0.5 * (k.rolling_max(high, self.tenkan) + k.rolling_min(low, self.tenkan))
        kijun = 0.5 * (k.rolling_max(high, self.kijun) + k.rolling_min(low, self.kijun))
        span_a = 0.5 * (tenkan + kijun)
        span_b = 0.5 * (k.rolling_max(high, self.senkou) + k.rolling_min(low, self.senkou))
        shift = self.displacement
        return tenkan, kijun, span_a, span_b, k.shift(span_a, shift), k.shift(span_b, shift)

    def _new_stream(self) -> _IchimokuStream:
        return _IchimokuStream(self.tenkan, self.kijun, self.senkou, self.displacement)

    def update(self, bar: Mapping[str, float]) -> tuple[float, ...]:
        """Add one bar; (tenkan, kijun, senkou_a, senkou_b, cloud_a, cloud_b) after it."""
        high, low = bar_high_low(self, bar)
        values: tuple[float, ...] = self._stream.push(high, low)
        return values


# ---------------------------------------------------------------------------
# KAMA, TRIX, Aroon
# ---------------------------------------------------------------------------

_KAMA_SLOWEST = 2.0 / (30.0 + 1.0)
_KAMA_SPREAD = 2.0 / (2.0 + 1.0) - _KAMA_SLOWEST


def _kama_smoothing(change: FloatArray, volatility: FloatArray) -> FloatArray:
    """TA-Lib's KAMA constant from the efficiency ratio ``|change| / volatility``."""
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.abs(change / volatility)
    ratio = np.where((volatility <= change) | (volatility == 0.0), 1.0, ratio)
    ratio[np.isnan(change) | np.isnan(volatility)] = np.nan
    smoothing = ratio * _KAMA_SPREAD + _KAMA_SLOWEST
    return smoothing * smoothing


class _KAMAStream:
    __slots__ = ("count", "lag", "period", "previous", "value", "volatility")

    def __init__(self, period: int) -> None:
        self.period = period
        self.volatility = RollingSum(period)
        self.lag = Lag(period)
        self.count = 0
        self.previous = NAN
        self.value = NAN

    def push(self, x: float) -> float:
        t = self.count
        self.count = t + 1
        previous = self.previous
        self.previous = x
        volatility = self.volatility.push(abs(x - previous))
        change = x - self.lag.push(x)
        if t < self.period:
            return NAN
        # abs(change / volatility) is NaN when either is NaN, as in compute
        ratio = 1.0 if volatility <= change or volatility == 0.0 else abs(change / volatility)
        smoothing = ratio * _KAMA_SPREAD + _KAMA_SLOWEST
        smoothing = smoothing * smoothing
        value = previous if t == self.period else self.value
        value = ((x - value) * smoothing) + value
        self.value = value
        return value


@attrs.frozen
class KAMA(_Trend):
    """Kaufman's adaptive moving average of the close, fast 2 / slow 30 (TA-Lib KAMA)."""

    name: ClassVar[str] = "kama"
    default_parameters: ClassVar[tuple[Mapping[str, Any], ...]] = (
        {"period": 10},
        {"period": 30},
    )

    period: int = period_field(30)

    @property
    def warmup(self) -> int:
        return self.period

    def _compute(self, close: FloatArray) -> tuple[FloatArray, ...]:  # type: ignore[override]
        from mlcore_indicators._sequential import adaptive_average

        period = self.period
        volatility = k.rolling_sum(np.abs(k.diff(close)), period)
        smoothing = _kama_smoothing(k.diff(close, period), volatility)
        return (adaptive_average(close, smoothing, period),)

    def _new_stream(self) -> _KAMAStream:
        return _KAMAStream(self.period)

    def update(self, bar: Mapping[str, float]) -> tuple[float]:
        """Add one bar; the KAMA after it (NaN for the first ``period`` bars)."""
        close = bar_close(self, bar)
        return (self._stream.push(close),)


@attrs.frozen
class TRIX(_Trend):
    """One-bar rate of change (percent) of the triple EMA of the close (TA-Lib TRIX)."""

    name: ClassVar[str] = "trix"
    default_parameters: ClassVar[tuple[Mapping[str, Any], ...]] = (
        {"period": 15},
        {"period": 30},
    )

    period: int = period_field(30, minimum=1)

    @property
    def warmup(self) -> int:
        return 3 * (self.period - 1) + 1

    def _compute(self, close: FloatArray) -> tuple[FloatArray, ...]:  # type: ignore[override]
        triple = k.ema(k.ema(k.ema(close, self.period), self.period), self.period)
        return (k.rate_of_change(triple, k.shift(triple)),)

    def _new_stream(self) -> _EMAChain:
        return _EMAChain(self.period, 3)

    def update(self, bar: Mapping[str, float]) -> tuple[float]:
        """Add one bar; the TRIX after it."""
        close = bar_close(self, bar)
        stream = self._stream
        triple = stream.push(close)[2]
        previous = stream.last
        stream.last = triple
        return (rate_of_change(triple, previous),)


class _AroonStream:
    __slots__ = ("factor", "highest", "lowest")

    def __init__(self, period: int) -> None:
        self.highest = RollingExtreme(period + 1, is_max=True)
        self.lowest = RollingExtreme(period + 1, is_max=False)
        self.factor = 100.0 / period


@attrs.frozen
class Aroon(_Trend):
    """Aroon down, up and oscillator (TA-Lib AROON and AROONOSC).

    Bars since the lowest low / highest high of the last ``period + 1`` bars, the most
    recent one winning ties, as ``100 * (period - age) / period``; the oscillator is
    up minus down.
    """

    name: ClassVar[str] = "aroon"
    input_columns: ClassVar[tuple[str, ...]] = ("high", "low")
    output_suffixes: ClassVar[tuple[str, ...]] = ("down", "up", "osc")
    default_parameters: ClassVar[tuple[Mapping[str, Any], ...]] = (
        {"period": 14},
        {"period": 25},
        {"period": 50},
    )

    period: int = period_field(14)

    @property
    def warmup(self) -> int:
        return self.period

    def _compute(self, high: FloatArray, low: FloatArray) -> tuple[FloatArray, ...]:  # type: ignore[override]
        from mlcore_indicators._sequential import extreme_ages

        period = self.period
        high_age, low_age = extreme_ages(high, low, period + 1)
        factor = 100.0 / period
        down = factor * (period - low_age)
        up = factor * (period - high_age)
        return down, up, factor * (low_age - high_age)

    def _new_stream(self) -> _AroonStream:
        return _AroonStream(self.period)

    def update(self, bar: Mapping[str, float]) -> tuple[float, float, float]:
        """Add one bar; (down, up, oscillator) after it."""
        high, low = bar_high_low(self, bar)
        stream = self._stream
        highest, lowest = stream.highest, stream.lowest
        highest.push(high)
        lowest.push(low)
        high_age, low_age = highest.age(), lowest.age()
        if high_age < 0 or low_age < 0:
            return NAN, NAN, NAN
        factor = stream.factor
        period = self.period
        return (
            factor * (period - low_age),
            factor * (period - high_age),
            factor * (low_age - high_age),
        )
