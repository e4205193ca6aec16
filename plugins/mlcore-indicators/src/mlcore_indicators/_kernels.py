"""Causal kernels shared by the indicator families: float64 arrays in, arrays out.

Every function returns arrays of the input's length; values that need more history than
exists are NaN. Row ``t`` of a result depends on rows ``<= t`` only. The loops behind
them live in ``_sequential`` (numba, imported on first use); each kernel has a bar-by-bar
twin in ``_streaming`` that ``update`` uses.

Two NaN conventions, each matching its reference:

- the TA-Lib family (``rolling_sum``, ``sma``, ``wma``, the exponential averages) skips
  leading NaNs and lets a later NaN spoil what it is carried into, as TA-Lib's loops do;
  an exponential average starts from the simple average of its first ``n`` values, so
  results match TA-Lib after its warm-up;
- the window family (``window_sum``, ``window_mean_var``, ``rolling_max``/``rolling_min``,
  ``rank_fraction``) gives NaN exactly where the window is incomplete or holds a NaN, so a
  NaN spoils the ``n`` windows that contain it and no other.

Precision: sums restart every ``n`` values (cumulative sums per block of ``n``), so their
rounding stays that of an ``n``-term sum however long the series. A variance from running
sums of raw prices loses digits to cancellation (squares of 2000.0 against a variance of
1.0); ``window_mean_var`` measures values from a reference close to the window (the last
value before the current block of ``n``), so its error stays that of ``n`` small offsets
however far prices drift.
"""

from __future__ import annotations

import functools
import math

import numpy as np

FloatArray = np.ndarray

#: A window whose standard deviation is at most this fraction of its mean's magnitude is
#: flat: ratios over its spread (%B, z-score, R^2) are undefined there, so NaN rather than a
#: ratio of rounding errors.
FLAT_TOLERANCE = 1e-9

#: A variance at most this fraction of the squared offsets summed into it may be pure
#: rounding: ``window_mean_var`` checks such a window for being constant (variance exactly
#: 0), as the streaming ``WindowMoments`` does with a run counter, so both agree on flat
#: stretches.
FLAT_NOISE = 1e-12

#: TA-Lib's TA_IS_ZERO: +DI + -DI (percentages) below this leaves DX undefined.
DI_ZERO = 1e-8


def nans(n: int) -> FloatArray:
    return np.full(n, np.nan)


#: Leading NaNs are a warm-up: ``first_valid`` looks at this many values before all.
_HEAD = 512


def first_valid(x: FloatArray) -> int:
    """Index of the first non-NaN value (``len(x)`` when there is none)."""
    if len(x) and x[0] == x[0]:
        return 0
    head = x[:_HEAD]
    valid = np.flatnonzero(head == head)
    if not valid.size and len(x) > _HEAD:
        valid = np.flatnonzero(~np.isnan(x))
    return int(valid[0]) if valid.size else len(x)


# ---------------------------------------------------------------------------
# TA-Lib's sums and averages
# ---------------------------------------------------------------------------


def rolling_sum(x: FloatArray, n: int) -> FloatArray:
    """Sum of the last ``n`` values; NaN until ``n`` values exist (a NaN spoils later sums).

    Leading NaNs are skipped (the sums start ``n - 1`` after the first valid value). Running
    totals restart every ``n`` values, so the rounding error stays that of an ``n``-term sum
    however long the series is. ``_streaming.RollingSum`` repeats it bar by bar, bit for bit.
    """
    start = first_valid(x)
    if len(x) - start < n:
        return nans(len(x))
    from mlcore_indicators._sequential import block_sums  # numba: imported on use

    return block_sums(x, n, start, False)


def rolling_weighted_sum(x: FloatArray, n: int) -> FloatArray:
    """``sum(k * x[t - n + k] for k in 1..n)``: the last ``n`` values weighted ``1..n``.

    From cumulative sums restarted every ``n`` values, positions counted from the start of
    the previous block: no term is larger than ``2 n`` times a value, and nothing is lost to
    cancellation however long the series is. ``_streaming.RollingWeightedSum`` repeats it.
    """
    start = first_valid(x)
    if len(x) - start < n:
        return nans(len(x))
    from mlcore_indicators._sequential import block_weighted_sums

    return block_weighted_sums(x, n, start)


def sma(x: FloatArray, n: int) -> FloatArray:
    """Simple moving average over ``n`` values."""
    return rolling_sum(x, n) / n


def wma(x: FloatArray, n: int) -> FloatArray:
    """Linearly weighted moving average, weights ``1..n`` (newest heaviest), as TA-Lib's WMA."""
    return rolling_weighted_sum(x, n) / (n * (n + 1) / 2.0)


