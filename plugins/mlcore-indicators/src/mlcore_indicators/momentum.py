"""Momentum oscillators: RSI, stochastics, Williams %R, CCI, ROC, MOM, CMO, Ultimate
Oscillator, StochRSI, PPO, balance of power, TSI and the awesome oscillator.

Each matches TA-Lib (seeding included) where TA-Lib has it, and streams bar by bar with
``reset()`` / ``update(bar)`` agreeing with ``compute``. Row ``t`` uses bars ``<= t`` only.
Where TA-Lib tests a denominator with ``|x| < 1e-8`` in price units, these test for
exactly 0, so assets with tiny prices keep their values (otherwise they are identical).
"""

from __future__ import annotations

from collections import deque
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
    missing_input,
    period_field,
)
from mlcore_indicators._streaming import (
    NAN,
    Exponential,
    Lag,
    RollingExtreme,
    RollingSum,
    ema_alpha,
    rate_of_change,
)

__all__ = [
    "CCI",
    "CMO",
    "PPO",
    "ROC",
    "RSI",
    "TSI",
    "AwesomeOscillator",
    "BalanceOfPower",
    "Momentum",
    "StochRSI",
    "Stochastic",
    "StochasticFast",
    "UltimateOscillator",
    "WilliamsR",
]


@attrs.frozen
class _Momentum(StreamingNativeIndicator):
    family: ClassVar[str] = "momentum"


# ---------------------------------------------------------------------------
# RSI and CMO: Wilder-smoothed gains and losses
# ---------------------------------------------------------------------------


def _wilder_gains(close: FloatArray, period: int) -> tuple[FloatArray, FloatArray]:
    """Wilder averages of gains and losses, seeded by their mean over bars 1..period."""
    change = k.diff(close)
    gains, losses = np.maximum(change, 0.0), np.maximum(-change, 0.0)
    return k.exponential_pair(gains, losses, 1.0 / period, period)


class _GainLossStream:
    __slots__ = ("gain", "loss", "previous")

    def __init__(self, period: int) -> None:
        self.gain = Exponential(1.0 / period, period)
        self.loss = Exponential(1.0 / period, period)
        self.previous = NAN

    def push(self, x: float) -> tuple[float, float]:
        change = x - self.previous
        self.previous = x
        if change > 0.0:
            return self.gain.push(change), self.loss.push(0.0)
        if change == change:
            return self.gain.push(0.0), self.loss.push(-change)
        return self.gain.push(NAN), self.loss.push(NAN)


def _rsi(gain: FloatArray, loss: FloatArray) -> FloatArray:
    total = gain + loss
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(total == 0.0, 0.0, 100.0 * (gain / total))


def _rsi_value(gain: float, loss: float) -> float:
    total = gain + loss
    return 0.0 if total == 0.0 else 100.0 * (gain / total)


@attrs.frozen
class RSI(_Momentum):
    """Wilder's relative strength index of the close, 0..100 (TA-Lib RSI, its seeding included).

    Average gain and loss are Wilder averages seeded by their plain mean over the first
    ``period`` changes; the value is 0 where both are 0 (a flat market), as in TA-Lib.
    """

    name: ClassVar[str] = "rsi"
    default_parameters: ClassVar[tuple[Mapping[str, Any], ...]] = (
        {"period": 7},
        {"period": 14},
        {"period": 21},
    )

    period: int = period_field(14)

    @property
    def warmup(self) -> int:
        return self.period

    def _compute(self, close: FloatArray) -> tuple[FloatArray, ...]:  # type: ignore[override]
        return (_rsi(*_wilder_gains(close, self.period)),)

    def _new_stream(self) -> _GainLossStream:
        return _GainLossStream(self.period)

    def update(self, bar: Mapping[str, float]) -> tuple[float]:
        """Add one bar; the RSI after it (NaN for the first ``period`` bars)."""
        gain, loss = self._stream.push(bar_close(self, bar))
        return (_rsi_value(gain, loss),)


