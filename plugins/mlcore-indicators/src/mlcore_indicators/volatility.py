"""Volatility family: Bollinger Bands, ATR, NATR, rolling standard deviation, realized
volatility ratios and rolling percentile ranks.

Every indicator has a vectorized ``compute`` and a streaming ``update`` that agrees with it
to 1e-9. Where TA-Lib has the indicator (BBANDS, ATR, NATR, STDDEV) the values are TA-Lib's,
seeding included, from the first valid row on.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any, ClassVar

import attrs
import numpy as np

from mlcore_indicators import _kernels as kernels
from mlcore_indicators._base import (
    FloatArray,
    StreamingNativeIndicator,
    bar_close,
    bar_high_low_close,
    is_int,
    period_field,
)
from mlcore_indicators._kernels import FLAT_TOLERANCE, flat, rank_fraction, window_mean_var
from mlcore_indicators._streaming import NAN, WindowMoments, WindowRank, divide, true_range

__all__ = [
    "ATR",
    "NATR",
    "SOURCES",
    "BollingerBands",
    "RealizedVolatilityRatio",
    "RollingPercentile",
    "RollingStd",
]

#: What a rolling statistic is taken of: the close itself, or the close-to-close log return.
SOURCES = ("close", "logret")


@attrs.frozen
class _Volatility(StreamingNativeIndicator):
    family: ClassVar[str] = "volatility"


def _source_values(close: FloatArray, source: str) -> FloatArray:
    return close if source == "close" else kernels.log_returns(close)


@attrs.frozen
class BollingerBands(_Volatility):
    """Bollinger Bands: SMA middle band, bands nbdev population stds away, %B and width.

    ``upper``, ``middle`` and ``lower`` are TA-Lib's ``BBANDS(close, period, nbdev, nbdev,
    matype=SMA)``; ``percent_b = (close - lower) / (upper - lower)`` and
    ``width = (upper - lower) / middle``. A flat window (no spread) gives NaN %B.
    Columns: ``bb_upper_20_2``, ``bb_middle_20_2``, ``bb_lower_20_2``,
    ``bb_percent_b_20_2``, ``bb_width_20_2``.
    """

    name: ClassVar[str] = "bb"
    input_columns: ClassVar[tuple[str, ...]] = ("close",)
    output_suffixes: ClassVar[tuple[str, ...]] = ("upper", "middle", "lower", "percent_b", "width")
    default_parameters: ClassVar[tuple[Mapping[str, Any], ...]] = (
        {"period": 10, "nbdev": 2.0},
        {"period": 20, "nbdev": 2.0},
        {"period": 50, "nbdev": 2.0},
        {"period": 100, "nbdev": 2.0},
    )

    period: int = period_field(20)
    nbdev: float = attrs.field(default=2.0, converter=float, validator=attrs.validators.gt(0.0))

    @property
    def warmup(self) -> int:
        return self.period - 1

    def _compute(self, **inputs: FloatArray) -> tuple[FloatArray, ...]:
        close = inputs["close"]
        middle, var = window_mean_var(close, self.period)
        std = np.sqrt(var)
        spread = self.nbdev * std
        upper, lower = middle + spread, middle - spread
        with np.errstate(divide="ignore", invalid="ignore"):
            percent_b = np.where(flat(std, middle), np.nan, (close - lower) / (upper - lower))
            width = (upper - lower) / middle
        return upper, middle, lower, percent_b, width

    def _new_stream(self) -> WindowMoments:
        return WindowMoments(self.period)

    def update(self, bar: Mapping[str, float]) -> tuple[float, ...]:
        """Add one bar; its (upper, middle, lower, %B, width)."""
        close = bar_close(self, bar)
        middle, var = self._stream.push(close)
        if middle != middle:
            return NAN, NAN, NAN, NAN, NAN
        std = math.sqrt(var)
        spread = self.nbdev * std
        upper, lower = middle + spread, middle - spread
        percent_b = (close - lower) / (upper - lower) if std > FLAT_TOLERANCE * abs(middle) else NAN
        width = divide(upper - lower, middle)
        return upper, middle, lower, percent_b, width


@attrs.frozen
class ATR(_Volatility):
    """Average true range: Wilder's smoothing of the true range, TA-Lib's ATR seeding.

    The first value (row ``period``) is the mean of the first ``period`` true ranges (rows
    1..period), then ``atr = (atr * (period - 1) + tr) / period``, as TA-Lib's ``ATR``.
    Column: ``atr_14``.
    """

    name: ClassVar[str] = "atr"
    input_columns: ClassVar[tuple[str, ...]] = ("high", "low", "close")
    default_parameters: ClassVar[tuple[Mapping[str, Any], ...]] = (
        {"period": 7},
        {"period": 14},
        {"period": 21},
    )

    period: int = period_field(14, minimum=1)

    @property
    def warmup(self) -> int:
        return self.period

    def _compute(self, **inputs: FloatArray) -> tuple[FloatArray, ...]:
        return (self._atr(inputs["high"], inputs["low"], inputs["close"]),)

    def _atr(self, high: FloatArray, low: FloatArray, close: FloatArray) -> FloatArray:
        return kernels.wilder(kernels.true_range(high, low, close), self.period)

    def _new_stream(self) -> list[float]:
        return []

    def update(self, bar: Mapping[str, float]) -> tuple[float, ...]:
        """Add one bar; its ATR (NaN during the warm-up)."""
        return (self._update_atr(bar)[0],)

    def _update_atr(self, bar: Mapping[str, float]) -> tuple[float, float]:
        """(ATR, close) after one bar. State: [previous close, bars seen, seed sum, atr]."""
        high, low, close = bar_high_low_close(self, bar)
        state = self._stream
        if not state:
            state.extend((close, 0.0, 0.0, NAN))
            return NAN, close
        previous = state[0]
        state[0] = close
        tr = true_range(high, low, previous)
        seen = state[1]
        if seen == 0.0 and tr != tr:
            return NAN, close  # compute's smoothing starts at the first valid true range
        period = self.period
        seen += 1.0
        state[1] = seen
        if seen < period:
            state[2] += tr
            return NAN, close
        if seen == period:
            atr = (state[2] + tr) / period
        else:
            atr = state[3]
            atr += (tr - atr) / period
        state[3] = atr
        return atr, close


@attrs.frozen
class NATR(ATR):
    """Normalized ATR: ``100 * ATR / close``, TA-Lib's NATR.

    Column: ``natr_14``.
    """

    name: ClassVar[str] = "natr"

    def _compute(self, **inputs: FloatArray) -> tuple[FloatArray, ...]:
        close = inputs["close"]
        with np.errstate(divide="ignore", invalid="ignore"):
            return (100.0 * self._atr(inputs["high"], inputs["low"], close) / close,)

    def update(self, bar: Mapping[str, float]) -> tuple[float, ...]:
        """Add one bar; its NATR (NaN during the warm-up)."""
        atr, close = self._update_atr(bar)
        if atr != atr:
            return (NAN,)
        return (divide(100.0 * atr, close),)


@attrs.frozen
class RollingStd(_Volatility):
    """Rolling population standard deviation of the close or of its log returns.

    ``source="close"`` is TA-Lib's ``STDDEV(close, period, nbdev=1)``; ``source="logret"``
    is the std of the last ``period`` close-to-close log returns (``ddof=0``, not
    annualized), first valid on row ``period``. Columns: ``stddev_20_logret``,
    ``stddev_20_close``.
    """

    name: ClassVar[str] = "stddev"
    input_columns: ClassVar[tuple[str, ...]] = ("close",)
    default_parameters: ClassVar[tuple[Mapping[str, Any], ...]] = (
        *({"period": p, "source": "logret"} for p in (5, 10, 20, 60, 120, 250)),
        *({"period": p, "source": "close"} for p in (10, 20, 50)),
    )

    period: int = period_field(20)
    source: str = attrs.field(default="logret", validator=attrs.validators.in_(SOURCES))

    @property
    def warmup(self) -> int:
        return self.period - 1 if self.source == "close" else self.period

    def _compute(self, **inputs: FloatArray) -> tuple[FloatArray, ...]:
        values = _source_values(inputs["close"], self.source)
        centered = self.source == "logret"
        return (np.sqrt(window_mean_var(values, self.period, centered=centered)[1]),)

    def _new_stream(self) -> list[Any]:
        return [WindowMoments(self.period), NAN]

    def update(self, bar: Mapping[str, float]) -> tuple[float, ...]:
        """Add one bar; the window's std (NaN during the warm-up)."""
        close = bar_close(self, bar)
        state = self._stream
        value = close if self.source == "close" else _next_log_return(state, close)
        var = state[0].push(value)[1]
        return (math.sqrt(var) if var == var else NAN,)


