"""The performance report of a trained model: what its out-of-sample signals would have
earned.

The training job (``mlcore run`` / ``mlcore train``) calls :func:`evaluate_out_of_sample`
after the final fit:

1. **predictions the model never trained on**: the held-out bars' signals (the fitted
   pipeline on bars after the last training bar), or, without a hold-out, the walk-forward
   out-of-fold predictions (each row predicted by the fold model that did not see it;
   rows in no test block are flat). In-sample predictions are never used.
2. **signals -> backtest** (:mod:`mlcore.analytics.backtest`): binary classifiers pass the
   up class's probability (long above ``long_threshold``, short below
   ``short_threshold``), multi-class models the most probable class (lowest down, highest
   up, others flat), regressions the sign of the prediction; fills on the next bar, with
   the costs and sizing of ``analytics.backtest``.
3. **analytics** with ``analytics.risk_free_rate`` and ``analytics.periods_per_year``,
   against buy and hold of the same bars (or the bars in the ``analytics.benchmark``
   file).
4. **reports**: each format of ``analytics.reports`` (``pdf``, ``xlsx``, ``html``) is
   written to ``analytics.output_dir``, with the price chart shaded by regime when
   regimes are known, and logged to the active MLflow run.

A part that fails (a missing extra, too few bars for a ratio, a broken regime detector)
is reported in :attr:`OutOfSamplePerformance.notes` and a warning; it never fails the
trained model.
"""

from __future__ import annotations

import math
import time
import warnings
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

import attrs
import numpy as np
import pandas as pd

from mlcore._table import format_table
from mlcore.analytics.backtest import Backtest, BacktestResult, signals_from_classes
from mlcore.errors import MlcoreError

if TYPE_CHECKING:
    from mlcore.config import MlcoreConfig
    from mlcore.host import PluginHost
    from mlcore.validation import CVResult

__all__ = [
    "HOLDOUT",
    "OUT_OF_FOLD",
    "OutOfSamplePerformance",
    "evaluate_out_of_sample",
    "finite_metrics",
]

HOLDOUT: Final = "held-out bars"
OUT_OF_FOLD: Final = "walk-forward out-of-fold"

#: The metrics of the printed summary, in order (every metric is in ``metrics``).
SUMMARY_METRICS: Final = (
    "total_return",
    "annual_return",
    "annual_volatility",
    "sharpe_ratio",
    "sortino_ratio",
    "calmar_ratio",
    "max_drawdown",
    "total_trades",
    "win_rate",
    "profit_factor",
)
#: What a part of the evaluation may raise without failing the job.
_RECOVERABLE: Final = (MlcoreError, ImportError, OSError, ValueError, TypeError, RuntimeError)


@attrs.define(eq=False)
class OutOfSamplePerformance:
    """A trained model's out-of-sample backtest, its metrics and the reports written.

    ``source`` is :data:`HOLDOUT` or :data:`OUT_OF_FOLD`; ``metrics`` is
    ``AdvancedAnalytics.calculate_metrics().to_dict()`` (empty when they could not be
    computed); ``reports`` maps each format written to its file; ``notes`` says what was
    left out and why.
    """

    source: str
    backtest: BacktestResult
    metrics: dict[str, float]
    reports: dict[str, Path] = attrs.field(factory=dict)
    notes: list[str] = attrs.field(factory=list)

    @property
    def buy_and_hold_return(self) -> float:
        """The total return of holding the bars over the same window."""
        return float(np.prod(1.0 + self.backtest.market_returns.to_numpy()) - 1.0)

    def summary(self) -> str:
        """The printed tables: the backtest's headline metrics, then the report files."""
        result = self.backtest
        index = result.returns.index
        rows: list[list[Any]] = [
            ["predictions", self.source],
            ["bars", len(index)],
            ["from", _stamp(index[0])],
            ["to", _stamp(index[-1])],
            ["exposure (bars in a position)", float(np.mean(result.positions.to_numpy() != 0))],
            ["buy and hold return", self.buy_and_hold_return],
            ["initial capital", f"{result.settings.initial_capital:,.2f}"],
            ["costs paid (commission and slippage)", f"{float(result.costs.sum()):,.2f}"],
        ]
        rows += [[name, self.metrics[name]] for name in SUMMARY_METRICS if name in self.metrics]
        parts = [format_table(rows, ["out-of-sample backtest", "value"])]
        if self.reports:
            files = [[kind, str(path)] for kind, path in self.reports.items()]
            parts.append(format_table(files, ["report", "file"]))
        if self.notes:
            parts.append("\n".join(f"note: {note}" for note in self.notes))
        return "\n\n".join(parts)


