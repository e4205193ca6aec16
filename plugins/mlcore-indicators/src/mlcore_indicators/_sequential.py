"""numba loops behind ``_kernels`` and a few indicators: recurrences, sliding windows, and
single passes that replace chains of whole-array numpy operations.

Imported lazily, inside the functions that call them, so loading the plugin never imports
numba. Each loop writes row ``t`` from rows ``<= t`` only. Where a loop replaced a numpy
formulation it repeats its arithmetic operation for operation (numba neither reorders nor
fuses floating-point operations without ``fastmath``), so results are the same to the bit
and the streaming twins in ``_streaming`` keep agreeing with them. One pass over the rows
instead of several whole-array temporaries also keeps long series in cache.
``cache=True`` keeps the compiled code next to this file between processes.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from mlcore_indicators._kernels import DI_ZERO, FLAT_NOISE

FloatArray = np.ndarray


@njit(cache=True)
def linear_recurrence(
    x: FloatArray, gain: float, decay: float, start: int, initial: float
) -> FloatArray:  # pragma: no cover - compiled
    """``y[start] = initial``, then ``y[t] = x[t] * gain + y[t - 1] * decay``; NaN before.

    The exponential averages' recursion (a first-order IIR filter, like scipy's lfilter
    but without its per-call overhead); a NaN spoils every later value.
    """
    n = x.shape[0]
    out = np.full(n, np.nan)
    if start >= n:
        return out
    value = initial
    out[start] = value
    for t in range(start + 1, n):
        value = x[t] * gain + value * decay
        out[t] = value
    return out


@njit(cache=True)
def linear_recurrence_pair(
    x: FloatArray,
    y: FloatArray,
    gain: float,
    decay: float,
    starts: tuple[int, int],
    initials: tuple[float, float],
) -> tuple[FloatArray, FloatArray]:  # pragma: no cover - compiled
    """:func:`linear_recurrence` of ``x`` and of ``y`` side by side, in one loop.

    The two recursions are independent, so the processor overlaps them: about the time
    of one. Each value is computed exactly as :func:`linear_recurrence` computes it.
    """
    n = x.shape[0]
    out_x = np.full(n, np.nan)
    out_y = np.full(n, np.nan)
    start_x, start_y = starts
    value_x, value_y = initials
    if start_x < n:
        out_x[start_x] = value_x
    if start_y < n:
        out_y[start_y] = value_y
    for t in range(min(start_x, start_y) + 1, n):
        if t > start_x:
            value_x = x[t] * gain + value_x * decay
            out_x[t] = value_x
        if t > start_y:
            value_y = y[t] * gain + value_y * decay
            out_y[t] = value_y
    return out_x, out_y


@njit(cache=True)
def parabolic_sar(
    high: FloatArray, low: FloatArray, acceleration: float, maximum: float
) -> tuple[FloatArray, FloatArray]:  # pragma: no cover - compiled
    """TA-Lib's SAR, step for step: the first bar's direction from its -DM, SAR from bar 1.

    Also returns the position after each bar: +1 long, -1 short (the sign of TA-Lib's
    SAREXT).
    """
    n = high.shape[0]
    out = np.full(n, np.nan)
    trend = np.full(n, np.nan)
    if n < 2:
        return out, trend
    if acceleration > maximum:
        acceleration = maximum
    # Short when bar 1 has a down move (TA-Lib's MINUS_DM over one bar), long otherwise.
    diff_minus = low[0] - low[1]
    diff_plus = high[1] - high[0]
    is_long = not (diff_minus > 0.0 and diff_plus < diff_minus)
    af = acceleration
    if is_long:
        ep = high[1]
        sar = low[0]
    else:
        ep = low[1]
        sar = high[0]
    new_low = low[1]
    new_high = high[1]
    for today in range(1, n):
        prev_low = new_low
        prev_high = new_high
        new_low = low[today]
        new_high = high[today]
        if is_long:
            if new_low <= sar:
                is_long = False
                sar = ep
                if sar < prev_high:
                    sar = prev_high
                if sar < new_high:
                    sar = new_high
                out[today] = sar
                af = acceleration
                ep = new_low
                sar = sar + af * (ep - sar)
                if sar < prev_high:
                    sar = prev_high
                if sar < new_high:
                    sar = new_high
            else:
                out[today] = sar
                if new_high > ep:
                    ep = new_high
                    af += acceleration
                    if af > maximum:
                        af = maximum
                sar = sar + af * (ep - sar)
                if sar > prev_low:
                    sar = prev_low
                if sar > new_low:
                    sar = new_low
        else:
            if new_high >= sar:
                is_long = True
                sar = ep
                if sar > prev_low:
                    sar = prev_low
                if sar > new_low:
                    sar = new_low
                out[today] = sar
                af = acceleration
                ep = new_high
                sar = sar + af * (ep - sar)
                if sar > prev_low:
                    sar = prev_low
                if sar > new_low:
                    sar = new_low
            else:
                out[today] = sar
                if new_low < ep:
                    ep = new_low
                    af += acceleration
                    if af > maximum:
                        af = maximum
                sar = sar + af * (ep - sar)
                if sar < prev_high:
                    sar = prev_high
                if sar < new_high:
                    sar = new_high
        trend[today] = 1.0 if is_long else -1.0
    return out, trend


@njit(cache=True)
def adaptive_average(
    x: FloatArray, smoothing: FloatArray, start: int
) -> FloatArray:  # pragma: no cover - compiled
    """``y[t] = y[t-1] + smoothing[t] * (x[t] - y[t-1])`` from ``y[start - 1] = x[start - 1]``.

    KAMA's recurrence (TA-Lib's order of operations); NaN before ``start``.
    """
    n = x.shape[0]
    out = np.full(n, np.nan)
    if start < 1 or start >= n:
        return out
    value = x[start - 1]
    for t in range(start, n):
        value = ((x[t] - value) * smoothing[t]) + value
        out[t] = value
    return out


@njit(cache=True)
def extreme_ages(
    high: FloatArray, low: FloatArray, n: int
) -> tuple[FloatArray, FloatArray]:  # pragma: no cover - compiled
    """Bars since the highest ``high`` and the lowest ``low`` of the last ``n`` bars.

    Monotonic deques of bar indices (each index enters once, so plain arrays with
    advancing head and tail serve as the deques), the most recent bar winning ties as in
    TA-Lib's AROON; NaN for the first ``n - 1`` bars and for windows holding a NaN.
    """
    size = high.shape[0]
    high_age = np.full(size, np.nan)
    low_age = np.full(size, np.nan)
    high_queue = np.empty(size, dtype=np.int64)
    low_queue = np.empty(size, dtype=np.int64)
    high_head = high_tail = low_head = low_tail = 0  # live entries: queue[head:tail]
    last_nan = -n
    for t in range(size):
        h = high[t]
        lo = low[t]
        if h != h or lo != lo:
            last_nan = t
            high_head = high_tail
            low_head = low_tail
            continue
        while high_tail > high_head and high[high_queue[high_tail - 1]] <= h:
            high_tail -= 1
        high_queue[high_tail] = t
        high_tail += 1
        if high_queue[high_head] <= t - n:
            high_head += 1
        while low_tail > low_head and low[low_queue[low_tail - 1]] >= lo:
            low_tail -= 1
        low_queue[low_tail] = t
        low_tail += 1
        if low_queue[low_head] <= t - n:
            low_head += 1
        if t >= n - 1 and t - last_nan >= n:
            high_age[t] = t - high_queue[high_head]
            low_age[t] = t - low_queue[low_head]
    return high_age, low_age


# ---------------------------------------------------------------------------
# Sliding windows
# ---------------------------------------------------------------------------


@njit(cache=True)
def block_sums(
    x: FloatArray, n: int, start: int, zero_missing: bool
) -> FloatArray:  # pragma: no cover - compiled
    """Sums of the last ``n`` values from cumulative sums restarted every ``n`` values.

    Blocks of ``n`` start at ``start``; the window ending at offset ``j`` of a block is the
    block up to ``j`` plus the previous block after ``j`` (its total minus its running sum
    at ``j``). NaN for the first ``n - 1`` values from ``start``. A NaN spoils what the
    running sums carry it into, unless ``zero_missing``: then it counts as 0 and exactly the
    ``n`` windows holding it are NaN.
    """
    size = x.shape[0]
    out = np.full(size, np.nan)
    previous = np.zeros(n)
    current = np.zeros(n)
    previous_total = 0.0
    last_missing = -n
    for block in range(start, size, n):
        running = 0.0
        for j in range(n):
            i = block + j
            value = x[i] if i < size else 0.0  # the last block is padded with zeros
            if zero_missing and value != value:
                value = 0.0
                last_missing = i
            running = value if j == 0 else running + value
            current[j] = running
            if i < size and i - start >= n - 1 and i - last_missing >= n:
                if block == start:
                    out[i] = running
                else:
                    out[i] = running + (previous_total - previous[j])
        previous, current = current, previous
        previous_total = running
    return out


@njit(cache=True)
def block_weighted_sums(x: FloatArray, n: int, start: int) -> FloatArray:  # pragma: no cover
    """``sum(k * x[t - n + k] for k in 1..n)`` from block-restarted cumulative sums.

    As :func:`block_sums`, with positions counted from the start of the previous block:
    block ``b - 1`` after ``j`` has weights ``i - j``, block ``b`` up to ``j`` has
    ``n + i - j``, so no term exceeds ``2 n`` times a value.
    """
    size = x.shape[0]
    out = np.full(size, np.nan)
    plain_before = np.zeros(n)
    weighted_before = np.zeros(n)
    plain_now = np.zeros(n)
    weighted_now = np.zeros(n)
    plain_total = weighted_total = 0.0
    for block in range(start, size, n):
        plain = weighted = 0.0
        for j in range(n):
            i = block + j
            value = x[i] if i < size else 0.0
            offset = float(j)
            if j == 0:
                plain = value
                weighted = value * offset
            else:
                plain = plain + value
                weighted = weighted + value * offset
            plain_now[j] = plain
            weighted_now[j] = weighted
            if i < size and i - start >= n - 1:
                total = (n - offset) * plain + weighted
                if block != start:
                    total = total + (
                        (weighted_total - weighted_before[j])
                        - offset * (plain_total - plain_before[j])
                    )
                out[i] = total
        plain_before, plain_now = plain_now, plain_before
        weighted_before, weighted_now = weighted_now, weighted_before
        plain_total = plain
        weighted_total = weighted
    return out


@njit(cache=True)
def block_mean_var(
    x: FloatArray, n: int, centered: bool
) -> tuple[FloatArray, FloatArray]:  # pragma: no cover - compiled
    """Mean and population variance of the last ``n`` values (see ``_kernels.window_mean_var``).

    Per block of ``n`` positions the values are measured from a reference (the first finite
    value for block 0, then the last value before the block, carried over a NaN; 0 when
    ``centered``); a window's sums are its block's running sums plus the previous block's
    sums after ``j``, moved to the same reference. A variance within rounding noise of 0 is
    0 exactly when the window is constant. NaN where the window is incomplete or holds a NaN.
    """
    size = x.shape[0]
    mean = np.full(size, np.nan)
    var = np.full(size, np.nan)
    if n > size:
        return mean, var
    reference = 0.0
    if not centered:
        for i in range(size):
            value = x[i]
            if value - value == 0.0:  # finite
                reference = value
                break
    previous_reference = reference
    delta = 0.0
    sum1_before = np.zeros(n)
    sum2_before = np.zeros(n)
    sum1_now = np.zeros(n)
    sum2_now = np.zeros(n)
    mass_before = 0.0
    last_missing = -n
    for block in range(0, size, n):
        if block > 0 and not centered:
            candidate = x[block - 1]
            if candidate == candidate:
                reference = candidate
            delta = previous_reference - reference
        sum1 = sum2 = 0.0
        for j in range(n):
            i = block + j
            value = x[i] if i < size else 0.0  # the last block is padded with zeros
            if value != value:
                value = 0.0
            offset = value if centered else value - reference
            if j == 0:
                sum1 = offset
                sum2 = offset * offset
            else:
                sum1 = sum1 + offset
                sum2 = sum2 + offset * offset
            sum1_now[j] = sum1
            sum2_now[j] = sum2
        # Rounding in a window's sums is a few ulps of the squared offsets that entered
        # them: those of its block and of the previous one (re-measured).
        mass = sum2
        if block > 0:
            if centered:
                mass = mass + mass_before
            else:
                mass = mass + 2.0 * (mass_before + n * delta * delta)
        for j in range(min(n, size - block)):
            i = block + j
            if x[i] != x[i]:
                last_missing = i
            if i < n - 1 or i - last_missing < n:
                continue
            total1 = sum1_now[j]
            total2 = sum2_now[j]
            if block > 0:
                after1 = sum1_before[n - 1] - sum1_before[j]
                after2 = sum2_before[n - 1] - sum2_before[j]
                if not centered:
                    count = float(n - 1 - j)
                    after2 = after2 + delta * (2.0 * after1 + count * delta)
                    after1 = after1 + count * delta
                total1 = total1 + after1
                total2 = total2 + after2
            total1 = total1 / n
            total2 = total2 / n
            squared = total1 * total1
            total2 = total2 - squared
            if not total2 > 0.0 and total2 == total2:
                total2 = 0.0
            if total2 <= (squared + mass / n) * FLAT_NOISE:
                # A constant window's variance is 0, not the rounding left in its sums.
                first = x[i]
                constant = True
                for w in range(i - n + 1, i):
                    if x[w] != first:
                        constant = False
                        break
                if constant:
                    total2 = 0.0
            mean[i] = total1 + reference
            var[i] = total2
        sum1_before, sum1_now = sum1_now, sum1_before
        sum2_before, sum2_now = sum2_now, sum2_before
        mass_before = sum2
        previous_reference = reference
    return mean, var


@njit(cache=True)
def rank_fraction(x: FloatArray, n: int) -> FloatArray:  # pragma: no cover - compiled
    """Fraction of the last ``n`` values (the current one included) that are <= the current.

    NaN where the window is incomplete or holds a NaN. Counting per window (O(n) a value,
    vectorized) beats keeping a sorted window for the periods in use.
    """
    size = x.shape[0]
    out = np.full(size, np.nan)
    last_missing = -n
    for t in range(size):
        current = x[t]
        if current != current:
            last_missing = t
        if t < n - 1 or t - last_missing < n:
            continue
        window = x[t - n + 1 : t]
        count = 1
        for i in range(n - 1):
            count += window[i] <= current
        out[t] = count / n
    return out


@njit(cache=True)
def mean_absolute_deviation(
    x: FloatArray, mean: FloatArray, n: int
) -> FloatArray:  # pragma: no cover - compiled
    """``sum(|x[t - lag] - mean[t]| for lag in 0..n-1) / n``, lags added in that order."""
    size = x.shape[0]
    total = np.abs(x - mean)
    for lag in range(1, min(n, size)):
        earlier = x[: size - lag]
        centre = mean[lag:]
        part = total[lag:]
        for i in range(size - lag):
            part[i] += abs(earlier[i] - centre[i])
    deviation: FloatArray = total / n
    return deviation


@njit(cache=True)
def nearest_levels(
    levels: FloatArray,
    confirmed: np.ndarray,
    close: FloatArray,
    order: int,
    lookback: int,
    above: bool,
    fallback: FloatArray,
) -> FloatArray:  # pragma: no cover - compiled
    """Per bar: the nearest swing level on one side of the close, else ``fallback``.

    ``confirmed[t]`` marks a swing at bar ``t - order`` with level ``levels[t - order]``;
    a level counts from its confirmation while its swing bar lies in the last ``lookback``
    bars. ``above``: the lowest level >= close, else the highest level <= close; where
    there is none (or it is infinite), ``fallback[t]``. NaN for the first ``lookback - 1``
    bars.
    """
    size = close.shape[0]
    none = np.inf if above else -np.inf
    best = np.full(size, np.nan)
    swing_bars = np.empty(size, dtype=np.int64)
    swing_levels = np.empty(size)
    head = tail = 0  # live swings: [head, tail)
    for t in range(size):
        if confirmed[t]:
            swing_bars[tail] = t - order
            swing_levels[tail] = levels[t - order]
            tail += 1
        while head < tail and swing_bars[head] <= t - lookback:
            head += 1
        if t < lookback - 1:
            continue
        price = close[t]
        nearest = none
        for i in range(head, tail):
            level = swing_levels[i]
            if above:
                if level >= price and level < nearest:
                    nearest = level
            elif level <= price and level > nearest:
                nearest = level
        best[t] = fallback[t] if nearest == np.inf or nearest == -np.inf else nearest
    return best


@njit(cache=True)
def money_flows(
    high: FloatArray, low: FloatArray, close: FloatArray, volume: FloatArray
) -> tuple[FloatArray, FloatArray]:  # pragma: no cover - compiled
    """Typical-price money flow (``(high + low + close) / 3 * volume``) of the bars whose
    typical price rose, and of those whose typical price fell (0.0 otherwise); NaN on the
    first bar and where an input is NaN."""
    size = close.shape[0]
    positive = np.empty(size)
    negative = np.empty(size)
    previous = np.nan
    for t in range(size):
        typical = (high[t] + low[t] + close[t]) / 3.0
        flow = typical * volume[t]
        move = typical - previous
        previous = typical
        if move != move or flow != flow:
            positive[t] = negative[t] = np.nan
        else:
            positive[t] = flow if move > 0.0 else 0.0
            negative[t] = flow if move < 0.0 else 0.0
    return positive, negative


@njit(cache=True)
def breakout_flags(
    close: FloatArray, ceiling: FloatArray, floor: FloatArray
) -> tuple[FloatArray, FloatArray]:  # pragma: no cover - compiled
    """1.0 where the close is above ``ceiling`` (below ``floor``), else 0.0; NaN where
    either side of the comparison is NaN."""
    size = close.shape[0]
    up = np.empty(size)
    down = np.empty(size)
    for t in range(size):
        price = close[t]
        high = ceiling[t]
        low = floor[t]
        up[t] = np.nan if high != high or price != price else (1.0 if price > high else 0.0)
        down[t] = np.nan if low != low or price != price else (1.0 if price < low else 0.0)
    return up, down


# ---------------------------------------------------------------------------
# Directional movement (ADX)
# ---------------------------------------------------------------------------


@njit(cache=True, error_model="numpy")
def directional_index(
    high: FloatArray, low: FloatArray, close: FloatArray, period: int
) -> tuple[FloatArray, FloatArray, FloatArray, FloatArray]:  # pragma: no cover - compiled
    """(ADX, +DI, -DI, DX) as TA-Lib's ADX, PLUS_DI, MINUS_DI and DX compute them.

    +DM, -DM and the true range are smoothed Wilder's way from their plain sums over bars
    1..period-1 (``s = s * (1 - 1/period) + v``); the DIs and DX exist from bar
    ``period``. A bar whose DX is undefined (no range, or +DI + -DI within ``DI_ZERO`` of
    0) is skipped: the ADX holds and DX repeats the last defined one (0 before any). The
    ADX starts at ``2 period - 1`` from the mean of the DX of bars ``period..2 period - 1``.
    """
    size = close.shape[0]
    adx = np.full(size, np.nan)
    plus_di = np.full(size, np.nan)
    minus_di = np.full(size, np.nan)
    held = np.full(size, np.nan)
    if size < period:
        return adx, plus_di, minus_di, held
    decay = 1.0 - 1.0 / period
    first = 2 * period - 1
    plus = minus = total = 0.0
    last_dx = 0.0
    dx_sum = 0.0
    value = 0.0
    for t in range(1, size):
        up = high[t] - high[t - 1]
        down = low[t - 1] - low[t]
        if up != up or down != down:
            plus_dm = minus_dm = np.nan
        else:
            plus_dm = up if up > 0.0 and up > down else 0.0
            minus_dm = down if down > 0.0 and up < down else 0.0
        previous = close[t - 1]
        h = high[t]
        lo = low[t]
        if h != h or lo != lo or previous != previous:
            true_range = np.nan
        else:
            true_range = (h if h > previous else previous) - (lo if lo < previous else previous)
        if t < period:  # the seeds: plain sums over bars 1..period-1
            if t == 1:
                plus, minus, total = plus_dm, minus_dm, true_range
            else:
                plus = plus + plus_dm
                minus = minus + minus_dm
                total = total + true_range
            continue
        plus = plus_dm * 1.0 + plus * decay
        minus = minus_dm * 1.0 + minus * decay
        total = true_range * 1.0 + total * decay
        flat = total == 0.0
        plus_value = 0.0 if flat else 100.0 * (plus / total)
        minus_value = 0.0 if flat else 100.0 * (minus / total)
        plus_di[t] = plus_value
        minus_di[t] = minus_value
        both = minus_value + plus_value
        dx = 100.0 * (abs(minus_value - plus_value) / both)
        skip = flat or (both > -DI_ZERO and both < DI_ZERO)
        if not skip:
            last_dx = dx
        held[t] = last_dx
        if t <= first:
            term = 0.0 if skip else dx
            dx_sum = term if t == period else dx_sum + term
            if t == first:
                value = dx_sum / period
                adx[t] = value
        else:
            if not skip:
                value = (value * (period - 1) + dx) / period
            adx[t] = value
    return adx, plus_di, minus_di, held