def _next_log_return(state: list[Any], close: float) -> float:
    """``log(close / previous close)``, ``state[-1]`` holding the previous close (updated).

    numpy's answers where math.log would raise; the first bar's is NaN, as in ``compute``:
    it spoils the first windows.
    """
    previous = state[-1]
    state[-1] = close
    try:
        ratio = close / previous
    except ZeroDivisionError:
        ratio = divide(close, previous)
    if ratio > 0.0:
        return math.log(ratio)
    if ratio == 0.0:
        return -math.inf
    return NAN


@attrs.frozen
class RealizedVolatilityRatio(_Volatility):
    """Short-window over long-window std of log returns: is volatility rising or falling?

    ``stddev(logret, short) / stddev(logret, long)`` with both stds as in
    :class:`RollingStd` (population, trailing, the current bar included); NaN where the
    long window is flat. First valid on row ``long``. Column: ``rv_ratio_5_20``.
    """

    name: ClassVar[str] = "rv_ratio"
    input_columns: ClassVar[tuple[str, ...]] = ("close",)
    default_parameters: ClassVar[tuple[Mapping[str, Any], ...]] = (
        {"short": 5, "long": 20},
        {"short": 5, "long": 60},
        {"short": 10, "long": 60},
        {"short": 20, "long": 120},
    )

    short: int = period_field(5)
    long: int = period_field(20, above="short")

    def _new_stream(self) -> list[Any]:
        return [WindowMoments(self.short), WindowMoments(self.long), NAN]

    @property
    def warmup(self) -> int:
        return self.long

    def _compute(self, **inputs: FloatArray) -> tuple[FloatArray, ...]:
        returns = kernels.log_returns(inputs["close"])
        short = np.sqrt(window_mean_var(returns, self.short, centered=True)[1])
        long = np.sqrt(window_mean_var(returns, self.long, centered=True)[1])
        with np.errstate(divide="ignore", invalid="ignore"):
            return (np.where(long > 0.0, short / long, np.nan),)

    def update(self, bar: Mapping[str, float]) -> tuple[float, ...]:
        """Add one bar; the volatility ratio (NaN during the warm-up)."""
        close = bar_close(self, bar)
        state = self._stream
        value = _next_log_return(state, close)
        short_var = state[0].push(value)[1]
        long_var = state[1].push(value)[1]
        if not long_var > 0.0 or short_var != short_var:
            return (NAN,)
        return (math.sqrt(short_var) / math.sqrt(long_var),)