@attrs.frozen
class CMO(_Momentum):
    """Chande momentum oscillator of the close, -100..100 (TA-Lib CMO: Wilder-smoothed, as its RSI).

    TA-Lib's CMO smooths gains and losses like its RSI (not Chande's plain sums), so it
    equals ``2 RSI - 100``; this follows TA-Lib.
    """

    name: ClassVar[str] = "cmo"
    default_parameters: ClassVar[tuple[Mapping[str, Any], ...]] = ({"period": 14}, {"period": 28})

    period: int = period_field(14)

    @property
    def warmup(self) -> int:
        return self.period

    def _compute(self, close: FloatArray) -> tuple[FloatArray, ...]:  # type: ignore[override]
        gain, loss = _wilder_gains(close, self.period)
        total = gain + loss
        with np.errstate(divide="ignore", invalid="ignore"):
            return (np.where(total == 0.0, 0.0, 100.0 * ((gain - loss) / total)),)

    def _new_stream(self) -> _GainLossStream:
        return _GainLossStream(self.period)

    def update(self, bar: Mapping[str, float]) -> tuple[float]:
        """Add one bar; the CMO after it."""
        gain, loss = self._stream.push(bar_close(self, bar))
        total = gain + loss
        return (0.0 if total == 0.0 else 100.0 * ((gain - loss) / total),)


# ---------------------------------------------------------------------------
# Stochastics and Williams %R
# ---------------------------------------------------------------------------


def _fast_k(close: FloatArray, highest: FloatArray, lowest: FloatArray) -> FloatArray:
    """TA-Lib's fast %K: ``(close - lowest) / ((highest - lowest) / 100)``, 0 on a flat range."""
    spread = (highest - lowest) / 100.0
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(spread == 0.0, 0.0, (close - lowest) / spread)


def _fast_k_value(close: float, highest: float, lowest: float) -> float:
    spread = (highest - lowest) / 100.0
    return 0.0 if spread == 0.0 else (close - lowest) / spread


class _RangeStream:
    """Highest high and lowest low of the last ``n`` bars, then SMAs chained on a value."""

    __slots__ = ("averages", "highest", "lowest")

    def __init__(self, n: int, *averages: int) -> None:
        self.highest = RollingExtreme(n, is_max=True)
        self.lowest = RollingExtreme(n, is_max=False)
        self.averages = [RollingSum(p) for p in averages]

    def push(self, high: float, low: float) -> tuple[float, float]:
        return self.highest.push(high), self.lowest.push(low)


@attrs.frozen
class Stochastic(_Momentum):
    """Slow stochastic %K and %D, SMA-smoothed (TA-Lib STOCH with its defaults 5/3/3)."""

    name: ClassVar[str] = "stoch"
    input_columns: ClassVar[tuple[str, ...]] = ("high", "low", "close")
    output_suffixes: ClassVar[tuple[str, ...]] = ("k", "d")
    default_parameters: ClassVar[tuple[Mapping[str, Any], ...]] = (
        {"fastk": 5, "slowk": 3, "slowd": 3},
        {"fastk": 14, "slowk": 3, "slowd": 3},
    )

    fastk: int = period_field(5, minimum=1)
    slowk: int = period_field(3, minimum=1)
    slowd: int = period_field(3, minimum=1)

    @property
    def warmup(self) -> int:
        return self.fastk + self.slowk + self.slowd - 3

    def _compute(  # type: ignore[override]
        self, high: FloatArray, low: FloatArray, close: FloatArray
    ) -> tuple[FloatArray, ...]:
        fast = _fast_k(close, k.rolling_max(high, self.fastk), k.rolling_min(low, self.fastk))
        slow_k = k.sma(fast, self.slowk)
        return slow_k, k.sma(slow_k, self.slowd)

    def _new_stream(self) -> _RangeStream:
        return _RangeStream(self.fastk, self.slowk, self.slowd)

    def update(self, bar: Mapping[str, float]) -> tuple[float, float]:
        """Add one bar; (%K, %D) after it."""
        high, low, close = bar_high_low_close(self, bar)
        stream = self._stream
        highest, lowest = stream.push(high, low)
        slow_k = stream.averages[0].push(_fast_k_value(close, highest, lowest)) / self.slowk
        return slow_k, stream.averages[1].push(slow_k) / self.slowd


