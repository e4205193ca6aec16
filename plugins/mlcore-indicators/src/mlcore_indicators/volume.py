"""Volume family: OBV, VPT, the accumulation/distribution line, the Chaikin oscillator,
Chaikin money flow, MFI, rolling VWAP, VWMA and the volume z-score.

Every indicator has a vectorized ``compute`` and a streaming ``update`` that agrees with it
to 1e-9. Where TA-Lib has the indicator (OBV, AD, ADOSC, MFI) the values are TA-Lib's.
Cumulative lines (OBV, VPT, AD) are sequential sums in both forms, in the same order, so
they agree to the last bit however long the stream; a NaN input makes every later value
of a cumulative line NaN (nothing is silently skipped).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any, ClassVar

import attrs
import numpy as np
from scipy.signal import lfilter

from mlcore_indicators._base import (
    FloatArray,
    StreamingNativeIndicator,
    bar_close_volume,
    bar_high_low_close_volume,
    missing_input,
    period_field,
)
from mlcore_indicators._kernels import FLAT_TOLERANCE, flat, nans, window_mean_var, window_sum
from mlcore_indicators._streaming import NAN, WindowMoments, WindowSum, divide

__all__ = [
    "MFI",
    "OBV",
    "VPT",
    "VWMA",
    "AccumulationDistribution",
    "ChaikinMoneyFlow",
    "ChaikinOscillator",
    "RollingVWAP",
    "VolumeZScore",
]

_HLCV = ("high", "low", "close", "volume")


@attrs.frozen
class _Volume(StreamingNativeIndicator):
    family: ClassVar[str] = "volume"


def _money_flow_volume(
    high: FloatArray, low: FloatArray, close: FloatArray, volume: FloatArray
) -> FloatArray:
    """Close location value times volume, 0 on a bar without range (TA-Lib's AD term)."""
    spread = high - low
    with np.errstate(divide="ignore", invalid="ignore"):
        term = np.where(spread > 0.0, ((close - low) - (high - close)) / spread * volume, 0.0)
    term[np.isnan(high) | np.isnan(low) | np.isnan(close) | np.isnan(volume)] = np.nan
    return term


def _money_flow_volume_bar(high: float, low: float, close: float, volume: float) -> float:
    spread = high - low
    if spread > 0.0:
        return ((close - low) - (high - close)) / spread * volume
    if high != high or low != low or close != close or volume != volume:
        return NAN
    return 0.0


def _divide(numerator: FloatArray, denominator: FloatArray) -> FloatArray:
    """``numerator / denominator``, NaN where the denominator is 0."""
    with np.errstate(divide="ignore", invalid="ignore"):
        out: FloatArray = np.where(denominator != 0.0, numerator / denominator, np.nan)
    return out


@attrs.frozen
class OBV(_Volume):
    """On-balance volume, TA-Lib's OBV: the running sum of volume signed by the close's move.

    Starts at the first bar's volume; adds the volume on a higher close, subtracts it on a
    lower one and adds nothing on an unchanged close. (The ``ta`` library adds the volume
    on an unchanged close and on the first bar: its OBV differs by those volumes.)
    Column: ``obv``.
    """

    name: ClassVar[str] = "obv"
    input_columns: ClassVar[tuple[str, ...]] = ("close", "volume")

    def _compute(self, **inputs: FloatArray) -> tuple[FloatArray, ...]:
        close, volume = inputs["close"], inputs["volume"]
        flow = np.empty(len(close))
        if len(close):
            flow[0] = volume[0]
            flow[1:] = np.sign(close[1:] - close[:-1]) * volume[1:]
        return (np.cumsum(flow),)

    def _new_stream(self) -> list[float]:
        return []

    def update(self, bar: Mapping[str, float]) -> tuple[float, ...]:
        """Add one bar; the OBV after it. State: [previous close, obv]."""
        close, volume = bar_close_volume(self, bar)
        state = self._stream
        if not state:
            state.extend((close, volume))
            return (volume,)
        previous = state[0]
        state[0] = close
        if close > previous:
            state[1] += volume
        elif close < previous:
            state[1] -= volume
        elif close == previous:
            state[1] += 0.0 * volume
        else:
            state[1] = NAN
        return (state[1],)


@attrs.frozen
class VPT(_Volume):
    """Volume price trend: the running sum of volume times the close's percentage change.

    ``vpt[t] = sum(volume[i] * (close[i] / close[i-1] - 1) for i in 1..t)``, first valid
    on row 1, as the ``ta`` library's VolumePriceTrendIndicator. Column: ``vpt``.
    """

    name: ClassVar[str] = "vpt"
    input_columns: ClassVar[tuple[str, ...]] = ("close", "volume")

    @property
    def warmup(self) -> int:
        return 1

    def _compute(self, **inputs: FloatArray) -> tuple[FloatArray, ...]:
        close, volume = inputs["close"], inputs["volume"]
        out = nans(len(close))
        with np.errstate(divide="ignore", invalid="ignore"):
            out[1:] = np.cumsum((close[1:] / close[:-1] - 1.0) * volume[1:])
        return (out,)

    def _new_stream(self) -> list[float]:
        return []

    def update(self, bar: Mapping[str, float]) -> tuple[float, ...]:
        """Add one bar; the VPT after it. State: [previous close, vpt]."""
        close, volume = bar_close_volume(self, bar)
        state = self._stream
        if not state:
            state.extend((close, 0.0))
            return (NAN,)
        previous = state[0]
        state[0] = close
        state[1] += (divide(close, previous) - 1.0) * volume
        return (state[1],)


@attrs.frozen
class AccumulationDistribution(_Volume):
    """Accumulation/distribution line, TA-Lib's AD: the running sum of close location x volume.

    Each bar adds ``((close - low) - (high - close)) / (high - low) * volume``, nothing on a
    bar with ``high == low``. Column: ``ad``.
    """

    name: ClassVar[str] = "ad"
    input_columns: ClassVar[tuple[str, ...]] = _HLCV

    def _compute(self, **inputs: FloatArray) -> tuple[FloatArray, ...]:
        return (np.cumsum(_money_flow_volume(**inputs)),)

    def _new_stream(self) -> list[float]:
        return [0.0]

    def update(self, bar: Mapping[str, float]) -> tuple[float, ...]:
        """Add one bar; the AD line after it."""
        self._stream[0] += _money_flow_volume_bar(*bar_high_low_close_volume(self, bar))
        return (self._stream[0],)


@attrs.frozen
class ChaikinOscillator(_Volume):
    """Chaikin oscillator, TA-Lib's ADOSC: fast EMA minus slow EMA of the AD line.

    Both EMAs (``alpha = 2 / (period + 1)``) start from the first AD value, as in TA-Lib;
    the first value is on row ``slow - 1``. Column: ``adosc_3_10``.
    """

    name: ClassVar[str] = "adosc"
    input_columns: ClassVar[tuple[str, ...]] = _HLCV
    default_parameters: ClassVar[tuple[Mapping[str, Any], ...]] = ({"fast": 3, "slow": 10},)

    fast: int = period_field(3)
    slow: int = period_field(10, above="fast")
    # [bars seen, ad, fast ema, slow ema]

    @property
    def warmup(self) -> int:
        return self.slow - 1

    def _compute(self, **inputs: FloatArray) -> tuple[FloatArray, ...]:
        ad = np.cumsum(_money_flow_volume(**inputs))
        out = nans(len(ad))
        if len(ad) > self.warmup:
            oscillator = _ema_from_first(ad, self.fast) - _ema_from_first(ad, self.slow)
            out[self.warmup :] = oscillator[self.warmup :]
        return (out,)

    def _new_stream(self) -> list[float]:
        return [0.0, 0.0, 0.0, 0.0]

    def update(self, bar: Mapping[str, float]) -> tuple[float, ...]:
        """Add one bar; the oscillator (NaN during the warm-up)."""
        state = self._stream
        ad = state[1] + _money_flow_volume_bar(*bar_high_low_close_volume(self, bar))
        state[1] = ad
        seen = state[0]
        state[0] = seen + 1.0
        if seen == 0.0:
            state[2] = state[3] = ad
        else:
            k_fast = 2.0 / (self.fast + 1)
            k_slow = 2.0 / (self.slow + 1)
            state[2] = k_fast * ad + (1.0 - k_fast) * state[2]
            state[3] = k_slow * ad + (1.0 - k_slow) * state[3]
        if seen < self.slow - 1:
            return (NAN,)
        return (state[2] - state[3],)


def _ema_from_first(x: FloatArray, period: int) -> FloatArray:
    """EMA with ``alpha = 2 / (period + 1)`` started at ``x[0]`` (TA-Lib's ADOSC seeding)."""
    alpha = 2.0 / (period + 1)
    out = np.empty(len(x))
    out[0] = x[0]
    if len(x) > 1:
        out[1:], _ = lfilter([alpha], [1.0, alpha - 1.0], x[1:], zi=[(1.0 - alpha) * x[0]])
    return out


@attrs.frozen
class _VolumeWeighted(_Volume):
    """``sum(value) / sum(volume)`` over the last ``period`` bars; NaN when the window traded
    nothing. Subclasses give the per-bar ``value`` (an array in ``_values``, a float in
    ``update``)."""

    default_parameters: ClassVar[tuple[Mapping[str, Any], ...]] = tuple(
        {"period": p} for p in (10, 20, 50, 100)
    )

    period: int = period_field(20)

    @property
    def warmup(self) -> int:
        return self.period - 1

    def _compute(self, **inputs: FloatArray) -> tuple[FloatArray, ...]:
        values = window_sum(self._values(**inputs), self.period)
        return (_divide(values, window_sum(inputs["volume"], self.period)),)

    def _values(self, **inputs: FloatArray) -> FloatArray:
        raise NotImplementedError

    def _new_stream(self) -> tuple[WindowSum, WindowSum]:
        return WindowSum(self.period), WindowSum(self.period)

    def _push(self, value: float, volume: float) -> tuple[float]:
        """Add one bar's value and volume; the window's ratio."""
        values, volumes = self._stream
        total = values.push(value)
        traded = volumes.push(volume)
        return (total / traded if traded != 0.0 else NAN,)


@attrs.frozen
class ChaikinMoneyFlow(_VolumeWeighted):
    """Chaikin money flow: money-flow volume over volume, summed over the last ``period`` bars.

    ``sum(clv * volume) / sum(volume)`` with the close location value
    ``((close - low) - (high - close)) / (high - low)`` (0 on a bar without range), as the
    ``ta`` library's ChaikinMoneyFlowIndicator; NaN when the window traded nothing.
    Column: ``cmf_20``.
    """

    name: ClassVar[str] = "cmf"
    input_columns: ClassVar[tuple[str, ...]] = _HLCV
    default_parameters: ClassVar[tuple[Mapping[str, Any], ...]] = (
        {"period": 10},
        {"period": 20},
        {"period": 50},
    )

    def _values(self, **inputs: FloatArray) -> FloatArray:
        return _money_flow_volume(**inputs)

    def update(self, bar: Mapping[str, float]) -> tuple[float, ...]:
        """Add one bar; the window's money flow (NaN during the warm-up)."""
        high, low, close, volume = bar_high_low_close_volume(self, bar)
        return self._push(_money_flow_volume_bar(high, low, close, volume), volume)


@attrs.frozen
class MFI(_Volume):
    """Money flow index, TA-Lib's MFI: positive over total typical-price money flow, x100.

    A bar's flow ``(high + low + close) / 3 * volume`` counts as positive when its typical
    price rose, negative when it fell, neither when unchanged; sums over the last
    ``period`` bars, first valid on row ``period``. As in TA-Lib, a window without any
    money flow (nothing traded) gives 0. Column: ``mfi_14``.
    """

    name: ClassVar[str] = "mfi"
    input_columns: ClassVar[tuple[str, ...]] = _HLCV
    default_parameters: ClassVar[tuple[Mapping[str, Any], ...]] = (
        {"period": 7},
        {"period": 14},
        {"period": 21},
    )

    period: int = period_field(14)
    # [positive flow sums, negative flow sums, previous typical price]

    def _new_stream(self) -> list[Any]:
        return [WindowSum(self.period), WindowSum(self.period), NAN]

    @property
    def warmup(self) -> int:
        return self.period

    def _compute(self, **inputs: FloatArray) -> tuple[FloatArray, ...]:
        from mlcore_indicators._sequential import money_flows  # numba: imported on use

        positive, negative = money_flows(
            inputs["high"], inputs["low"], inputs["close"], inputs["volume"]
        )
        up = window_sum(positive, self.period)
        total = up + window_sum(negative, self.period)
        with np.errstate(divide="ignore", invalid="ignore"):
            mfi = np.where(total == 0.0, 0.0, 100.0 * (up / total))
        mfi[np.isnan(total)] = np.nan
        return (mfi,)

    def update(self, bar: Mapping[str, float]) -> tuple[float, ...]:
        """Add one bar; the MFI (NaN during the warm-up)."""
        high, low, close, volume = bar_high_low_close_volume(self, bar)
        state = self._stream
        typical = (high + low + close) / 3.0
        flow = typical * volume
        move = typical - state[2]
        state[2] = typical
        if move > 0.0:
            positive, negative = flow, 0.0
        elif move < 0.0:
            positive, negative = 0.0, flow
        elif move == 0.0 and flow == flow:
            positive = negative = 0.0
        else:
            positive = negative = NAN
        up = state[0].push(positive)
        total = up + state[1].push(negative)
        if total != total:
            return (NAN,)
        return (0.0 if total == 0.0 else 100.0 * (up / total),)


@attrs.frozen
class RollingVWAP(_VolumeWeighted):
    """Rolling VWAP: typical price weighted by volume over the last ``period`` bars.

    ``sum((high + low + close) / 3 * volume) / sum(volume)``, trailing (not anchored to a
    session), as the ``ta`` library's VolumeWeightedAveragePrice; NaN when the window
    traded nothing. Column: ``vwap_20``.
    """

    name: ClassVar[str] = "vwap"
    input_columns: ClassVar[tuple[str, ...]] = _HLCV

    def _values(self, **inputs: FloatArray) -> FloatArray:
        weighted: FloatArray = (inputs["high"] + inputs["low"] + inputs["close"]) / 3.0
        weighted *= inputs["volume"]
        return weighted

    def update(self, bar: Mapping[str, float]) -> tuple[float, ...]:
        """Add one bar; the window's VWAP (NaN during the warm-up)."""
        high, low, close, volume = bar_high_low_close_volume(self, bar)
        return self._push((high + low + close) / 3.0 * volume, volume)


@attrs.frozen
class VWMA(_VolumeWeighted):
    """Volume-weighted moving average of the close: ``sum(close * volume) / sum(volume)``.

    Over the last ``period`` bars; NaN when the window traded nothing. Column: ``vwma_20``.
    """

    name: ClassVar[str] = "vwma"
    input_columns: ClassVar[tuple[str, ...]] = ("close", "volume")

    def _values(self, **inputs: FloatArray) -> FloatArray:
        weighted: FloatArray = inputs["close"] * inputs["volume"]
        return weighted

    def update(self, bar: Mapping[str, float]) -> tuple[float, ...]:
        """Add one bar; the window's VWMA (NaN during the warm-up)."""
        close, volume = bar_close_volume(self, bar)
        return self._push(close * volume, volume)


@attrs.frozen
class VolumeZScore(_Volume):
    """Volume z-score: ``(volume - mean) / std`` over the last ``period`` bars.

    Trailing window with the current bar, population std (``ddof=0``); NaN where the
    window's volume is flat. Column: ``volume_zscore_20``.
    """

    name: ClassVar[str] = "volume_zscore"
    input_columns: ClassVar[tuple[str, ...]] = ("volume",)
    default_parameters: ClassVar[tuple[Mapping[str, Any], ...]] = tuple(
        {"period": p} for p in (10, 20, 50, 100)
    )

    period: int = period_field(20)

    @property
    def warmup(self) -> int:
        return self.period - 1

    def _compute(self, **inputs: FloatArray) -> tuple[FloatArray, ...]:
        volume = inputs["volume"]
        mean, var = window_mean_var(volume, self.period)
        std = np.sqrt(var)
        with np.errstate(divide="ignore", invalid="ignore"):
            return (np.where(flat(std, mean), np.nan, (volume - mean) / std),)

    def _new_stream(self) -> WindowMoments:
        return WindowMoments(self.period)

    def update(self, bar: Mapping[str, float]) -> tuple[float, ...]:
        """Add one bar; its volume z-score (NaN during the warm-up)."""
        try:
            volume = float(bar["volume"])
        except KeyError:
            raise missing_input(self, bar) from None
        mean, var = self._stream.push(volume)
        std = math.sqrt(var) if var == var else NAN
        if not std > FLAT_TOLERANCE * abs(mean):
            return (NAN,)
        return ((volume - mean) / std,)
