"""Jump detection from bipower variation, over trailing windows of bar returns.

- :class:`BipowerJumpTest` (``bv_jump``): the Barndorff-Nielsen & Shephard (2006) test in
  its ratio form (Huang & Tauchen 2005), comparing realized variance with bipower
  variation over the last ``window`` returns.
- :class:`LeeMyklandJump` (``lm_jump``): the Lee & Mykland (2008) statistic of each bar's
  return against the bipower volatility of the bars before it, and a jump flag.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import ClassVar, Final

import attrs
import numpy as np

from mlcore_microstructure._base import (
    BufferedStreamingIndicator,
    FloatArray,
    lagged,
    log_returns,
    positive_int,
    rolling,
)

__all__ = [
    "MU_1",
    "MU_4_3",
    "THETA",
    "BipowerJumpTest",
    "LeeMyklandJump",
    "lee_mykland_critical_value",
]

#: ``E|Z| = sqrt(2 / pi)`` for a standard normal Z.
MU_1: Final = math.sqrt(2.0 / math.pi)
#: ``E|Z|^(4/3) = 2^(2/3) Gamma(7/6) / Gamma(1/2)``.
MU_4_3: Final = 2.0 ** (2.0 / 3.0) * math.gamma(7.0 / 6.0) / math.gamma(0.5)
#: Asymptotic variance factor of (RV - BV) / RV: ``(pi/2)^2 + pi - 5``.
THETA: Final = (math.pi / 2.0) ** 2 + math.pi - 5.0


def _bipower_reducer(returns: FloatArray, pairs: FloatArray, triples: FloatArray) -> FloatArray:
    n = returns.shape[1]
    realized = (returns * returns).sum(axis=1)
    # the first pair and the first two triples reach back before the window
    bipower = (math.pi / 2.0) * (n / (n - 1)) * pairs[:, 1:].sum(axis=1)
    tripower = n * MU_4_3**-3 * (n / (n - 2)) * triples[:, 2:].sum(axis=1)
    relative_jump = (realized - bipower) / realized
    z = relative_jump / np.sqrt(THETA / n * np.maximum(1.0, tripower / (bipower * bipower)))
    return np.column_stack((z, relative_jump))


@attrs.frozen
class BipowerJumpTest(BufferedStreamingIndicator):
    """Barndorff-Nielsen & Shephard jump test over the last ``window`` log returns.

    With the window's ``n = window`` returns ``r_1 .. r_n``::

        RV = sum r_i^2
        BV = (pi / 2) (n / (n - 1)) sum_{i=2..n} |r_i| |r_{i-1}|
        TQ = n mu_{4/3}^-3 (n / (n - 2)) sum_{i=3..n} |r_i r_{i-1} r_{i-2}|^(4/3)
        RJ = (RV - BV) / RV
        z  = RJ / sqrt(((pi/2)^2 + pi - 5) / n * max(1, TQ / BV^2))

    ``z`` is asymptotically standard normal without jumps; large positive values signal
    a jump inside the window (one-sided test: compare with 2.33 at 1%, 3.09 at 0.1%).
    Outputs ``bv_jump_<window>`` (z) and ``bv_jump_rj_<window>`` (RJ, the share of the
    realized variance attributed to jumps; negative when BV > RV). Warmup ``window``;
    NaN for a window without any price change.

    Barndorff-Nielsen, O. E., and N. Shephard (2006), "Econometrics of Testing for Jumps
    in Financial Economics Using Bipower Variation", Journal of Financial Econometrics
    4(1), 1-30; Huang, X., and G. Tauchen (2005), "The Relative Contribution of Jumps to
    Total Price Variance", Journal of Financial Econometrics 3(4), 456-499.
    """

    name: ClassVar[str] = "bv_jump"
    input_columns: ClassVar[tuple[str, ...]] = ("close",)
    output_suffixes: ClassVar[tuple[str, ...]] = ("", "rj")

    window: int = attrs.field(default=50, validator=positive_int(3))

    @property
    def warmup(self) -> int:
        return self.window

    def _kernel(self, inputs: Mapping[str, FloatArray]) -> FloatArray:
        returns = log_returns(inputs["close"])
        size = np.abs(returns)
        pairs = size * lagged(size)
        triples = (pairs * lagged(size, 2)) ** (4.0 / 3.0)
        return rolling(self.window, _bipower_reducer, returns, pairs, triples, outputs=2)


def lee_mykland_critical_value(n: int, alpha: float = 0.01) -> float:
    """Lee & Mykland's threshold for ``|L|``: the ``1 - alpha`` quantile of the maximum of
    ``n`` statistics under no jumps (their Gumbel limit), ``C_n + S_n * beta*`` with::

        c = sqrt(2 / pi),  C_n = sqrt(2 log n) / c - (log pi + log log n) / (2 c sqrt(2 log n))
        S_n = 1 / (c sqrt(2 log n)),  beta* = -log(-log(1 - alpha))

    ``n`` is the number of bars the test is run on (e.g. a day's or a year's bars).
    """
    if n < 3:
        raise ValueError(f"n must be at least 3, got {n}")
    if not 0 < alpha < 1:
        raise ValueError(f"alpha must be in (0, 1), got {alpha}")
    root = math.sqrt(2.0 * math.log(n))
    c_n = root / MU_1 - (math.log(math.pi) + math.log(math.log(n))) / (2.0 * MU_1 * root)
    s_n = 1.0 / (MU_1 * root)
    return c_n + s_n * -math.log(-math.log(1.0 - alpha))


@attrs.frozen
class LeeMyklandJump(BufferedStreamingIndicator):
    """Lee & Mykland (2008) jump statistic of each bar, and a flag above ``threshold``.

    ``L_t = r_t / sigma_t`` with ``r_t`` the bar's log return and
    ``sigma_t^2 = 1 / (K - 2) * sum_{j=t-K+2..t-1} |r_j| |r_{j-1}|``, the bipower
    variation of the ``K - 1`` returns *before* t (``K = window``), so a jump at t does
    not inflate its own yardstick. Without jumps ``L_t`` is about ``Z / sqrt(2/pi)``
    (Z standard normal). Outputs ``lm_jump_<window>_<threshold>`` (the signed L_t) and
    ``lm_jump_flag_<window>_<threshold>`` (1.0 when ``|L_t| > threshold``, else 0.0).
    The default threshold 4 is exceeded by a jump-free bar with probability
    ``2 (1 - Phi(4 sqrt(2/pi))) ~ 0.0014``; :func:`lee_mykland_critical_value` gives the
    paper's Gumbel threshold for a family of n bars. Warmup ``window``; NaN where the
    preceding bars did not move (``sigma_t = 0``). Lee & Mykland suggest ``K`` between
    ``sqrt(252 * bars per day)`` and ``252 * bars per day`` (16 for daily bars).

    Lee, S. S., and P. A. Mykland (2008), "Jumps in Financial Markets: A New
    Nonparametric Test and Jump Dynamics", Review of Financial Studies 21(6), 2535-2563.
    """

    name: ClassVar[str] = "lm_jump"
    input_columns: ClassVar[tuple[str, ...]] = ("close",)
    output_suffixes: ClassVar[tuple[str, ...]] = ("", "flag")

    window: int = attrs.field(default=16, validator=positive_int(3))
    threshold: float = attrs.field(
        default=4.0,
        validator=[
            attrs.validators.instance_of((int, float)),
            attrs.validators.gt(0.0),
            attrs.validators.lt(math.inf),
        ],
    )

    @property
    def warmup(self) -> int:
        return self.window

    def _kernel(self, inputs: Mapping[str, FloatArray]) -> FloatArray:
        returns = log_returns(inputs["close"])
        size = np.abs(returns)
        pairs = size * lagged(size)
        threshold = self.threshold

        def reducer(window_returns: FloatArray, window_pairs: FloatArray) -> FloatArray:
            k = window_returns.shape[1]
            variance = window_pairs[:, 1:-1].sum(axis=1) / (k - 2)
            statistic = np.full(variance.shape, np.nan)
            np.divide(window_returns[:, -1], np.sqrt(variance), out=statistic, where=variance > 0)
            flag = np.where(np.isnan(statistic), np.nan, np.abs(statistic) > threshold)
            return np.column_stack((statistic, flag))

        return rolling(self.window, reducer, returns, pairs, outputs=2)
