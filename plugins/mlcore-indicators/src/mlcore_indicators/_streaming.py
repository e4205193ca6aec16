"""Bar-by-bar twins of the kernels in ``_kernels``: plain Python floats, a few microseconds
a bar, no numpy per bar.

Each class repeats, one value at a time, the arithmetic of its kernel so that ``update``
agrees with ``compute``: the TA-Lib-style sums bit for bit (the same block-restarted
cumulative sums, which also keeps their rounding from drifting on endless streams), the
window statistics to rounding (they recompute their sums exactly every ``n`` values, from
a reference close to the window, as ``window_mean_var`` measures each block). Like the
kernels, each follows one of the two NaN conventions of ``_kernels``.

| kernel | twin |
| --- | --- |
| ``rolling_sum`` | :class:`RollingSum` |
| ``rolling_weighted_sum`` | :class:`RollingWeightedSum` |
| ``exponential`` | :class:`Exponential` |
| ``shift`` | :class:`Lag` |
| ``rolling_max`` / ``rolling_min`` (and Aroon's ages) | :class:`RollingExtreme` |
| ``window_sum`` | :class:`WindowSum` |
| ``window_mean_var`` | :class:`WindowMoments` |
| ``rank_fraction`` | :class:`WindowRank` |
"""

from __future__ import annotations

import math
from bisect import bisect_left, bisect_right, insort
from collections import deque

NAN = math.nan


def divide(numerator: float, denominator: float) -> float:
    """``numerator / denominator`` as numpy divides floats (inf or NaN for a zero denominator)."""
    try:
        return numerator / denominator
    except ZeroDivisionError:
        if numerator != numerator or numerator == 0.0:
            return NAN
        return math.copysign(math.inf, numerator) * math.copysign(1.0, denominator)


def rate_of_change(x: float, previous: float) -> float:
    """:func:`_kernels.rate_of_change` of one value: ``(x / previous - 1) * 100``, 0 where
    ``previous`` is 0."""
    return 0.0 if previous == 0.0 else (x / previous - 1.0) * 100.0


def true_range(high: float, low: float, previous: float) -> float:
    """Wilder's true range as :func:`_kernels.true_range`: NaN when an input is NaN."""
    if high != high or low != low or previous != previous:
        return NAN
    return (previous if previous > high else high) - (previous if previous < low else low)


class RollingSum:
    """Sum of the last ``n`` values, as :func:`_kernels.rolling_sum` computes it."""

    __slots__ = ("acc", "current", "full", "j", "n", "previous", "previous_last", "started")

    def __init__(self, n: int) -> None:
        self.n = n
        self.reset()

    def reset(self) -> None:
        self.current = [0.0] * self.n  # cumulative sums of the block being filled
        self.previous = [0.0] * self.n  # those of the block before it
        self.previous_last = 0.0
        self.acc = 0.0
        self.j = 0
        self.full = False
        self.started = False

    def push(self, x: float) -> float:
        if not self.started:
            if x != x:
                return NAN
            self.started = True
        j = self.j
        acc = x if j == 0 else self.acc + x
        self.acc = acc
        self.current[j] = acc
        if self.full:
            out = acc + (self.previous_last - self.previous[j])
        elif j == self.n - 1:
            out = acc
        else:
            out = NAN
        j += 1
        if j == self.n:
            self.current, self.previous = self.previous, self.current
            self.previous_last = acc
            self.full = True
            j = 0
        self.j = j
        return out


class RollingWeightedSum:
    """The last ``n`` values weighted ``1..n``, as :func:`_kernels.rolling_weighted_sum`."""

    __slots__ = (
        "full",
        "j",
        "n",
        "plain",
        "plain_acc",
        "plain_last",
        "plain_previous",
        "started",
        "weighted",
        "weighted_acc",
        "weighted_last",
        "weighted_previous",
    )

    def __init__(self, n: int) -> None:
        self.n = n
        self.reset()

    def reset(self) -> None:
        n = self.n
        self.plain, self.plain_previous = [0.0] * n, [0.0] * n
        self.weighted, self.weighted_previous = [0.0] * n, [0.0] * n
        self.plain_acc = self.weighted_acc = self.plain_last = self.weighted_last = 0.0
        self.j = 0
        self.full = False
        self.started = False

    def push(self, x: float) -> float:
        if not self.started:
            if x != x:
                return NAN
            self.started = True
        j = self.j
        n = self.n
        offset = float(j)
        if j == 0:
            plain = x
            weighted = x * offset
        else:
            plain = self.plain_acc + x
            weighted = self.weighted_acc + x * offset
        self.plain_acc = plain
        self.weighted_acc = weighted
        self.plain[j] = plain
        self.weighted[j] = weighted
        out = (n - offset) * plain + weighted
        if self.full:
            out = out + (
                (self.weighted_last - self.weighted_previous[j])
                - offset * (self.plain_last - self.plain_previous[j])
            )
        elif j != n - 1:
            out = NAN
        j += 1
        if j == n:
            self.plain, self.plain_previous = self.plain_previous, self.plain
            self.weighted, self.weighted_previous = self.weighted_previous, self.weighted
            self.plain_last = plain
            self.weighted_last = weighted
            self.full = True
            j = 0
        self.j = j
        return out