def _stamp(value: Any) -> Any:
    return value.strftime("%Y-%m-%d %H:%M") if isinstance(value, pd.Timestamp) else value


def evaluate_out_of_sample(
    config: MlcoreConfig,
    host: PluginHost,
    bars: pd.DataFrame,
    *,
    held_out: pd.DataFrame,
    cv: CVResult,
    settings: Backtest | None = None,
    regimes: pd.Series | None = None,
    fit_bars: int | None = None,
    title: str | None = None,
) -> OutOfSamplePerformance | None:
    """Backtest the model's out-of-sample signals, compute the analytics and write the
    reports (module docstring). None when there is no out-of-sample prediction to trade.

    ``held_out`` holds the held-out bars' ``signal`` (and ``p_up`` for a binary
    classifier), as ``TradingPipeline.signals`` gives it; when it has fewer than two rows
    the walk-forward out-of-fold predictions of ``cv`` are used. ``settings`` trade them
    (default: :meth:`Backtest.from_config`, the ``analytics.backtest`` section).
    ``regimes`` (labels on the bars' index) shade the price chart; without them a regime
    detector is fitted on the first ``fit_bars`` bars when ``regimes.enabled``.
    """
    notes: list[str] = []
    chosen = _predictions(bars, held_out, cv)
    if chosen is None:
        return None
    source, window, signals, p_up = chosen
    settings = settings or Backtest.from_config(config)
    result = settings.run(window, signals, probabilities=p_up)
    performance = OutOfSamplePerformance(source, result, {}, notes=notes)
    analytics = _attempt(
        notes,
        "analytics",
        lambda: result.analytics(
            config.analytics.risk_free_rate,
            config.analytics.periods_per_year,
            benchmark=_benchmark(config, result, notes),
            host=host,
        ),
    )
    if analytics is None:
        return performance
    metrics = _attempt(notes, "metrics", lambda: analytics.calculate_metrics().to_dict())
    performance.metrics = dict(metrics or {})
    if config.analytics.reports:
        if regimes is None:
            regimes = _detected_regimes(config, host, bars, fit_bars, notes)
        labels = _window_labels(regimes, window, notes)
        performance.reports = _write_reports(config, analytics, window, labels, title, notes)
    for note in notes:
        warnings.warn(f"out-of-sample report: {note}", UserWarning, stacklevel=2)
    return performance


# ---------------------------------------------------------------------------
# Predictions
# ---------------------------------------------------------------------------


def _predictions(
    bars: pd.DataFrame, held_out: pd.DataFrame, cv: CVResult
) -> tuple[str, pd.DataFrame, pd.Series | None, pd.Series | None] | None:
    """The source, the bars traded, and their signals or (for a binary classifier) their
    up-class probabilities."""
    if len(held_out) >= 2:
        window = bars.loc[held_out.index]
        if "p_up" in held_out:
            return HOLDOUT, window, None, held_out["p_up"]
        return HOLDOUT, window, held_out["signal"], None
    tested = cv.oof_predictions.notna().to_numpy()
    if tested.sum() < 2:
        return None
    first, last = bars.index.get_indexer(cv.oof_predictions.index[tested][[0, -1]])
    # one bar past the last tested row: its signal is held there
    window = bars.iloc[first : min(last + 2, len(bars))]
    proba = cv.oof_proba
    if proba is not None and proba.shape[1] == 2:
        return OUT_OF_FOLD, window, None, _on(proba.iloc[:, 1], window)
    if proba is not None:
        values = proba.to_numpy()
        ready = ~np.isnan(values).any(axis=1)
        best = pd.Series(proba.columns[np.nan_to_num(values).argmax(axis=1)], index=proba.index)
        signal = signals_from_classes(best.where(ready), classes=list(proba.columns))
    else:
        signal = np.sign(cv.oof_predictions)
    return OUT_OF_FOLD, window, _on(signal, window).fillna(0.0), None