@attrs.frozen
class StochasticFast(_Momentum):
    """Fast stochastic %K and its SMA %D (TA-Lib STOCHF, defaults 5/3)."""

    name: ClassVar[str] = "stochf"
    input_columns: ClassVar[tuple[str, ...]] = ("high", "low", "close")
    output_suffixes: ClassVar[tuple[str, ...]] = ("k", "d")
    default_parameters: ClassVar[tuple[Mapping[str, Any], ...]] = (
        {"fastk": 5, "fastd": 3},
        {"fastk": 14, "fastd": 3},
    )

    fastk: int = period_field(5, minimum=1)
    fastd: int = period_field(3, minimum=1)

    @property
    def warmup(self) -> int:
        return self.fastk + self.fastd - 2

    def _compute(  # type: ignore[override]
        self, high: FloatArray, low: FloatArray, close: FloatArray
    ) -> tuple[FloatArray, ...]:
        fast = _fast_k(close, k.rolling_max(high, self.fastk), k.rolling_min(low, self.fastk))
        return fast, k.sma(fast, self.fastd)

    def _new_stream(self) -> _RangeStream:
        return _RangeStream(self.fastk, self.fastd)

    def update(self, bar: Mapping[str, float]) -> tuple[float, float]:
        """Add one bar; (%K, %D) after it."""
        high, low, close = bar_high_low_close(self, bar)
        stream = self._stream
        highest, lowest = stream.push(high, low)
        fast = _fast_k_value(close, highest, lowest)
        return fast, stream.averages[0].push(fast) / self.fastd


@attrs.frozen
class WilliamsR(_Momentum):
    """Williams %R: the close within the high-low range of the last bars, -100..0 (TA-Lib WILLR)."""

    name: ClassVar[str] = "williams_r"
    input_columns: ClassVar[tuple[str, ...]] = ("high", "low", "close")
    default_parameters: ClassVar[tuple[Mapping[str, Any], ...]] = (
        {"period": 7},
        {"period": 14},
        {"period": 28},
    )

    period: int = period_field(14)

    @property
    def warmup(self) -> int:
        return self.period - 1

    def _compute(  # type: ignore[override]
        self, high: FloatArray, low: FloatArray, close: FloatArray
    ) -> tuple[FloatArray, ...]:
        highest = k.rolling_max(high, self.period)
        spread = (highest - k.rolling_min(low, self.period)) / -100.0
        with np.errstate(divide="ignore", invalid="ignore"):
            return (np.where(spread == 0.0, 0.0, (highest - close) / spread),)

    def _new_stream(self) -> _RangeStream:
        return _RangeStream(self.period)

    def update(self, bar: Mapping[str, float]) -> tuple[float]:
        """Add one bar; %R after it."""
        high, low, close = bar_high_low_close(self, bar)
        highest, lowest = self._stream.push(high, low)
        spread = (highest - lowest) / -100.0
        return (0.0 if spread == 0.0 else (highest - close) / spread,)


# ---------------------------------------------------------------------------
# CCI
# ---------------------------------------------------------------------------


class _CCIStream:
    __slots__ = ("mean", "window")

    def __init__(self, period: int) -> None:
        self.mean = RollingSum(period)
        self.window: deque[float] = deque(maxlen=period)