class Exponential:
    """:func:`_kernels.exponential`: seeded by the mean of ``n`` values, then recursive.

    The seed is the mean of the ``n`` values ending at the ``seed_count``-th valid value
    (``seed_count = n`` by default; TA-Lib's MACD seeds its fast average later).
    """

    __slots__ = ("alpha", "count", "decay", "n", "seed_count", "value", "window")

    def __init__(self, alpha: float, n: int, seed_count: int | None = None) -> None:
        self.alpha = alpha
        self.decay = -(alpha - 1.0)  # what scipy's lfilter multiplies the state by
        self.n = n
        self.seed_count = max(n, seed_count or n)
        self.reset()

    def reset(self) -> None:
        self.count = 0
        self.value = NAN
        self.window: deque[float] = deque(maxlen=self.n)

    def push(self, x: float) -> float:
        if self.count >= self.seed_count:
            value = x * self.alpha + self.value * self.decay
            self.value = value
            return value
        if self.count == 0 and x != x:
            return NAN
        self.count += 1
        self.window.append(x)
        if self.count < self.seed_count:
            return NAN
        value = sum(self.window) / self.n
        self.value = value
        return value


def ema_alpha(n: int) -> float:
    return 2.0 / (n + 1.0)


class RollingExtreme:
    """Maximum (or minimum) of the last ``n`` values and its age, newest first on ties.

    A monotonic deque of ``(position, value)``; a window that is incomplete or holds a NaN
    gives NaN, as :func:`_kernels.rolling_max` does.
    """

    __slots__ = ("is_max", "last_nan", "n", "position", "queue")

    def __init__(self, n: int, is_max: bool) -> None:
        self.n = n
        self.is_max = is_max
        self.reset()

    def reset(self) -> None:
        self.queue: deque[tuple[int, float]] = deque()
        self.position = -1
        self.last_nan = -self.n

    def push(self, x: float) -> float:
        """Add ``x``; the extreme of the window ending at it (NaN: incomplete, or a NaN in it)."""
        self.position += 1
        t = self.position
        queue = self.queue
        if x != x:
            self.last_nan = t
            queue.clear()
            return NAN
        if self.is_max:
            while queue and queue[-1][1] <= x:
                queue.pop()
        else:
            while queue and queue[-1][1] >= x:
                queue.pop()
        queue.append((t, x))
        if queue[0][0] <= t - self.n:
            queue.popleft()
        if t < self.n - 1 or t - self.last_nan < self.n:
            return NAN
        return queue[0][1]

    def age(self) -> int:
        """Bars from the extreme of the window pushed last to its end (-1 where it is NaN)."""
        t = self.position
        if t < self.n - 1 or t - self.last_nan < self.n:
            return -1
        return t - self.queue[0][0]


class Lag:
    """The value ``k`` bars ago (NaN until there is one)."""

    __slots__ = ("k", "window")

    def __init__(self, k: int) -> None:
        self.k = k
        self.reset()

    def reset(self) -> None:
        self.window: deque[float] = deque(maxlen=self.k + 1)

    def push(self, x: float) -> float:
        window = self.window
        window.append(x)
        return window[0] if len(window) > self.k else NAN