def exponential(x: FloatArray, alpha: float, n: int, seed_at: int | None = None) -> FloatArray:
    """Exponential average with smoothing ``alpha``, seeded by the SMA of the first ``n`` values.

    The first value appears at index ``first_valid(x) + n - 1``, as in TA-Lib; ``seed_at``
    moves the seed later: the SMA of the ``n`` values ending at ``seed_at`` (TA-Lib's MACD
    seeds its fast average where the slow one starts).
    """
    seed_at, seed = _seed(x, n, seed_at)
    if seed_at >= len(x):
        return nans(len(x))
    from mlcore_indicators._sequential import linear_recurrence

    return linear_recurrence(x, alpha, 1.0 - alpha, seed_at, seed)


def exponential_pair(
    x: FloatArray, y: FloatArray, alpha: float, n: int
) -> tuple[FloatArray, FloatArray]:
    """``exponential(x, alpha, n)`` and ``exponential(y, alpha, n)`` for two series of one
    length (gains and losses, signed and absolute moves), computed side by side: twice the
    work in about the time of one."""
    from mlcore_indicators._sequential import linear_recurrence_pair

    seed_at_x, seed_x = _seed(x, n, None)
    seed_at_y, seed_y = _seed(y, n, None)
    return linear_recurrence_pair(
        x, y, alpha, 1.0 - alpha, (seed_at_x, seed_at_y), (seed_x, seed_y)
    )


def _seed(x: FloatArray, n: int, seed_at: int | None) -> tuple[int, float]:
    """Where an exponential average of ``x`` starts and its first value (the SMA there)."""
    start = first_valid(x)
    if seed_at is None or seed_at < start + n - 1:
        seed_at = start + n - 1
    if seed_at >= len(x):
        return seed_at, math.nan
    # np.mean's own arithmetic (a pairwise sum, then a division) without its overhead
    return seed_at, float(np.add.reduce(x[seed_at - n + 1 : seed_at + 1])) / n


def ema(x: FloatArray, n: int) -> FloatArray:
    """Exponential moving average, ``alpha = 2 / (n + 1)``, TA-Lib seeding."""
    return exponential(x, 2.0 / (n + 1.0), n)


def wilder(x: FloatArray, n: int) -> FloatArray:
    """Wilder's smoothing (RMA), ``alpha = 1 / n``, seeded by the SMA of the first ``n``."""
    return exponential(x, 1.0 / n, n)


def rolling_mean_deviation(x: FloatArray, n: int) -> tuple[FloatArray, FloatArray]:
    """Rolling mean of ``x`` and the mean absolute deviation from it, over ``n`` values.

    The deviations are added newest first, one lag at a time over the whole series.
    """
    from mlcore_indicators._sequential import mean_absolute_deviation

    mean = rolling_sum(x, n) / n
    return mean, mean_absolute_deviation(x, mean, n)


def directional_index(
    high: FloatArray, low: FloatArray, close: FloatArray, period: int
) -> tuple[FloatArray, FloatArray, FloatArray, FloatArray]:
    """(ADX, +DI, -DI, DX) as TA-Lib's ADX, PLUS_DI, MINUS_DI and DX compute them.

    Wilder's smoothing of +DM, -DM and the true range starts from their plain sums over
    bars 1..period-1; the DIs and DX exist from bar ``period``, the ADX from
    ``2 period - 1``. A bar whose DX is undefined (+DI + -DI within ``DI_ZERO`` of 0, or no
    range at all) leaves the ADX as it was and repeats the last DX, as TA-Lib does.
    """
    from mlcore_indicators._sequential import directional_index as loop

    adx, plus_di, minus_di, dx = loop(high, low, close, period)
    return adx, plus_di, minus_di, dx


# ---------------------------------------------------------------------------
# Windows that are NaN exactly where they hold a NaN
# ---------------------------------------------------------------------------


def window_sum(x: FloatArray, n: int) -> FloatArray:
    """Sum of the last ``n`` values (block sums, as :func:`rolling_sum`); NaN where the window
    is incomplete or holds a NaN. ``_streaming.WindowSum`` is its bar-by-bar twin."""
    if n > len(x):
        return nans(len(x))
    from mlcore_indicators._sequential import block_sums

    return block_sums(x, n, 0, True)


def window_mean_var(
    x: FloatArray, n: int, *, centered: bool = False
) -> tuple[FloatArray, FloatArray]:
    """Mean and population variance of the last ``n`` values.

    Values are measured from a reference per block of ``n`` positions (the last value of
    the block before); a window's sums are the prefix of its own block plus the suffix of
    the previous block, re-measured from the same reference. ``centered=True`` says the
    values already lie near 0 (returns): the reference is 0 and the re-measuring is skipped.
    ``_streaming.WindowMoments`` is its bar-by-bar twin.
    """
    from mlcore_indicators._sequential import block_mean_var

    mean, var = block_mean_var(x, n, centered)
    return mean, var


def flat(std: FloatArray, mean: FloatArray) -> FloatArray:
    """True where a window's spread is rounding noise next to its level (see FLAT_TOLERANCE)."""
    result: FloatArray = ~(std > FLAT_TOLERANCE * np.abs(mean))
    return result


