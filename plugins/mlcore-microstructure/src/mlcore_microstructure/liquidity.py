"""Liquidity measures from bars.

- :class:`ZeroReturnProportion` (``zero_return``): Lesmond, Ogden & Trzcinka (1999), the
  share of bars whose close did not change.
- :class:`AmivestLiquidity` (``amivest``): the Amivest liquidity ratio (Cooper, Groth &
  Avera 1985), currency traded per unit of absolute return.
- :class:`VPIN` (``vpin``): volume-synchronized probability of informed trading (Easley,
  López de Prado & O'Hara 2012), approximated on time bars with bulk-volume classification.

The spread estimators (Corwin-Schultz, Roll, Abdi-Ranaldo) live in
:mod:`mlcore_microstructure.spread`; Amihud's illiquidity and Kyle's lambda in
:mod:`mlcore_microstructure.impact`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import ClassVar

import attrs
import numpy as np

from mlcore_microstructure._base import (
    BufferedStreamingIndicator,
    FloatArray,
    positive_int,
    rolling,
    simple_returns,
    window_mean,
)
from mlcore_microstructure.order_flow import bvc_buy_fraction, imbalance

__all__ = ["VPIN", "AmivestLiquidity", "ZeroReturnProportion"]


@attrs.frozen
class ZeroReturnProportion(BufferedStreamingIndicator):
    """Share of the last ``window`` bars whose close equals the previous close.

    Lesmond, Ogden & Trzcinka's "zeros" measure: where trading costs exceed the value of
    new information, prices do not move, so more zero returns mean a less liquid market.
    Within [0, 1]. Output ``zero_return_<window>``; warmup ``window``.

    Lesmond, D. A., J. P. Ogden and C. A. Trzcinka (1999), "A New Estimate of Transaction
    Costs", Review of Financial Studies 12(5), 1113-1141.
    """

    name: ClassVar[str] = "zero_return"
    input_columns: ClassVar[tuple[str, ...]] = ("close",)

    window: int = attrs.field(default=20, validator=positive_int(1))

    @property
    def warmup(self) -> int:
        return self.window

    def _kernel(self, inputs: Mapping[str, FloatArray]) -> FloatArray:
        close = inputs["close"]
        zero = np.full(close.shape, np.nan)
        zero[1:] = close[1:] == close[:-1]
        zero[1:][np.isnan(close[1:]) | np.isnan(close[:-1])] = np.nan
        return rolling(self.window, window_mean, zero)


def _amivest_reducer(dollar_volume: FloatArray, absolute_return: FloatArray) -> FloatArray:
    return np.asarray(dollar_volume.sum(axis=1) / absolute_return.sum(axis=1), dtype=np.float64)


@attrs.frozen
class AmivestLiquidity(BufferedStreamingIndicator):
    """Amivest liquidity ratio: ``sum(close * volume) / sum(|r|)`` over the last ``window``
    bars, counting only bars whose price moved (``r != 0``), as the measure is defined.

    ``r`` is the simple close-to-close return: the value is the currency traded per unit
    of absolute return (higher is more liquid; the counterpart of Amihud's illiquidity).
    NaN for a window in which the price never moved. Output ``amivest_<window>``; warmup
    ``window``.

    Cooper, S. K., J. C. Groth and W. E. Avera (1985), "Liquidity, Exchange Listing, and
    Common Stock Performance", Journal of Economics and Business 37(1), 19-33; see also
    Amihud (2002), Journal of Financial Markets 5(1).
    """

    name: ClassVar[str] = "amivest"
    input_columns: ClassVar[tuple[str, ...]] = ("close", "volume")

    window: int = attrs.field(default=20, validator=positive_int(1))

    @property
    def warmup(self) -> int:
        return self.window

    def _kernel(self, inputs: Mapping[str, FloatArray]) -> FloatArray:
        close, volume = inputs["close"], inputs["volume"]
        returns = simple_returns(close)
        moved = returns != 0
        dollar_volume = np.where(moved, close * volume, 0.0)
        absolute_return = np.where(moved, np.abs(returns), 0.0)
        missing = np.isnan(returns) | np.isnan(volume)
        dollar_volume[missing] = np.nan
        absolute_return[missing] = np.nan
        result = rolling(self.window, _amivest_reducer, dollar_volume, absolute_return)
        result[np.isinf(result)] = np.nan
        return result


def _vpin_reducer(absolute_imbalance: FloatArray, volume: FloatArray) -> FloatArray:
    return imbalance(absolute_imbalance, volume)


@attrs.frozen
class VPIN(BufferedStreamingIndicator):
    """Volume-synchronized probability of informed trading, on time bars.

    Each bar's volume is split into buys and sells by bulk-volume classification
    (:func:`~mlcore_microstructure.order_flow.bvc_buy_fraction`, ``sigma`` over the last
    ``sigma_window`` returns), and ``VPIN = sum |buys - sells| / sum volume`` over the
    last ``window`` bars, within [0, 1]; 0 for a window without volume. The paper fills
    equal-volume buckets; this time-bar form (each bar a bucket) is the usual
    approximation when only bars are available. Output ``vpin_<window>_<sigma_window>``;
    warmup ``sigma_window + window - 1``.

    Easley, D., M. López de Prado and M. O'Hara (2012), "Flow Toxicity and Liquidity in a
    High-frequency World", Review of Financial Studies 25(5), 1457-1493.
    """

    name: ClassVar[str] = "vpin"
    input_columns: ClassVar[tuple[str, ...]] = ("close", "volume")

    window: int = attrs.field(default=50, validator=positive_int(1))
    sigma_window: int = attrs.field(default=50, validator=positive_int(2))

    @property
    def warmup(self) -> int:
        return self.sigma_window + self.window - 1

    def _kernel(self, inputs: Mapping[str, FloatArray]) -> FloatArray:
        volume = inputs["volume"]
        buy_fraction = bvc_buy_fraction(inputs["close"], self.sigma_window)
        absolute_imbalance = volume * np.abs(2.0 * buy_fraction - 1.0)
        return rolling(self.window, _vpin_reducer, absolute_imbalance, volume)