class WindowSum:
    """Sum of the last ``n`` values: a running sum, recomputed from the window every ``n``
    values (and whenever a NaN enters or leaves it), so rounding never accumulates. A window
    of zeros sums to exactly 0, as the block sums of ``window_sum`` do."""

    __slots__ = ("age", "missing", "n", "total", "window", "zeros")

    def __init__(self, n: int) -> None:
        self.n = n
        self.window: deque[float] = deque()
        self.total = 0.0
        self.missing = 0
        self.age = 0
        self.zeros = 0  # how many zeros in a row were pushed last

    def push(self, x: float) -> float:
        """Add ``x``; the window's sum, NaN while incomplete or holding a NaN."""
        window = self.window
        window.append(x)
        self.zeros = self.zeros + 1 if x == 0.0 else 0
        n = self.n
        if len(window) > n:
            old = window.popleft()
            if x == x and old == old and not self.missing:
                age = self.age + 1
                if age < n:
                    self.age = age
                    total: float = self.total + (x - old)
                    if self.zeros >= n:
                        total = 0.0
                    self.total = total
                    return total
            else:
                self._count(x, old)
            return self._rebase()
        self._count(x, 0.0)
        return self._rebase() if len(window) == n else NAN

    def _count(self, entering: float, leaving: float) -> None:
        if entering != entering:
            self.missing += 1
        if leaving != leaving:
            self.missing -= 1

    def _rebase(self) -> float:
        self.age = 0
        if self.missing:
            return NAN
        total = self.total = math.fsum(self.window)
        return total


class WindowMoments:
    """Mean and population variance of the last ``n`` values, from running sums of offsets
    to a reference; every ``n`` values (and whenever a NaN enters or leaves the window) the
    reference moves to the newest value and the sums are recomputed from the window, as
    ``window_mean_var`` measures each block from a nearby reference. A constant window
    (``n - 1`` repeats in a row) has variance exactly 0, as in ``window_mean_var``."""

    __slots__ = ("age", "missing", "n", "reference", "run", "sum1", "sum2", "window")

    def __init__(self, n: int) -> None:
        self.n = n
        self.window: deque[float] = deque()
        self.reference = 0.0
        self.sum1 = 0.0
        self.sum2 = 0.0
        self.missing = 0
        self.age = 0
        self.run = 0

    def push(self, x: float) -> tuple[float, float]:
        """Add ``x``; the window's (mean, variance), NaN while incomplete or holding a NaN."""
        window = self.window
        self.run = self.run + 1 if window and window[-1] == x else 0
        window.append(x)
        n = self.n
        if len(window) > n:
            old = window.popleft()
            if x == x and old == old and not self.missing:
                age = self.age + 1
                if age < n:
                    self.age = age
                    reference = self.reference
                    d = x - reference
                    e = old - reference
                    sum1 = self.sum1 = self.sum1 + (d - e)
                    sum2 = self.sum2 = self.sum2 + (d * d - e * e)
                    mean1 = sum1 / n
                    var = sum2 / n - mean1 * mean1
                    if self.run >= n - 1 or var < 0.0:
                        var = 0.0
                    return reference + mean1, var
            else:
                if x != x:
                    self.missing += 1
                if old != old:
                    self.missing -= 1
            return self._rebase()
        if x != x:
            self.missing += 1
        if len(window) == n:
            return self._rebase()
        return NAN, NAN

    def _rebase(self) -> tuple[float, float]:
        self.age = 0
        if self.missing:
            return NAN, NAN
        window = self.window
        reference = self.reference = window[-1]
        sum1 = sum2 = 0.0
        for value in window:
            d = value - reference
            sum1 += d
            sum2 += d * d
        self.sum1 = sum1
        self.sum2 = sum2
        n = self.n
        mean1 = sum1 / n
        var = sum2 / n - mean1 * mean1
        return reference + mean1, (var if var > 0.0 else 0.0)


class WindowRank:
    """Fraction of the last ``n`` values <= the newest: a sorted list, O(log n + n) a value."""

    __slots__ = ("missing", "n", "ordered", "window")

    def __init__(self, n: int) -> None:
        self.n = n
        self.window: deque[float] = deque()
        self.ordered: list[float] = []
        self.missing = 0

    def push(self, x: float) -> float:
        """Add ``x``; its rank fraction in the window, NaN while incomplete or holding a NaN."""
        window = self.window
        ordered = self.ordered
        window.append(x)
        if x == x:
            insort(ordered, x)
        else:
            self.missing += 1
        if len(window) > self.n:
            old = window.popleft()
            if old == old:
                del ordered[bisect_left(ordered, old)]
            else:
                self.missing -= 1
        if self.missing or len(window) < self.n:
            return NAN
        return bisect_right(ordered, x) / self.n
