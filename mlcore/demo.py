"""The kernel's demo job: data source -> contract check -> indicators -> baseline scores.

``mlcore run`` runs it until the full training pipeline is configured. It exercises every
kernel piece a plugin touches: the data source registry, the OHLCV contract, registered
indicators and metrics.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd

from mlcore._table import format_table
from mlcore.config import MlcoreConfig
from mlcore.data import data_fingerprint, validate_ohlcv
from mlcore.errors import FeatureError
from mlcore.host import PluginHost

REGIME_NAMES = {0: "bull", 1: "bear", 2: "sideways"}


def run_demo(
    host: PluginHost, config: MlcoreConfig, *, echo: Callable[[str], Any] = print
) -> dict[str, Any]:
    """Run the demo and print its tables; returns the figures it printed."""
    source = _data_source(host, config)
    ohlcv = validate_ohlcv(source.load(), policy=config.data.policy)  # type: ignore[arg-type]
    echo(_data_summary(ohlcv, config.data.source))
    features = _compute_indicators(host, config, ohlcv, echo)
    scores = _baseline_scores(host, ohlcv)
    echo("\nBaseline (yesterday's return sign predicts today's), scored by registered metrics:")
    echo(format_table([[name, value] for name, value in scores.items()], ["metric", "value"]))
    market = getattr(source, "market", None)
    if callable(market):
        echo("\nTrue regimes of the synthetic market:")
        echo(_regime_table(ohlcv, market().regimes, config.analytics.periods_per_year))
    return {"rows": len(ohlcv), "features": features.shape[1], "scores": scores}


def _data_source(host: PluginHost, config: MlcoreConfig) -> Any:
    params = dict(config.data.params)
    if config.data.path is not None:
        params.setdefault("path", config.data.path)
    return host.data_sources.create(config.data.source, **params)


def _data_summary(ohlcv: pd.DataFrame, source: str) -> str:
    returns = np.log(ohlcv["close"]).diff().dropna()
    rows: list[list[object]] = [
        ["source", source],
        ["bars", len(ohlcv)],
        ["from", ohlcv.index[0]],
        ["to", ohlcv.index[-1]],
        ["mean log return per bar", float(returns.mean())],
        ["volatility per bar", float(returns.std())],
        ["fingerprint", data_fingerprint(ohlcv)[:16]],
    ]
    return format_table(rows, ["data", "value"])


def _compute_indicators(
    host: PluginHost, config: MlcoreConfig, ohlcv: pd.DataFrame, echo: Callable[[str], Any]
) -> pd.DataFrame:
    from mlcore.features import FeatureEngineeringPipeline

    try:
        pipeline = FeatureEngineeringPipeline(config.features, host=host)
    except FeatureError as error:  # no indicator plugin installed: the demo goes on without
        echo(f"\nNo features: {error}")
        return pd.DataFrame(index=ohlcv.index)
    start = time.perf_counter()
    features = pipeline.generate_features(ohlcv)
    seconds = time.perf_counter() - start
    echo(
        f"\n{len(pipeline.indicators)} indicators produced {features.shape[1]} feature columns "
        f"in {seconds * 1e3:.0f} ms."
    )
    return features


def _baseline_scores(host: PluginHost, ohlcv: pd.DataFrame) -> dict[str, float]:
    returns = np.log(ohlcv["close"].to_numpy())
    returns = np.diff(returns)
    previous, realised = returns[:-1], returns[1:]
    predicted_up = (previous > 0).astype(int)
    realised_up = (realised > 0).astype(int)
    scores: dict[str, float] = {}
    for name in ("accuracy", "f1_score", "directional_accuracy", "information_coefficient"):
        if name not in host.metrics:
            continue
        metric = host.metrics.create(name)
        if name in ("accuracy", "f1_score"):
            scores[name] = metric(realised_up, predicted_up)
        else:
            scores[name] = metric(realised, previous)
    return scores


def _regime_table(ohlcv: pd.DataFrame, regimes: pd.Series, periods_per_year: int) -> str:
    returns = np.log(ohlcv["close"]).diff()
    rows = []
    for label, group in returns.groupby(regimes.reindex(returns.index)):
        share = len(group) / len(returns)
        rows.append(
            [
                REGIME_NAMES.get(int(label), str(label)),
                share,
                float(group.mean()),
                float(group.std()) * math.sqrt(periods_per_year),
            ]
        )
    return format_table(
        rows, ["regime", "share of bars", "mean log return", "annualised volatility"]
    )