def rolling_max(x: FloatArray, n: int) -> FloatArray:
    """Maximum of the last ``n`` values; NaN where the window is incomplete or holds a NaN."""
    return _rolling_extreme(x, n, np.maximum)


def rolling_min(x: FloatArray, n: int) -> FloatArray:
    """Minimum of the last ``n`` values; NaN where the window is incomplete or holds a NaN."""
    return _rolling_extreme(x, n, np.minimum)


def _rolling_extreme(x: FloatArray, n: int, op: np.ufunc) -> FloatArray:
    """Sparse-table doubling: level ``k`` holds ``op`` over the ``2**k`` values ending at t.

    A window of ``n`` is the union of two overlapping power-of-two ranges inside it, so
    each value is exact, a NaN anywhere in the window makes it NaN (``op`` propagates NaN;
    a NaN that left the window leaves no trace), and there are no data-dependent branches:
    ``log2(n) + 1`` vector passes, faster than a monotonic deque for the periods in use.
    """
    size = len(x)
    out = nans(size)
    if n > size:
        return out
    level = x
    span = 1
    while span * 2 <= n:
        # Entries below index 2*span - 1 of the new level are never read; leave them unset.
        doubled = np.empty(size)
        op(level[span:], level[:-span], out=doubled[span:])
        level = doubled
        span *= 2
    op(level[n - 1 :], level[span - 1 : size - n + span], out=out[n - 1 :])
    return out


def prior_max(x: FloatArray, n: int) -> FloatArray:
    """Maximum of the ``n`` values before ``t`` (``t`` itself excluded)."""
    out = nans(len(x))
    if n < len(x):
        out[n:] = rolling_max(x, n)[n - 1 : -1]
    return out


def prior_min(x: FloatArray, n: int) -> FloatArray:
    """Minimum of the ``n`` values before ``t`` (``t`` itself excluded)."""
    out = nans(len(x))
    if n < len(x):
        out[n:] = rolling_min(x, n)[n - 1 : -1]
    return out


def rank_fraction(x: FloatArray, n: int) -> FloatArray:
    """Fraction of the last ``n`` values (the current one included) that are <= the current.

    NaN where the window is incomplete or holds a NaN. ``_streaming.WindowRank`` is its twin.
    """
    from mlcore_indicators._sequential import rank_fraction as ranks

    return ranks(x, n)


def regression_slope(y: FloatArray, n: int) -> FloatArray:
    """Least-squares slope of the last ``n`` values against ``0..n-1`` (per bar).

    A fixed-weight filter (weights ``j - (n-1)/2``) in C: exact to an ``n``-term dot product.
    """
    out = nans(len(y))
    if n <= len(y):
        out[n - 1 :] = np.convolve(y, _slope_filter(n), mode="valid") / time_sum_of_squares(n)
    return out


@functools.lru_cache(maxsize=64)
def _slope_filter(n: int) -> FloatArray:
    """The regression weights ``j - (n-1)/2``, reversed for ``np.convolve`` (read-only)."""
    weights = np.arange(n, dtype=np.float64) - (n - 1) / 2.0
    weights.flags.writeable = False
    reversed_weights: FloatArray = weights[::-1]
    return reversed_weights


def time_sum_of_squares(n: int) -> float:
    """``sum((j - (n-1)/2)**2 for j in range(n))``: the spread of the regression's x."""
    return n * (n * n - 1) / 12.0


# ---------------------------------------------------------------------------
# Small elementwise kernels
# ---------------------------------------------------------------------------


def shift(x: FloatArray, k: int = 1) -> FloatArray:
    """``x`` delayed by ``k >= 0`` bars (the value ``k`` bars ago)."""
    out = nans(len(x))
    if 0 < k < len(x):
        out[k:] = x[:-k]
    elif k == 0:
        out[:] = x
    return out


def diff(x: FloatArray, k: int = 1) -> FloatArray:
    """``x[t] - x[t - k]``."""
    change: FloatArray = x - shift(x, k)
    return change


def true_range(high: FloatArray, low: FloatArray, close: FloatArray) -> FloatArray:
    """Wilder's true range; NaN on the first bar (as TA-Lib's TRANGE) and where an input is NaN."""
    previous = shift(close)
    span: FloatArray = np.maximum(high, previous) - np.minimum(low, previous)
    return span


def rate_of_change(x: FloatArray, previous: FloatArray) -> FloatArray:
    """TA-Lib's ROC: ``(x / previous - 1) * 100``, 0 where ``previous`` is 0."""
    with np.errstate(divide="ignore", invalid="ignore"):
        change = (x / previous - 1.0) * 100.0
    out: FloatArray = np.where(previous == 0.0, 0.0, change)
    return out


def log_returns(close: FloatArray) -> FloatArray:
    """``log(close[t] / close[t-1])``, NaN on the first bar."""
    out = nans(len(close))
    with np.errstate(divide="ignore", invalid="ignore"):
        np.log(np.divide(close[1:], close[:-1], out=out[1:]), out=out[1:])
    return out