@attrs.frozen
class CCI(_Momentum):
    """Commodity channel index of the typical price (TA-Lib CCI).

    ``(tp - mean) / (0.015 * mean absolute deviation)`` with ``tp = (high + low + close) / 3``
    and the deviation taken from the window's mean; 0 where either part is 0, as in TA-Lib.
    """

    name: ClassVar[str] = "cci"
    input_columns: ClassVar[tuple[str, ...]] = ("high", "low", "close")
    default_parameters: ClassVar[tuple[Mapping[str, Any], ...]] = (
        {"period": 14},
        {"period": 20},
        {"period": 40},
    )

    period: int = period_field(14)

    @property
    def warmup(self) -> int:
        return self.period - 1

    def _compute(  # type: ignore[override]
        self, high: FloatArray, low: FloatArray, close: FloatArray
    ) -> tuple[FloatArray, ...]:
        typical = (high + low + close) / 3.0
        mean, deviation = k.rolling_mean_deviation(typical, self.period)
        distance = typical - mean
        with np.errstate(divide="ignore", invalid="ignore"):
            cci = distance / (0.015 * deviation)
        return (np.where((distance == 0.0) | (deviation == 0.0), 0.0, cci),)

    def _new_stream(self) -> _CCIStream:
        return _CCIStream(self.period)

    def update(self, bar: Mapping[str, float]) -> tuple[float]:
        """Add one bar; the CCI after it (O(period): the deviation needs the whole window)."""
        high, low, close = bar_high_low_close(self, bar)
        typical = (high + low + close) / 3.0
        stream = self._stream
        period = self.period
        mean = stream.mean.push(typical) / period
        window = stream.window
        window.append(typical)
        if mean != mean:
            return (NAN,)
        total = 0.0
        for value in window:
            total += abs(value - mean)
        deviation = total / period
        distance = typical - mean
        if distance == 0.0 or deviation == 0.0:
            return (0.0,)
        return (distance / (0.015 * deviation),)


# ---------------------------------------------------------------------------
# ROC and MOM
# ---------------------------------------------------------------------------


@attrs.frozen
class _Change(_Momentum):
    """The close against the close ``period`` bars ago."""

    default_parameters: ClassVar[tuple[Mapping[str, Any], ...]] = tuple(
        {"period": p} for p in (1, 5, 10, 20, 60)
    )

    period: int = period_field(10, minimum=1)

    @property
    def warmup(self) -> int:
        return self.period

    def _new_stream(self) -> Lag:
        return Lag(self.period)


@attrs.frozen
class ROC(_Change):
    """Rate of change of the close, in percent (TA-Lib ROC)."""

    name: ClassVar[str] = "roc"

    def _compute(self, close: FloatArray) -> tuple[FloatArray, ...]:  # type: ignore[override]
        return (k.rate_of_change(close, k.shift(close, self.period)),)

    def update(self, bar: Mapping[str, float]) -> tuple[float]:
        """Add one bar; the percent change from ``period`` bars ago."""
        close = bar_close(self, bar)
        return (rate_of_change(close, self._stream.push(close)),)


@attrs.frozen
class Momentum(_Change):
    """Momentum: the change of the close over a number of bars (TA-Lib MOM)."""

    name: ClassVar[str] = "mom"

    def _compute(self, close: FloatArray) -> tuple[FloatArray, ...]:  # type: ignore[override]
        return (k.diff(close, self.period),)

    def update(self, bar: Mapping[str, float]) -> tuple[float]:
        """Add one bar; the change from ``period`` bars ago."""
        close = bar_close(self, bar)
        return (close - self._stream.push(close),)


# ---------------------------------------------------------------------------
# Ultimate oscillator
# ---------------------------------------------------------------------------


class _UltimateStream:
    __slots__ = ("pressure", "previous", "ranges")

    def __init__(self, periods: tuple[int, int, int]) -> None:
        self.pressure = [RollingSum(p) for p in periods]
        self.ranges = [RollingSum(p) for p in periods]
        self.previous = NAN


