"""Test-local indicators and hosts shared by the tests/test_features_*.py modules.

Small indicators built on IndicatorBase (SMA, EMA and a two-output channel with streaming
updates; a batch-only momentum; a counting and a broken one), registered into a fresh
``PluginHost()`` as the in-process plugin distribution ``test-indicators``. This module
holds no tests.
"""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Mapping
from typing import Any, ClassVar

import attrs
import numpy as np
import pandas as pd

from mlcore import IndicatorBase, PluginHost, hookimpl, synthetic_ohlcv

DISTRIBUTION = "test-indicators"


def _close(ohlcv: pd.DataFrame) -> np.ndarray:
    return ohlcv["close"].to_numpy(dtype=float)


@attrs.frozen
class SMA(IndicatorBase):
    """Simple moving average of the close."""

    name: ClassVar[str] = "sma"
    family: ClassVar[str] = "trend"
    default_parameters: ClassVar[tuple[Mapping[str, Any], ...]] = ({"period": 3}, {"period": 5})

    period: int = attrs.field(default=3, validator=attrs.validators.ge(1))
    _window: deque[float] = attrs.field(init=False, factory=deque, eq=False, repr=False)

    @property
    def warmup(self) -> int:
        return self.period - 1

    def compute(self, ohlcv: pd.DataFrame) -> pd.DataFrame:
        close = _close(ohlcv)
        out = np.full(close.shape, np.nan)
        if len(close) >= self.period:
            windows = np.lib.stride_tricks.sliding_window_view(close, self.period)
            out[self.period - 1 :] = [math.fsum(w) / self.period for w in windows]
        return pd.DataFrame({self.outputs[0]: out}, index=ohlcv.index)

    def reset(self) -> None:
        self._window.clear()

    def update(self, bar: Mapping[str, float]) -> tuple[float]:
        self._window.append(float(bar["close"]))
        if len(self._window) > self.period:
            self._window.popleft()
        if len(self._window) < self.period:
            return (math.nan,)
        return (math.fsum(self._window) / self.period,)


@attrs.frozen
class EMA(IndicatorBase):
    """Exponential moving average of the close, seeded with the first close."""

    name: ClassVar[str] = "ema"
    family: ClassVar[str] = "trend"
    default_parameters: ClassVar[tuple[Mapping[str, Any], ...]] = ({"span": 4},)

    span: int = attrs.field(default=4, validator=attrs.validators.ge(1))
    _last: list[float] = attrs.field(init=False, factory=lambda: [math.nan], eq=False, repr=False)

    def compute(self, ohlcv: pd.DataFrame) -> pd.DataFrame:
        ema = ohlcv["close"].astype(float).ewm(span=self.span, adjust=False).mean()
        return pd.DataFrame({self.outputs[0]: ema.to_numpy()}, index=ohlcv.index)

    def reset(self) -> None:
        self._last[0] = math.nan

    def update(self, bar: Mapping[str, float]) -> tuple[float]:
        close = float(bar["close"])
        alpha = 2.0 / (self.span + 1.0)
        previous = self._last[0]
        self._last[0] = close if math.isnan(previous) else alpha * close + (1 - alpha) * previous
        return (self._last[0],)


@attrs.frozen
class Channel(IndicatorBase):
    """Highest high and lowest low over ``period`` bars: two outputs."""

    name: ClassVar[str] = "channel"
    family: ClassVar[str] = "volatility"
    input_columns: ClassVar[tuple[str, ...]] = ("high", "low")
    output_suffixes: ClassVar[tuple[str, ...]] = ("upper", "lower")
    default_parameters: ClassVar[tuple[Mapping[str, Any], ...]] = ({"period": 4},)

    period: int = attrs.field(default=4, validator=attrs.validators.ge(1))
    _bars: deque[tuple[float, float]] = attrs.field(init=False, factory=deque, eq=False, repr=False)

    @property
    def warmup(self) -> int:
        return self.period - 1

    def compute(self, ohlcv: pd.DataFrame) -> pd.DataFrame:
        upper = ohlcv["high"].rolling(self.period).max().to_numpy()
        lower = ohlcv["low"].rolling(self.period).min().to_numpy()
        return pd.DataFrame(dict(zip(self.outputs, (upper, lower), strict=True)), ohlcv.index)

    def reset(self) -> None:
        self._bars.clear()

    def update(self, bar: Mapping[str, float]) -> tuple[float, float]:
        self._bars.append((float(bar["high"]), float(bar["low"])))
        if len(self._bars) > self.period:
            self._bars.popleft()
        if len(self._bars) < self.period:
            return (math.nan, math.nan)
        return (max(h for h, _ in self._bars), min(lo for _, lo in self._bars))


@attrs.frozen
class Momentum(IndicatorBase):
    """close - close ``period`` bars ago; batch only (no update)."""

    name: ClassVar[str] = "mom"
    family: ClassVar[str] = "momentum"
    default_parameters: ClassVar[tuple[Mapping[str, Any], ...]] = ({"period": 2},)

    period: int = attrs.field(default=2)

    @property
    def warmup(self) -> int:
        return self.period

    def compute(self, ohlcv: pd.DataFrame) -> pd.DataFrame:
        change = ohlcv["close"].diff(self.period).to_numpy()
        return pd.DataFrame({self.outputs[0]: change}, index=ohlcv.index)


COUNTS: dict[str, int] = {"counting": 0}


@attrs.frozen
class Counting(IndicatorBase):
    """Counts how often ``compute`` runs (in ``COUNTS``), returns close * factor."""

    name: ClassVar[str] = "counting"
    family: ClassVar[str] = "test"

    factor: float = 2.0

    def compute(self, ohlcv: pd.DataFrame) -> pd.DataFrame:
        COUNTS["counting"] += 1
        return pd.DataFrame({self.outputs[0]: _close(ohlcv) * self.factor}, index=ohlcv.index)


@attrs.frozen
class Broken(IndicatorBase):
    """Always fails to compute."""

    name: ClassVar[str] = "broken"
    family: ClassVar[str] = "test"

    def compute(self, ohlcv: pd.DataFrame) -> pd.DataFrame:
        raise RuntimeError("division by zero in the broken indicator")


#: name -> (factory, tags) registered by ``make_host`` unless told otherwise.
STANDARD: dict[str, tuple[Any, set[str]]] = {
    "sma": (SMA, {"default"}),
    "ema": (EMA, {"default"}),
    "channel": (Channel, {"default"}),
    "mom": (Momentum, set()),
    "counting": (Counting, set()),
}


def plugin_registering(components: Mapping[str, tuple[Any, set[str]]]) -> type:
    """A plugin object whose ``mlcore_register_indicators`` adds ``components``."""

    def mlcore_register_indicators(registry: Any) -> None:
        for name, (factory, tags) in components.items():
            registry.add(name, factory, tags=tags | {"test"})

    return type(
        "TestIndicatorsPlugin",
        (),
        {"mlcore_register_indicators": staticmethod(hookimpl(mlcore_register_indicators))},
    )


def make_host(components: Mapping[str, tuple[Any, set[str]]] | None = None) -> PluginHost:
    """A fresh host (no installed plugins) with the test indicators registered."""
    host = PluginHost()
    plugin = plugin_registering(STANDARD if components is None else components)
    assert host.register_plugin(plugin, distribution=DISTRIBUTION, name="testind", version="1.0")
    return host


def market(n: int = 300, seed: int = 1, freq: str = "1D") -> pd.DataFrame:
    """Synthetic OHLCV bars."""
    return synthetic_ohlcv(n=n, seed=seed, freq=freq).ohlcv
