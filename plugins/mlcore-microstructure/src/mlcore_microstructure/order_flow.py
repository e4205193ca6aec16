"""Order-flow imbalance: ``(buy - sell) / (buy + sell)`` over a trailing window.

- :class:`SignedFlowImbalance` (``ofi``) uses trade-side information the data has, named
  by ``flow``: a ``side`` column, a ``signed_volume`` column, ``buy_volume`` and
  ``sell_volume``, or ``buy_volume`` with the total ``volume`` (exchange "taker buy
  volume").
- :class:`BulkVolumeImbalance` (``ofi_bvc``) classifies each bar's volume with bulk-volume
  classification (Easley, López de Prado & O'Hara 2012) when no side is known.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import ClassVar, Final

import attrs
import numpy as np
from scipy.special import ndtr

from mlcore_microstructure._base import (
    BufferedStreamingIndicator,
    FloatArray,
    log_returns,
    positive_int,
    rolling,
)

__all__ = [
    "FLOW_COLUMNS",
    "BulkVolumeImbalance",
    "SignedFlowImbalance",
    "bvc_buy_fraction",
    "imbalance",
    "signed_flow",
]

#: The columns each ``flow`` reads, and how signed and total volume come from them:
#:
#: - ``side``: ``side`` (+1 buyer-initiated, -1 seller-initiated, 0 unknown; its sign is
#:   used) and ``volume``: signed = sign(side) * volume, total = volume;
#: - ``signed_volume``: ``signed_volume`` (buy minus sell) and ``volume``: total = volume;
#: - ``buy_sell``: ``buy_volume`` and ``sell_volume``: signed = buy - sell, total = buy + sell;
#: - ``buy_volume``: ``buy_volume`` and ``volume``: signed = 2 buy - volume, total = volume.
FLOW_COLUMNS: Final[Mapping[str, tuple[str, str]]] = {
    "side": ("side", "volume"),
    "signed_volume": ("signed_volume", "volume"),
    "buy_sell": ("buy_volume", "sell_volume"),
    "buy_volume": ("buy_volume", "volume"),
}


def signed_flow(flow: str, inputs: Mapping[str, FloatArray]) -> tuple[FloatArray, FloatArray]:
    """(signed volume, total volume) per bar from the columns of ``flow``."""
    if flow == "side":
        return np.sign(inputs["side"]) * inputs["volume"], inputs["volume"]
    if flow == "signed_volume":
        return inputs["signed_volume"], inputs["volume"]
    if flow == "buy_sell":
        buy, sell = inputs["buy_volume"], inputs["sell_volume"]
        return buy - sell, buy + sell
    if flow == "buy_volume":
        return 2.0 * inputs["buy_volume"] - inputs["volume"], inputs["volume"]
    raise ValueError(f"unknown flow {flow!r}; expected one of {', '.join(FLOW_COLUMNS)}")


def imbalance(signed: FloatArray, total: FloatArray) -> FloatArray:
    """Window reducer: ``sum(signed) / sum(total)``, 0 for a window without volume."""
    signed_sum, total_sum = signed.sum(axis=1), total.sum(axis=1)
    out = np.zeros(signed_sum.shape, dtype=np.float64)
    np.divide(signed_sum, total_sum, out=out, where=total_sum != 0)
    return out


def _std(values: FloatArray) -> FloatArray:
    deviations = values - values.mean(axis=1, keepdims=True)
    count = values.shape[1]
    return np.asarray(np.sqrt((deviations * deviations).sum(axis=1) / (count - 1)))


def bvc_buy_fraction(close: FloatArray, sigma_window: int) -> FloatArray:
    """Bulk-volume classification: the fraction of each bar's volume bought.

    ``Phi(r_t / sigma_t)`` with ``r_t`` the bar's log return, ``sigma_t`` the sample
    standard deviation (``ddof=1``) of the last ``sigma_window`` log returns (bars
    ``t - sigma_window + 1 .. t``: trailing, never the whole series) and ``Phi`` the
    standard normal CDF; 0.5 when ``sigma_t`` is 0. Always within [0, 1]. The first
    ``sigma_window`` rows are NaN.

    Easley, D., M. López de Prado and M. O'Hara (2012), "Flow Toxicity and Liquidity in a
    High-frequency World", Review of Financial Studies 25(5), 1457-1493.
    """
    returns = log_returns(close)
    sigma = rolling(sigma_window, _std, returns)
    z = np.zeros_like(returns)
    np.divide(returns, sigma, out=z, where=sigma > 0)
    z[np.isnan(sigma) | np.isnan(returns)] = np.nan
    return np.asarray(ndtr(z), dtype=np.float64)


@attrs.frozen
class SignedFlowImbalance(BufferedStreamingIndicator):
    """Order-flow imbalance from known trade sides: ``sum(buy - sell) / sum(buy + sell)``.

    Over the last ``window`` bars, with signed and total volume taken from the columns of
    ``flow`` (:data:`FLOW_COLUMNS`; ``inputs`` depends on it). Within [-1, 1] for
    consistent data; 0 for a window without volume. Output ``ofi_<window>_<flow>``;
    warmup ``window - 1``.
    """

    name: ClassVar[str] = "ofi"
    #: The default flow's columns; ``inputs`` gives those of the instance's ``flow``.
    input_columns: ClassVar[tuple[str, ...]] = FLOW_COLUMNS["buy_sell"]

    window: int = attrs.field(default=20, validator=positive_int(1))
    flow: str = attrs.field(default="buy_sell", validator=attrs.validators.in_(FLOW_COLUMNS))

    @property
    def inputs(self) -> tuple[str, ...]:
        return FLOW_COLUMNS[self.flow]

    @property
    def warmup(self) -> int:
        return self.window - 1

    def _kernel(self, inputs: Mapping[str, FloatArray]) -> FloatArray:
        signed, total = signed_flow(self.flow, inputs)
        return rolling(self.window, imbalance, signed, total)


@attrs.frozen
class BulkVolumeImbalance(BufferedStreamingIndicator):
    """Order-flow imbalance with bulk-volume classification, for bars without trade sides.

    Each bar's volume is split into buys ``V * Phi(r / sigma)`` and sells ``V - buys``
    (:func:`bvc_buy_fraction`, ``sigma`` over the last ``sigma_window`` returns), and the
    imbalance is ``sum(buys - sells) / sum(volume)`` over the last ``window`` bars, within
    [-1, 1]; 0 for a window without volume. Output ``ofi_bvc_<window>_<sigma_window>``;
    warmup ``sigma_window + window - 1``.

    Easley, López de Prado & O'Hara (2012), Review of Financial Studies 25(5), 1457-1493.
    """

    name: ClassVar[str] = "ofi_bvc"
    input_columns: ClassVar[tuple[str, ...]] = ("close", "volume")

    window: int = attrs.field(default=20, validator=positive_int(1))
    sigma_window: int = attrs.field(default=50, validator=positive_int(2))

    @property
    def warmup(self) -> int:
        return self.sigma_window + self.window - 1

    def _kernel(self, inputs: Mapping[str, FloatArray]) -> FloatArray:
        volume = inputs["volume"]
        buy_fraction = bvc_buy_fraction(inputs["close"], self.sigma_window)
        return rolling(self.window, imbalance, volume * (2.0 * buy_fraction - 1.0), volume)