@attrs.frozen
class UltimateOscillator(_Momentum):
    """Williams' ultimate oscillator: buying pressure over three horizons (TA-Lib ULTOSC).

    As TA-Lib does, the three periods are sorted, the shortest weighted 4 and the
    longest 1; a horizon whose true-range sum is 0 contributes nothing.
    """

    name: ClassVar[str] = "ultosc"
    input_columns: ClassVar[tuple[str, ...]] = ("high", "low", "close")
    default_parameters: ClassVar[tuple[Mapping[str, Any], ...]] = (
        {"short": 7, "medium": 14, "long": 28},
    )

    short: int = period_field(7, minimum=1)
    medium: int = period_field(14, minimum=1)
    long: int = period_field(28, minimum=1)

    @property
    def periods(self) -> tuple[int, int, int]:
        first, second, third = sorted((self.short, self.medium, self.long))
        return first, second, third

    @property
    def warmup(self) -> int:
        return max(self.periods)

    def _compute(  # type: ignore[override]
        self, high: FloatArray, low: FloatArray, close: FloatArray
    ) -> tuple[FloatArray, ...]:
        previous = k.shift(close)
        true_low = np.minimum(low, previous)
        pressure = close - true_low
        span = np.maximum(high, previous) - true_low
        output = np.zeros(len(close))
        with np.errstate(divide="ignore", invalid="ignore"):
            for weight, period in zip((4.0, 2.0, 1.0), self.periods, strict=True):
                pressure_sum = k.rolling_sum(pressure, period)
                span_sum = k.rolling_sum(span, period)
                output += np.where(span_sum == 0.0, 0.0, weight * (pressure_sum / span_sum))
        output = 100.0 * (output / 7.0)
        output[: min(self.warmup, len(close))] = np.nan
        return (output,)

    def _new_stream(self) -> _UltimateStream:
        return _UltimateStream(self.periods)

    def update(self, bar: Mapping[str, float]) -> tuple[float]:
        """Add one bar; the oscillator after it (NaN for the first ``max(periods)`` bars)."""
        high, low, close = bar_high_low_close(self, bar)
        stream = self._stream
        previous = stream.previous
        stream.previous = close
        if high != high or low != low or previous != previous:
            true_low = span = NAN
        else:
            true_low = low if low <= previous else previous
            span = (high if high >= previous else previous) - true_low
        pressure = close - true_low
        short_pressure, medium_pressure, long_pressure = stream.pressure
        short_range, medium_range, long_range = stream.ranges
        pressure_sum = short_pressure.push(pressure)
        span_sum = short_range.push(span)
        output = 0.0
        if span_sum != 0.0:
            output += 4.0 * (pressure_sum / span_sum)
        pressure_sum = medium_pressure.push(pressure)
        span_sum = medium_range.push(span)
        if span_sum != 0.0:
            output += 2.0 * (pressure_sum / span_sum)
        pressure_sum = long_pressure.push(pressure)
        span_sum = long_range.push(span)
        if span_sum != 0.0:
            output += 1.0 * (pressure_sum / span_sum)
        return (100.0 * (output / 7.0),)


# ---------------------------------------------------------------------------
# StochRSI
# ---------------------------------------------------------------------------


class _StochRSIStream:
    __slots__ = ("average", "gains", "highest", "lowest")

    def __init__(self, period: int, fastk: int, fastd: int) -> None:
        self.gains = _GainLossStream(period)
        self.highest = RollingExtreme(fastk, is_max=True)
        self.lowest = RollingExtreme(fastk, is_max=False)
        self.average = RollingSum(fastd)


@attrs.frozen
class StochRSI(_Momentum):
    """Stochastic RSI: fast %K and %D of the RSI (TA-Lib STOCHRSI, defaults 14/5/3)."""

    name: ClassVar[str] = "stochrsi"
    output_suffixes: ClassVar[tuple[str, ...]] = ("k", "d")
    default_parameters: ClassVar[tuple[Mapping[str, Any], ...]] = (
        {"period": 14, "fastk": 5, "fastd": 3},
        {"period": 14, "fastk": 14, "fastd": 3},
    )

    period: int = period_field(14)
    fastk: int = period_field(5, minimum=1)
    fastd: int = period_field(3, minimum=1)

    @property
    def warmup(self) -> int:
        return self.period + self.fastk + self.fastd - 2

    def _compute(self, close: FloatArray) -> tuple[FloatArray, ...]:  # type: ignore[override]
        rsi = _rsi(*_wilder_gains(close, self.period))
        fast = _fast_k(rsi, k.rolling_max(rsi, self.fastk), k.rolling_min(rsi, self.fastk))
        return fast, k.sma(fast, self.fastd)

    def _new_stream(self) -> _StochRSIStream:
        return _StochRSIStream(self.period, self.fastk, self.fastd)

    def update(self, bar: Mapping[str, float]) -> tuple[float, float]:
        """Add one bar; (%K, %D) after it."""
        stream = self._stream
        rsi = _rsi_value(*stream.gains.push(bar_close(self, bar)))
        fast = _fast_k_value(rsi, stream.highest.push(rsi), stream.lowest.push(rsi))
        return fast, stream.average.push(fast) / self.fastd