@attrs.frozen
class RollingPercentile(_Volatility):
    """Rolling percentile rank: the fraction of the last ``period`` values <= the current one.

    Of the close (``source="close"``, first valid on row ``period - 1``) or of the
    close-to-close return (``source="logret"``, row ``period``; ranked on
    ``close / previous close``, which orders bars as log returns do). The current bar is in
    its own window, so values lie in ``[1/period, 1]``. Column: ``pctrank_20_close``.
    """

    name: ClassVar[str] = "pctrank"
    input_columns: ClassVar[tuple[str, ...]] = ("close",)
    default_parameters: ClassVar[tuple[Mapping[str, Any], ...]] = (
        *({"period": p, "source": "close"} for p in (20, 50, 100)),
        *({"period": p, "source": "logret"} for p in (20, 50, 100)),
    )

    period: int = attrs.field(
        default=20, validator=[is_int, attrs.validators.ge(2), attrs.validators.le(5000)]
    )
    source: str = attrs.field(default="close", validator=attrs.validators.in_(SOURCES))

    @property
    def warmup(self) -> int:
        return self.period - 1 if self.source == "close" else self.period

    def _compute(self, **inputs: FloatArray) -> tuple[FloatArray, ...]:
        close = inputs["close"]
        if self.source == "close":
            values = close
        else:
            values = kernels.nans(len(close))
            with np.errstate(divide="ignore", invalid="ignore"):
                np.divide(close[1:], close[:-1], out=values[1:])
        return (rank_fraction(values, self.period),)

    def _new_stream(self) -> list[Any]:
        return [WindowRank(self.period), NAN]

    def update(self, bar: Mapping[str, float]) -> tuple[float, ...]:
        """Add one bar; its percentile rank (NaN during the warm-up)."""
        close = bar_close(self, bar)
        state = self._stream
        if self.source == "close":
            return (state[0].push(close),)
        previous = state[1]
        state[1] = close
        return (state[0].push(divide(close, previous)),)
