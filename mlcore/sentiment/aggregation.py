"""Point-in-time aggregation of sentiment items onto bars.

**Alignment.** Bar ``t`` closes at ``index[t] + bar_close_offset`` (offset 0 by default:
the bar's timestamp is the moment its values are known). An item counts for bar ``t``
only if it was published at or before that close; it joins the first bar whose close is
at or after its publication time. Items published after the last close are left out.
Appending later items or later bars therefore never changes an earlier bar.

**Statistics.** Each item has a weight: its source's weight (``weights``, 1 when not
named) times, with a ``decay_half_life`` h, ``2 ** (-(close - published) / h)``. Without a
half-life a bar sees only its own items (those published after the previous close); with
one, every earlier item counts with its decayed weight. Score, bullish ratio and
dispersion are weighted statistics of the scored items; volume, attention and age use
every item, scored or not. The work is vectorized: items are sorted and assigned to bars
with ``searchsorted``, summed per bar with ``bincount``, and the decayed running sums are a
prefix scan over the bars in log2(bars) array operations.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any, Final

import attrs
import numpy as np
import pandas as pd

from mlcore.config import SentimentConfig
from mlcore.errors import DataValidationError
from mlcore.sentiment.failures import SourceFailure
from mlcore.sentiment.items import SentimentItem, items_to_frame, validate_items_frame

__all__ = ["COLUMN_PREFIX", "SentimentFeatures", "aggregate_sentiment", "sentiment_columns"]

#: Every sentiment feature column starts with this.
COLUMN_PREFIX: Final = "sentiment"
#: The columns that do not depend on the sources, in frame order.
AGGREGATE_COLUMNS: Final = (
    "sentiment_score",
    "sentiment_volume",
    "sentiment_bullish_ratio",
    "sentiment_dispersion",
    "sentiment_age",
    "sentiment_attention",
)
_NS_PER_SECOND: Final = 1e9


def sentiment_columns(sources: Sequence[str]) -> list[str]:
    """The columns of :meth:`SentimentFeatures.to_frame` for these sources, in order."""
    per_source = [name for source in sources for name in _source_columns(source)]
    return [*AGGREGATE_COLUMNS, *per_source]


def _source_columns(source: str) -> tuple[str, str]:
    stem = f"{COLUMN_PREFIX}_{re.sub(r'[^0-9A-Za-z]+', '_', source).strip('_').lower()}"
    return stem, f"{stem}_volume"


@attrs.frozen(eq=False)
class SentimentFeatures:
    """Sentiment per bar, aligned point-in-time (see :mod:`mlcore.sentiment.aggregation`).

    Arrays hold one value per bar of ``index``:

    - ``score``: weighted mean score of the items that count for the bar, in [-1, 1]
      (NaN when none is scored);
    - ``volume``: number of items published for this bar (after the previous close, up to
      this one), scored or not;
    - ``bullish_ratio``: weighted share of bullish items among the polar ones (score above
      ``neutral_band`` against below ``-neutral_band``; NaN when none is polar);
    - ``dispersion``: weighted standard deviation of the scores (0 for one item);
    - ``age``: seconds from the newest item published at or before the close to the close
      (NaN before the first item);
    - ``attention``: summed engagement (likes, Google Trends interest...) of the bar's
      items, in the sources' own units;
    - ``source_scores`` / ``source_volumes``: per source, its own weighted mean score and
      its item count.

    ``failures`` records the sources (and scorers) that failed while the items were
    collected; their columns then hold only what the other sources gave.
    """

    index: pd.DatetimeIndex
    score: np.ndarray
    volume: np.ndarray
    bullish_ratio: np.ndarray
    dispersion: np.ndarray
    age: np.ndarray
    attention: np.ndarray
    source_scores: Mapping[str, np.ndarray]
    source_volumes: Mapping[str, np.ndarray]
    failures: tuple[SourceFailure, ...] = ()

    @property
    def sources(self) -> list[str]:
        """The sources with their own columns, in column order."""
        return list(self.source_scores)

    @property
    def columns(self) -> list[str]:
        """The columns of :meth:`to_frame`."""
        return sentiment_columns(self.sources)

    def __len__(self) -> int:
        return len(self.index)

    def to_frame(self) -> pd.DataFrame:
        """One float64 column per statistic on the bars' index: ``sentiment_score``,
        ``sentiment_volume``, ``sentiment_bullish_ratio``, ``sentiment_dispersion``,
        ``sentiment_age`` (seconds), ``sentiment_attention``, then per source
        ``sentiment_<source>`` and ``sentiment_<source>_volume``."""
        arrays = [
            self.score,
            self.volume,
            self.bullish_ratio,
            self.dispersion,
            self.age,
            self.attention,
        ]
        for source in self.sources:
            arrays += [self.source_scores[source], self.source_volumes[source]]
        values = np.column_stack([np.asarray(a, dtype=float) for a in arrays])
        return pd.DataFrame(values, index=self.index, columns=self.columns)


def aggregate_sentiment(
    items: pd.DataFrame | Sequence[SentimentItem],
    index: pd.DatetimeIndex,
    config: SentimentConfig | None = None,
    *,
    symbol: str | None = None,
    failures: Sequence[SourceFailure] = (),
) -> SentimentFeatures:
    """Aggregate sentiment items onto the bars of ``index``, point-in-time.

    Parameters
    ----------
    items
        An item frame (:func:`mlcore.sentiment.items_to_frame`, an item file) or
        SentimentItems. Unscored items count toward volume, attention and age only.
    index
        The bars' timestamps: a strictly increasing DatetimeIndex (naive means UTC).
    config
        ``weights``, ``decay_half_life``, ``bar_close_offset``, ``neutral_band`` and
        ``sources`` (the sources to read, each with its own columns; all sources in the
        items, sorted, when empty). Default: :class:`SentimentConfig`'s defaults.
    symbol
        Keep only this symbol's items; needed when the items hold several symbols.
        Default ``config.symbol``.
    failures
        Collection failures to carry on the result.

    Raises
    ------
    DataValidationError
        The items break the item frame's rules, hold several symbols and none is chosen,
        or the index is not an increasing DatetimeIndex.
    """
    settings = config if config is not None else SentimentConfig()
    closes = _bar_closes(index, settings.bar_close_offset)
    frame = items if isinstance(items, pd.DataFrame) else items_to_frame(items)
    frame = validate_items_frame(frame)
    frame = _one_symbol(frame, symbol if symbol is not None else settings.symbol)
    sources = list(settings.sources) or sorted(frame["source"].unique())
    frame = frame[frame["source"].isin(sources)]
    published = frame["published_at"].to_numpy(dtype="datetime64[ns]").view(np.int64)
    order = np.argsort(published, kind="stable")
    arrays = _ItemArrays(
        published=published[order],
        score=frame["score"].to_numpy(dtype=float)[order],
        engagement=frame["engagement"].to_numpy(dtype=float)[order],
        source=pd.Categorical(frame["source"], categories=sources).codes[order].astype(np.intp),
    )
    weights = np.array([settings.weights.get(source, 1.0) for source in sources], dtype=float)
    half_life = _half_life_ns(settings.decay_half_life)
    return _aggregate(
        arrays, closes, index, sources, weights, half_life, settings.neutral_band, failures
    )


@attrs.frozen
class _ItemArrays:
    published: np.ndarray  # int64 ns since the epoch, ascending
    score: np.ndarray  # NaN where unscored
    engagement: np.ndarray  # NaN where absent
    source: np.ndarray  # index into the sources


def _aggregate(
    items: _ItemArrays,
    closes: np.ndarray,
    index: pd.DatetimeIndex,
    sources: list[str],
    weights: np.ndarray,
    half_life: float | None,
    neutral_band: float,
    failures: Sequence[SourceFailure],
) -> SentimentFeatures:
    n_bars, n_sources = len(closes), len(sources)
    bar = np.searchsorted(closes, items.published, side="left")
    kept = bar < n_bars  # published after the last close: no bar sees it yet
    bar, source = bar[kept], items.source[kept]
    published, score = items.published[kept], items.score[kept]
    decay = np.ones(len(bar))
    if half_life is not None:
        decay = np.exp2(-(closes[bar] - published).astype(float) / half_life)
    scored = ~np.isnan(score)
    own = np.where(scored, decay, 0.0)  # per-source statistics ignore the source weight
    weight = own * weights[source]
    value = np.where(scored, score, 0.0)
    sums = np.column_stack(
        [
            _per_bar(bar, weight, n_bars),
            _per_bar(bar, weight * value, n_bars),
            _per_bar(bar, weight * value * value, n_bars),
            _per_bar(bar, weight * (value > neutral_band), n_bars),
            _per_bar(bar, weight * (value < -neutral_band), n_bars),
            _per_bar_and_source(bar, source, own, n_bars, n_sources),
            _per_bar_and_source(bar, source, own * value, n_bars, n_sources),
        ]
    )
    if half_life is not None:
        sums = _decayed_running_sums(sums, closes, half_life)
    total, first, second, bullish, bearish = sums[:, :5].T
    source_weight, source_sum = sums[:, 5 : 5 + n_sources], sums[:, 5 + n_sources :]
    mean = _ratio(first, total)
    counts = _per_bar_and_source(bar, source, np.ones(len(bar)), n_bars, n_sources)
    engagement = items.engagement[kept]
    return SentimentFeatures(
        index=index,
        score=mean,
        volume=counts.sum(axis=1),
        bullish_ratio=_ratio(bullish, bullish + bearish),
        dispersion=np.sqrt(np.clip(_ratio(second, total) - mean * mean, 0.0, None)),
        age=_age(items.published, closes),
        attention=_per_bar(bar, np.nan_to_num(engagement, nan=0.0), n_bars),
        source_scores={
            name: _ratio(source_sum[:, k], source_weight[:, k]) for k, name in enumerate(sources)
        },
        source_volumes={name: counts[:, k] for k, name in enumerate(sources)},
        failures=tuple(failures),
    )


def _per_bar(bar: np.ndarray, values: np.ndarray, n_bars: int) -> np.ndarray:
    return np.bincount(bar, weights=values, minlength=n_bars).astype(float)


def _per_bar_and_source(
    bar: np.ndarray, source: np.ndarray, values: np.ndarray, n_bars: int, n_sources: int
) -> np.ndarray:
    flat = np.bincount(bar * n_sources + source, weights=values, minlength=n_bars * n_sources)
    return flat.reshape(n_bars, n_sources)


def _ratio(numerator: np.ndarray, denominator: np.ndarray) -> np.ndarray:
    out = np.full(len(numerator), np.nan)
    np.divide(numerator, denominator, out=out, where=denominator > 0)
    return out


def _decayed_running_sums(sums: np.ndarray, closes: np.ndarray, half_life: float) -> np.ndarray:
    """Rows ``x[t] = a[t] * x[t-1] + sums[t]`` with ``a[t] = 2 ** (-(c[t] - c[t-1]) / h)``.

    A Hillis-Steele prefix scan of the affine maps ``x -> a x + b``: after the step of
    width ``w`` each row holds the composition of the ``2w`` maps ending at it, so
    ``ceil(log2(bars))`` vectorized steps replace a loop over the bars. Decay factors only
    shrink, so nothing overflows; long-forgotten items underflow to zero weight.
    """
    factor = np.empty(len(closes))
    factor[:1] = 0.0
    factor[1:] = np.exp2(-np.diff(closes).astype(float) / half_life)
    running = sums.copy()
    width = 1
    while width < len(running):
        running[width:] += factor[width:, None] * running[:-width]
        factor[width:] = factor[width:] * factor[:-width]
        width *= 2
    return running


def _age(published: np.ndarray, closes: np.ndarray) -> np.ndarray:
    newest = np.searchsorted(published, closes, side="right") - 1
    age = np.full(len(closes), np.nan)
    seen = newest >= 0
    age[seen] = (closes[seen] - published[newest[seen]]) / _NS_PER_SECOND
    return age


def _bar_closes(index: Any, offset: str | None) -> np.ndarray:
    if not isinstance(index, pd.DatetimeIndex):
        raise DataValidationError(
            f"bars must be on a DatetimeIndex to align sentiment, got {type(index).__name__}; "
            "pass the OHLCV frame's index",
            rule="not_datetime",
        )
    utc = index.tz_localize("UTC") if index.tz is None else index.tz_convert("UTC")
    stamps = utc.as_unit("ns").asi8
    backwards = np.flatnonzero(np.diff(stamps) <= 0) + 1
    if len(backwards):
        raise DataValidationError(
            f"bar timestamps must be strictly increasing to align sentiment; "
            f"{index[backwards[0]]} (position {backwards[0]}) is not after the bar before it",
            rule="unsorted",
            rows=list(index[backwards[:5]]),
        )
    shift = 0 if offset is None else pd.Timedelta(offset).as_unit("ns").value
    return stamps + shift


def _half_life_ns(half_life: str | None) -> float | None:
    return None if half_life is None else float(pd.Timedelta(half_life).as_unit("ns").value)


def _one_symbol(frame: pd.DataFrame, symbol: str | None) -> pd.DataFrame:
    if symbol is not None:
        return frame[frame["symbol"] == symbol]
    symbols = frame["symbol"].unique()
    if len(symbols) > 1:
        shown = ", ".join(map(str, sorted(symbols)[:5]))
        raise DataValidationError(
            f"the sentiment items hold {len(symbols)} symbols ({shown}); choose one with "
            "symbol= (or sentiment.symbol in the config)",
            rule="several_symbols",
            column="symbol",
        )
    return frame