# ---------------------------------------------------------------------------
# PPO, balance of power, TSI, awesome oscillator
# ---------------------------------------------------------------------------


class _PPOStream:
    __slots__ = ("fast", "signal", "slow")

    def __init__(self, fast: int, slow: int, signal: int) -> None:
        self.slow = Exponential(ema_alpha(slow), slow)
        self.fast = Exponential(ema_alpha(fast), fast)
        self.signal = Exponential(ema_alpha(signal), signal)


@attrs.frozen
class PPO(_Momentum):
    """Percentage price oscillator (EMA-based, as TA-Lib PPO with matype=EMA), signal and histogram.

    ``100 * (fast EMA - slow EMA) / slow EMA``, 0 where the slow EMA is 0. Each EMA is
    seeded at its own start, as TA-Lib's PPO does (unlike its MACD, which seeds the fast
    one where the slow one starts); the signal line is the EMA of the PPO and the
    histogram the PPO minus the signal. TA-Lib's PPO defaults to simple averages; this
    uses exponential ones, the usual definition.
    """

    name: ClassVar[str] = "ppo"
    output_suffixes: ClassVar[tuple[str, ...]] = ("", "signal", "hist")
    default_parameters: ClassVar[tuple[Mapping[str, Any], ...]] = (
        {"fast": 12, "slow": 26, "signal": 9},
    )

    fast: int = period_field(12)
    slow: int = period_field(26, above="fast")
    signal: int = period_field(9, minimum=1)

    @property
    def warmup(self) -> int:
        return self.slow + self.signal - 2

    def _compute(self, close: FloatArray) -> tuple[FloatArray, ...]:  # type: ignore[override]
        slow = k.ema(close, self.slow)
        fast = k.ema(close, self.fast)
        with np.errstate(divide="ignore", invalid="ignore"):
            ppo = np.where(slow == 0.0, 0.0, ((fast - slow) / slow) * 100.0)
        signal = k.ema(ppo, self.signal)
        return ppo, signal, ppo - signal

    def _new_stream(self) -> _PPOStream:
        return _PPOStream(self.fast, self.slow, self.signal)

    def update(self, bar: Mapping[str, float]) -> tuple[float, float, float]:
        """Add one bar; (ppo, signal, hist) after it."""
        close = bar_close(self, bar)
        stream = self._stream
        fast = stream.fast.push(close)
        slow = stream.slow.push(close)
        ppo = 0.0 if slow == 0.0 else ((fast - slow) / slow) * 100.0
        signal = stream.signal.push(ppo)
        return ppo, signal, ppo - signal


@attrs.frozen
class BalanceOfPower(_Momentum):
    """Balance of power: (close - open) / (high - low), 0 on a zero range (TA-Lib BOP)."""

    name: ClassVar[str] = "bop"
    input_columns: ClassVar[tuple[str, ...]] = ("open", "high", "low", "close")

    @property
    def warmup(self) -> int:
        return 0

    def _compute(  # type: ignore[override]
        self, open: FloatArray, high: FloatArray, low: FloatArray, close: FloatArray
    ) -> tuple[FloatArray, ...]:
        span = high - low
        with np.errstate(divide="ignore", invalid="ignore"):
            return (np.where(span <= 0.0, 0.0, (close - open) / span),)

    def _new_stream(self) -> None:
        return None

    def update(self, bar: Mapping[str, float]) -> tuple[float]:
        """The balance of power of this bar."""
        try:
            open_, high, low, close = (
                float(bar["open"]),
                float(bar["high"]),
                float(bar["low"]),
                float(bar["close"]),
            )
        except KeyError:
            raise missing_input(self, bar) from None
        span = high - low
        return (0.0 if span <= 0.0 else (close - open_) / span,)


