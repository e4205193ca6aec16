# ruff: noqa: E402  (thread pools are pinned before numpy is imported)
"""Feature-generation benchmark: mlcore's default set against `ta` and TA-Lib, in one run.

    python benchmarks/features.py            # 10K and 100K rows, ta on 10K only
    python benchmarks/features.py --quick    # fewer repetitions
    python benchmarks/features.py --ta-100k  # also time ta.add_all_ta_features on 100K rows

Everything runs on one core (thread pools pinned to 1 before numpy loads). Times are
medians over repetitions after one warm-up call (numba compiles on first use).
Targets (issue 3): >= 200 columns on 10K rows in <= 50 ms, >= 50x faster than
`ta.add_all_ta_features`, 100K rows <= 12x the 10K time, streaming <= 200 us per bar.
"""

from __future__ import annotations

import os

for _variable in (
    "OMP_NUM_THREADS",
    "OPENBLAS_NUM_THREADS",
    "MKL_NUM_THREADS",
    "NUMBA_NUM_THREADS",
):
    os.environ[_variable] = "1"

import argparse
import statistics
import time
import warnings
from collections.abc import Callable

import numpy as np
import pandas as pd

from mlcore._table import format_table
from mlcore.data import synthetic_ohlcv
from mlcore.features import FeatureEngineeringPipeline, StreamingFeatureEngine


def median_seconds(function: Callable[[], object], repeat: int) -> float:
    function()  # warm-up: numba compilation, caches, page faults
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def market(rows: int) -> pd.DataFrame:
    return synthetic_ohlcv(n=rows, seed=11, freq="1h").ohlcv


def talib_like_set(ohlcv: pd.DataFrame) -> dict[str, np.ndarray]:
    """TA-Lib computing the indicators of mlcore's default set that it has."""
    import talib

    h, lo, c, v = (ohlcv[k].to_numpy() for k in ("high", "low", "close", "volume"))
    out: dict[str, np.ndarray] = {}
    for n in (5, 10, 20, 50, 100, 200):
        out[f"sma{n}"], out[f"ema{n}"], out[f"wma{n}"] = (
            talib.SMA(c, n),
            talib.EMA(c, n),
            talib.WMA(c, n),
        )
    out["macd"], out["macds"], out["macdh"] = talib.MACD(c)
    out["sar"] = talib.SAR(h, lo)
    out["adx"], out["pdi"], out["mdi"] = (
        talib.ADX(h, lo, c),
        talib.PLUS_DI(h, lo, c),
        talib.MINUS_DI(h, lo, c),
    )
    out["kama"], out["trix"] = talib.KAMA(c), talib.TRIX(c)
    out["aroond"], out["aroonu"] = talib.AROON(h, lo)
    for n in (7, 14, 21):
        out[f"rsi{n}"], out[f"atr{n}"], out[f"natr{n}"] = (
            talib.RSI(c, n),
            talib.ATR(h, lo, c, n),
            talib.NATR(h, lo, c, n),
        )
    out["stochk"], out["stochd"] = talib.STOCH(h, lo, c)
    out["willr"], out["cci"], out["cmo"] = talib.WILLR(h, lo, c), talib.CCI(h, lo, c), talib.CMO(c)
    for n in (1, 5, 10, 20):
        out[f"roc{n}"], out[f"mom{n}"] = talib.ROC(c, n), talib.MOM(c, n)
    out["ultosc"] = talib.ULTOSC(h, lo, c)
    out["srsik"], out["srsid"] = talib.STOCHRSI(c)
    for n in (10, 20, 50):
        out[f"bbu{n}"], out[f"bbm{n}"], out[f"bbl{n}"] = talib.BBANDS(c, n)
        out[f"slope{n}"] = talib.LINEARREG_SLOPE(c, n)
        out[f"intercept{n}"] = talib.LINEARREG_INTERCEPT(c, n)
    out["obv"], out["ad"], out["adosc"], out["mfi"] = (
        talib.OBV(c, v),
        talib.AD(h, lo, c, v),
        talib.ADOSC(h, lo, c, v),
        talib.MFI(h, lo, c, v),
    )
    out["stddev"] = talib.STDDEV(c, 20)
    return out


def ta_all(ohlcv: pd.DataFrame) -> pd.DataFrame:
    import ta

    frame = ohlcv.reset_index(drop=True)  # ta on a DatetimeIndex is wrong and quadratic (PSAR)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return ta.add_all_ta_features(frame, "open", "high", "low", "close", "volume", fillna=False)


def streaming_microseconds(
    pipeline: FeatureEngineeringPipeline, ohlcv: pd.DataFrame, bars: int
) -> float:
    engine = StreamingFeatureEngine.from_pipeline(pipeline)
    history, live = ohlcv.iloc[:-bars], ohlcv.iloc[-bars:]
    engine.warm_up(history)
    rows = [dict(zip(live.columns, values, strict=True)) for values in live.to_numpy().tolist()]
    times = []
    for bar in rows:
        start = time.perf_counter()
        engine.update(bar)
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1e6


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--quick", action="store_true", help="fewer repetitions")
    parser.add_argument("--ta-100k", action="store_true", help="also run ta on 100K rows (minutes)")
    args = parser.parse_args()
    repeat = 5 if args.quick else 15

    pipeline = FeatureEngineeringPipeline()
    small, large = market(10_000), market(100_000)
    columns = pipeline.generate_features(small).shape[1]

    ours_10k = median_seconds(lambda: pipeline.generate_features(small), repeat)
    ours_100k = median_seconds(lambda: pipeline.generate_features(large), max(3, repeat // 3))
    talib_10k = median_seconds(lambda: talib_like_set(small), repeat)
    talib_100k = median_seconds(lambda: talib_like_set(large), max(3, repeat // 3))
    talib_columns = len(talib_like_set(small))
    ta_columns = ta_all(small.iloc[:500]).shape[1] - 5
    ta_10k = median_seconds(lambda: ta_all(small), 1)
    ta_100k = median_seconds(lambda: ta_all(large), 1) if args.ta_100k else float("nan")
    stream_us = streaming_microseconds(pipeline, small, bars=2_000)

    rows = [
        ["mlcore default set", columns, ours_10k * 1e3, ours_100k * 1e3, ours_100k / ours_10k],
        [
            "TA-Lib like set",
            talib_columns,
            talib_10k * 1e3,
            talib_100k * 1e3,
            talib_100k / talib_10k,
        ],
        ["ta.add_all_ta_features", ta_columns, ta_10k * 1e3, ta_100k * 1e3, ta_100k / ta_10k],
    ]
    print(
        format_table(rows, ["feature set", "columns", "10K rows ms", "100K rows ms", "100K / 10K"])
    )
    print()
    checks = [
        ["columns on 10K rows", ">= 200", columns, columns >= 200],
        ["median ms on 10K rows", "<= 50", ours_10k * 1e3, ours_10k * 1e3 <= 50],
        ["speed-up over ta (10K)", ">= 50x", ta_10k / ours_10k, ta_10k / ours_10k >= 50],
        ["100K time / 10K time", "<= 12", ours_100k / ours_10k, ours_100k / ours_10k <= 12],
        ["streaming us per bar", "<= 200", stream_us, stream_us <= 200],
        [
            "per column vs TA-Lib (10K)",
            "ratio",
            (ours_10k / columns) / (talib_10k / talib_columns),
            True,
        ],
    ]
    print(
        format_table(
            [[*row[:3], "yes" if row[3] else "NO"] for row in checks],
            ["figure", "target", "measured", "met"],
        )
    )


if __name__ == "__main__":
    main()