def _on(values: pd.Series, window: pd.DataFrame) -> pd.Series:
    """``values`` on the window's bars; NaN (no prediction: flat) where it has none."""
    return values.reindex(window.index)


# ---------------------------------------------------------------------------
# Benchmark and regimes
# ---------------------------------------------------------------------------


def _benchmark(config: MlcoreConfig, result: BacktestResult, notes: list[str]) -> pd.Series:
    """Buy and hold of the traded bars, or the closes of the ``analytics.benchmark`` file
    (the analytics compare on the dates both have)."""
    source = config.analytics.benchmark
    if source is None:
        return result.market_returns
    from mlcore.data import load_ohlcv

    try:
        close = load_ohlcv(source, policy=config.data.policy)["close"]  # type: ignore[arg-type]
    except (MlcoreError, OSError, ValueError) as error:
        notes.append(
            f"analytics.benchmark {source!r} could not be read ({error}); "
            "compared with buy and hold of the traded bars"
        )
        return result.market_returns
    return close.pct_change().dropna().rename("benchmark")


def _detected_regimes(
    config: MlcoreConfig,
    host: PluginHost,
    bars: pd.DataFrame,
    fit_bars: int | None,
    notes: list[str],
) -> pd.Series | None:
    """Regime labels from ``regimes.detector`` fitted on the training bars (filtered
    probabilities: each bar's label uses bars up to it), when ``regimes.enabled``."""
    section = config.regimes
    if not section.enabled:
        return None
    from mlcore.regimes import detect_regimes

    def detect() -> pd.Series:
        detector = host.regime_detectors.create(section.detector, **section.params)
        return detect_regimes(bars, detector, fit_bars=fit_bars)["regime"]

    labels: pd.Series | None = _attempt(notes, f"regime detector {section.detector!r}", detect)
    return labels


def _window_labels(
    labels: pd.Series | None, window: pd.DataFrame, notes: list[str]
) -> pd.Series | None:
    if labels is None:
        return None
    aligned = labels.reindex(window.index)
    if aligned.isna().any():
        notes.append("regime chart: left out (the regimes do not cover every traded bar)")
        return None
    return aligned.astype(np.int64)


# ---------------------------------------------------------------------------
# Reports
# ---------------------------------------------------------------------------


def _write_reports(
    config: MlcoreConfig,
    analytics: Any,
    window: pd.DataFrame,
    regimes: pd.Series | None,
    title: str | None,
    notes: list[str],
) -> dict[str, Path]:
    from mlcore.analytics.reports import report_paths, write_reports

    section = config.analytics
    stem = f"{config.training.model_type}-{time.strftime('%Y%m%d-%H%M%S')}"
    paths = report_paths(section.output_dir, stem, dict.fromkeys(section.reports))
    options: dict[str, Any] = {
        "title": title or f"{config.training.model_type}: out-of-sample backtest",
        "simulations": section.monte_carlo_simulations,
        "seed": config.training.seed,
    }
    if regimes is not None:
        options |= {"prices": window, "regimes": regimes}

    def write() -> dict[str, Path]:
        Path(section.output_dir).mkdir(parents=True, exist_ok=True)
        return write_reports(analytics, paths, **options)

    return _attempt(notes, "reports", write) or {}


def _attempt(notes: list[str], what: str, compute: Any) -> Any:
    try:
        return compute()
    except _RECOVERABLE as error:
        notes.append(f"{what}: left out ({type(error).__name__}: {error})")
        return None


def finite_metrics(metrics: Mapping[str, float]) -> dict[str, float]:
    """The metrics with a finite value, as floats (for MLflow, which rejects others)."""
    return {k: float(v) for k, v in metrics.items() if math.isfinite(float(v))}