class _TSIStream:
    __slots__ = ("absolute", "previous", "signed")

    def __init__(self, slow: int, fast: int) -> None:
        self.signed = [Exponential(ema_alpha(slow), slow), Exponential(ema_alpha(fast), fast)]
        self.absolute = [Exponential(ema_alpha(slow), slow), Exponential(ema_alpha(fast), fast)]
        self.previous = NAN


@attrs.frozen
class TSI(_Momentum):
    """True strength index: double-smoothed momentum over double-smoothed absolute momentum, x100.

    ``100 * EMA_fast(EMA_slow(d)) / EMA_fast(EMA_slow(|d|))`` with ``d`` the one-bar change
    of the close; each EMA is seeded by the SMA of its first values (TA-Lib's convention;
    the ``ta`` library seeds with the first value, which agrees after the warm-up fades).
    """

    name: ClassVar[str] = "tsi"
    default_parameters: ClassVar[tuple[Mapping[str, Any], ...]] = ({"slow": 25, "fast": 13},)

    slow: int = period_field(25, minimum=1)
    fast: int = period_field(13, minimum=1)

    @property
    def warmup(self) -> int:
        return self.slow + self.fast - 1

    def _compute(self, close: FloatArray) -> tuple[FloatArray, ...]:  # type: ignore[override]
        change = k.diff(close)
        slow = 2.0 / (self.slow + 1.0)
        fast = 2.0 / (self.fast + 1.0)
        signed, absolute = k.exponential_pair(change, np.abs(change), slow, self.slow)
        signed, absolute = k.exponential_pair(signed, absolute, fast, self.fast)
        with np.errstate(divide="ignore", invalid="ignore"):
            return (np.where(absolute == 0.0, 0.0, 100.0 * (signed / absolute)),)

    def _new_stream(self) -> _TSIStream:
        return _TSIStream(self.slow, self.fast)

    def update(self, bar: Mapping[str, float]) -> tuple[float]:
        """Add one bar; the TSI after it."""
        close = bar_close(self, bar)
        stream = self._stream
        change = close - stream.previous
        stream.previous = close
        slow, fast = stream.signed
        signed = fast.push(slow.push(change))
        slow, fast = stream.absolute
        absolute = fast.push(slow.push(abs(change)))
        return (0.0 if absolute == 0.0 else 100.0 * (signed / absolute),)


class _AwesomeStream:
    __slots__ = ("fast", "slow")

    def __init__(self, fast: int, slow: int) -> None:
        self.fast = RollingSum(fast)
        self.slow = RollingSum(slow)


@attrs.frozen
class AwesomeOscillator(_Momentum):
    """Awesome oscillator: fast minus slow SMA of the median price (high + low) / 2."""

    name: ClassVar[str] = "ao"
    input_columns: ClassVar[tuple[str, ...]] = ("high", "low")
    default_parameters: ClassVar[tuple[Mapping[str, Any], ...]] = ({"fast": 5, "slow": 34},)

    fast: int = period_field(5, minimum=1)
    slow: int = period_field(34, above="fast")

    @property
    def warmup(self) -> int:
        return self.slow - 1

    def _compute(self, high: FloatArray, low: FloatArray) -> tuple[FloatArray, ...]:  # type: ignore[override]
        median = 0.5 * (high + low)
        return (k.sma(median, self.fast) - k.sma(median, self.slow),)

    def _new_stream(self) -> _AwesomeStream:
        return _AwesomeStream(self.fast, self.slow)

    def update(self, bar: Mapping[str, float]) -> tuple[float]:
        """Add one bar; the oscillator after it."""
        high, low = bar_high_low(self, bar)
        median = 0.5 * (high + low)
        stream = self._stream
        return (stream.fast.push(median) / self.fast - stream.slow.push(median) / self.slow,)
