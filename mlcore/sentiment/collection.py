"""Collecting sentiment items from the configured sources, and scoring the unscored ones.

Each source is built from the host's ``sentiment_adapters`` registry with its settings
(``sentiment.sources_config.<name>``) and fetched inside its own try: a source that is not
registered, refuses its settings, raises (:class:`~mlcore.errors.SentimentSourceError` or
anything else) or returns something else than SentimentItems becomes a
:class:`SourceFailure`, and the others carry on. Items that come without a score and
have text are then scored by ``sentiment.scorer``; a failing scorer leaves them unscored
and is recorded too. Nothing raised by a source reaches the caller.

Every adapter built here is closed when it has fetched (or scored), also after a
failure: through its ``close()``, else its ``with`` block, so that HTTP clients and cache
connections are released at once rather than at garbage collection.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager
from typing import TYPE_CHECKING, Any

import attrs
import numpy as np
import pandas as pd

from mlcore.config import MlcoreConfig, SentimentConfig
from mlcore.errors import ConfigError, UnknownComponentError
from mlcore.sentiment.failures import SourceFailure
from mlcore.sentiment.items import SentimentItem, items_to_frame

if TYPE_CHECKING:
    from mlcore.host import PluginHost

__all__ = ["SentimentCollection", "SourceSummary", "collect_sentiment", "score_items"]

#: ``progress(source, done, total)``: called before the first source (``done=0``) and
#: after each source is fetched.
SentimentProgress = Callable[[str, int, int], None]


@attrs.frozen
class SourceSummary:
    """What one source gave: items, how many came scored, were scored here, stay unscored,
    and its first failure."""

    source: str
    items: int
    provider_scored: int
    locally_scored: int
    unscored: int
    failure: SourceFailure | None = None


@attrs.frozen(eq=False)
class SentimentCollection:
    """The items collected for one symbol and time range, sorted by publication time, and
    the sources (and scorer) that failed."""

    symbol: str
    start: pd.Timestamp
    end: pd.Timestamp
    sources: tuple[str, ...]
    items: tuple[SentimentItem, ...]
    failures: tuple[SourceFailure, ...] = ()

    def to_frame(self) -> pd.DataFrame:
        """The item frame (see :mod:`mlcore.sentiment.items`)."""
        return items_to_frame(self.items)

    def summary(self) -> list[SourceSummary]:
        """One row per requested source, in the order asked, then one per other failure
        (the scorer's)."""
        failed: dict[str, SourceFailure] = {}
        for failure in self.failures:
            failed.setdefault(failure.source, failure)
        rows = []
        for source in self.sources:
            mine = [item for item in self.items if item.source == source]
            scored = [item for item in mine if item.score is not None]
            local = sum(item.scored_by is not None for item in scored)
            rows.append(
                SourceSummary(
                    source=source,
                    items=len(mine),
                    provider_scored=len(scored) - local,
                    locally_scored=local,
                    unscored=len(mine) - len(scored),
                    failure=failed.get(source),
                )
            )
        others = [name for name in failed if name not in self.sources]
        rows += [SourceSummary(name, 0, 0, 0, 0, failure=failed[name]) for name in others]
        return rows


def collect_sentiment(
    source: MlcoreConfig | PluginHost,
    start: object,
    end: object,
    *,
    symbol: str | None = None,
    sources: Sequence[str] | None = None,
    progress: SentimentProgress | bool = False,
    settings: SentimentConfig | None = None,
) -> SentimentCollection:
    """Fetch the items of every source for ``symbol`` published in [start, end], and score
    the unscored ones with ``sentiment.scorer``.

    Parameters
    ----------
    source
        A loaded :class:`~mlcore.host.PluginHost` (its config is used), or a config from
        which a host is built and loaded.
    start, end
        The publication time range (anything ``pd.Timestamp`` reads; naive means UTC).
    symbol
        Default ``sentiment.symbol``, else ``data.symbol``.
    sources
        Registered adapter names; default ``sentiment.sources``.
    progress
        True for a tqdm bar on stderr (hidden when stderr is not a terminal, or when tqdm
        is not installed), or a :data:`SentimentProgress` callback.
    settings
        The sentiment settings (sources, their ``sources_config``, the scorer); default
        the host config's ``sentiment`` section.

    Raises
    ------
    ConfigError
        No symbol or no source is given, or ``start`` is after ``end``. A failing source
        never raises: it is recorded in ``failures``.
    """
    host = _loaded_host(source)
    settings = settings if settings is not None else host.config.sentiment
    chosen_symbol = symbol or settings.symbol or host.config.data.symbol
    if not chosen_symbol:
        raise ConfigError(
            "no symbol to collect sentiment for; pass symbol= or set it",
            key_path="sentiment.symbol",
        )
    names = tuple(sources if sources is not None else settings.sources)
    if not names:
        raise ConfigError(
            "no sentiment source is named; list registered adapters (finnhub, news...) here "
            "or pass sources=",
            key_path="sentiment.sources",
        )
    first, last = _utc(start, "start"), _utc(end, "end")
    if first > last:
        raise ConfigError(f"start {first} is after end {last}; swap them")
    items: list[SentimentItem] = []
    failures: list[SourceFailure] = []
    with _progress_reporter(progress, len(names)) as report:
        for done, name in enumerate(names, start=1):
            fetched, failed = _fetch_one(host, settings, name, chosen_symbol, first, last)
            items += fetched
            failures += failed
            report(name, done, len(fetched))
    scored, scoring_failures = score_items(items, host, settings)
    scored.sort(key=lambda item: item.published_at)
    return SentimentCollection(
        symbol=chosen_symbol,
        start=first,
        end=last,
        sources=names,
        items=tuple(scored),
        failures=(*failures, *scoring_failures),
    )


def _fetch_one(
    host: PluginHost,
    settings: SentimentConfig,
    name: str,
    symbol: str,
    start: pd.Timestamp,
    end: pd.Timestamp,
) -> tuple[list[SentimentItem], list[SourceFailure]]:
    """The source's items and its failures: one that stopped it, the parts it skipped (an
    adapter's ``failures`` list after a fetch that returned), or closing it. The adapter
    is closed when done, whether the fetch succeeded or not."""
    adapter, failure = _build(host, settings, name)
    if adapter is None:
        return [], [failure] if failure is not None else []
    fetched: list[SentimentItem] = []
    failures: list[SourceFailure] = []
    try:
        with _closing(adapter) as opened:
            fetched, failures = _fetch(opened, name, symbol, start, end)
    except Exception as error:  # opening or closing failed; what was fetched stays
        failures.append(SourceFailure.from_exception(name, "close", error))
    return fetched, failures


def _fetch(
    adapter: Any, name: str, symbol: str, start: pd.Timestamp, end: pd.Timestamp
) -> tuple[list[SentimentItem], list[SourceFailure]]:
    if "fetch" not in getattr(adapter, "capabilities", ()):
        message = "this adapter only scores texts; list it as sentiment.scorer, not as a source"
        return [], [SourceFailure(name, "build", "ConfigError", message)]
    try:
        fetched = list(adapter.fetch(symbol, start, end))
    except Exception as error:  # a source may raise anything; the others must go on
        return [], [SourceFailure.from_exception(name, "fetch", error)]
    wrong = [item for item in fetched if not isinstance(item, SentimentItem)]
    if wrong:
        message = (
            f"fetch returned {type(wrong[0]).__name__} among its items; an adapter returns "
            "mlcore.sentiment.SentimentItem objects"
        )
        return [], [SourceFailure(name, "fetch", "TypeError", message)]
    skipped = getattr(adapter, "failures", None) or ()
    parts = [
        SourceFailure.from_exception(name, "partial", e)
        for e in skipped
        if isinstance(e, BaseException)
    ]
    return fetched, parts


@contextmanager
def _closing(adapter: Any) -> Iterator[Any]:
    """The adapter, closed on the way out (also after an error), so that its HTTP clients
    and cache connections do not wait for garbage collection: through its ``close()``,
    else through its ``with`` block; an adapter with neither is used as it is."""
    if callable(getattr(adapter, "close", None)):
        try:
            yield adapter
        finally:
            adapter.close()
    elif isinstance(adapter, AbstractContextManager):
        with adapter as entered:
            yield entered
    else:
        yield adapter


def _build(
    host: PluginHost, settings: SentimentConfig, name: str
) -> tuple[Any, SourceFailure | None]:
    params = settings.sources_config.get(name, {})
    try:
        return host.sentiment_adapters.create(name, **params), None
    except UnknownComponentError as error:
        message = f"{error}; install the plugin that provides it, or remove it from the config"
        return None, SourceFailure(name, "missing", "UnknownComponentError", message)
    except Exception as error:  # a factory may refuse its settings in any way
        return None, SourceFailure.from_exception(name, "build", error)


def score_items(
    items: Sequence[SentimentItem], host: PluginHost, settings: SentimentConfig
) -> tuple[list[SentimentItem], list[SourceFailure]]:
    """Score the items that have text but no score with the registered
    ``settings.scorer`` (built with ``settings.sources_config.<scorer>``).

    Items are scored per source; a scorer with a ``for_source(source)`` method is asked
    for the scorer to use on that source's texts (a lexicon picks VADER for social
    posts, Loughran-McDonald for news). Scored items get ``scored_by=scorer``. A scorer
    that raises, or returns anything but one finite score in [-1, 1] per text, leaves
    that source's items unscored and is recorded as a failure. The scorer is closed
    afterwards when it has ``close()`` or is a context manager.
    """
    pending: dict[str, list[int]] = {}
    for position, item in enumerate(items):
        if item.score is None and item.content.strip():
            pending.setdefault(item.source, []).append(position)
    result = list(items)
    scorer = settings.scorer
    if not pending:
        return result, []
    if scorer is None:
        count = sum(map(len, pending.values()))
        warnings.warn(
            f"{count} sentiment items from {', '.join(sorted(pending))} have no score and "
            "sentiment.scorer is not set; they count toward volume only. Set sentiment.scorer "
            "(lexicon, for example) to score them",
            UserWarning,
            stacklevel=3,
        )
        return result, []
    adapter, failure = _build(host, settings, scorer)
    if adapter is None:
        return result, [attrs.evolve(failure, stage="score")] if failure else []
    failures: list[SourceFailure] = []
    try:
        with _closing(adapter) as opened:
            failures = _score_sources(opened, scorer, pending, result)
    except Exception as error:  # opening or closing failed; the scores given stay
        failures.append(SourceFailure.from_exception(scorer, "close", error))
    return result, failures


def _score_sources(
    adapter: Any, scorer: str, pending: dict[str, list[int]], items: list[SentimentItem]
) -> list[SourceFailure]:
    """Score the ``pending`` positions of ``items`` in place, one call per source."""
    failures = []
    for source, positions in pending.items():
        texts = [items[p].content for p in positions]
        try:
            scores = _checked_scores(_scorer_for(adapter, source).score(texts), len(texts))
        except Exception as error:  # a scorer may raise anything; the items stay unscored
            failure = SourceFailure.from_exception(scorer, "score", error)
            message = f"scoring {len(texts)} texts from {source}: {failure.message}"
            failures.append(attrs.evolve(failure, message=message))
            continue
        for position, value in zip(positions, scores, strict=True):
            items[position] = attrs.evolve(items[position], score=float(value), scored_by=scorer)
    return failures


def _scorer_for(adapter: Any, source: str) -> Any:
    chooser = getattr(adapter, "for_source", None)
    return chooser(source) if callable(chooser) else adapter


def _checked_scores(scores: Any, expected: int) -> np.ndarray:
    values = np.asarray(scores, dtype=float)
    if values.shape != (expected,):
        raise ValueError(f"score returned shape {values.shape} for {expected} texts")
    bad = ~np.isfinite(values) | (np.abs(values) > 1.0)
    if bad.any():
        raise ValueError(f"score returned {values[bad][:3].tolist()}, outside [-1, 1]")
    return values


def _loaded_host(source: MlcoreConfig | PluginHost) -> PluginHost:
    from mlcore.host import PluginHost

    if isinstance(source, PluginHost):
        return source.load()
    return PluginHost.from_config(source).load()


def _utc(value: object, name: str) -> pd.Timestamp:
    try:
        stamp = pd.Timestamp(value)  # type: ignore[arg-type]
    except (ValueError, TypeError) as error:
        raise ConfigError(f"{name} {value!r} is not a time: {error}") from None
    if pd.isna(stamp):
        raise ConfigError(f"{name} is missing (NaT)")
    return stamp.tz_localize("UTC") if stamp.tzinfo is None else stamp.tz_convert("UTC")


@contextmanager
def _progress_reporter(
    progress: SentimentProgress | bool, total: int
) -> Iterator[Callable[[str, int, int], None]]:
    """Yield ``report(source, done, items)``; ``progress`` decides where it goes."""
    if callable(progress):
        callback = progress
        callback("", 0, total)
        yield lambda source, done, _items: callback(source, done, total)
        return
    bar = _tqdm_bar(total) if progress else None
    if bar is None:
        yield lambda source, done, items: None
        return
    counts: dict[str, int] = {}

    def report(source: str, done: int, items: int) -> None:
        counts[source] = items
        bar.set_postfix_str(", ".join(f"{name}={count}" for name, count in counts.items()))
        bar.update(1)

    try:
        yield report
    finally:
        bar.close()


def _tqdm_bar(total: int) -> Any:
    try:
        from tqdm.auto import tqdm
    except ImportError:  # the bar is a convenience; collecting works without it
        return None
    return tqdm(total=total, desc="sentiment sources", unit="source", disable=None, leave=False)
