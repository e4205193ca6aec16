"""Logging reports and their inputs to the active MLflow run.

A report written while an MLflow run is active (the run of ``mlcore run``, a
:class:`~mlcore.tracking.MLflowManager` run, or any ``mlflow.start_run()``) is logged to it
under ``reports/``, with what it was computed from under ``reports/inputs/``: the returns,
equity, benchmark and trades as CSV, and ``metrics.json`` (the metrics, VaR and CVaR, the
conventions, the Monte Carlo summary and the report's notes). mlflow is never imported
here unless the caller imported it already: without mlflow no run can be active.
"""

from __future__ import annotations

import json
import math
import sys
import tempfile
import warnings
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from mlcore._version import __version__
from mlcore.analytics.reports.content import Report
from mlcore.errors import TrackingError, TrackingWarning

__all__ = ["active_run_id", "log_report_artifacts", "report_inputs", "write_report_inputs"]

ARTIFACT_PATH = "reports"


def active_run_id() -> str | None:
    """The id of MLflow's active run in this process, or None when there is none."""
    mlflow = sys.modules.get("mlflow")
    if mlflow is None:
        return None
    run = mlflow.active_run()
    return None if run is None else str(run.info.run_id)


def report_inputs(report: Report) -> dict[str, Any]:
    """The JSON document ``metrics.json``: metrics, risk figures, conventions, notes."""
    document: dict[str, Any] = {
        "title": report.title,
        "created": report.created.isoformat(timespec="seconds"),
        "mlcore_version": __version__,
        "conventions": {
            "risk_free_rate": report.risk_free_rate,
            "periods_per_year": report.periods_per_year,
            "confidence_level": report.confidence,
        },
        "metrics": report.metrics,
        "plugin_metrics": list(report.plugin_metrics),
        "value_at_risk": report.var,
        "conditional_value_at_risk": report.cvar,
        "monte_carlo": None,
        "notes": list(report.notes),
    }
    if report.monte_carlo is not None:
        result = report.monte_carlo
        document["monte_carlo"] = {
            "method": result.method,
            "n_simulations": result.n_simulations,
            "time_horizon": result.time_horizon,
            "seed": result.seed,
            **result.summary(),
        }
    safe: dict[str, Any] = _json_safe(document)
    return safe


def _json_safe(value: Any) -> Any:
    """Non-finite floats become the strings ``"inf"``, ``"-inf"``, ``"nan"`` (strict JSON
    has no such numbers)."""
    if isinstance(value, dict):
        return {key: _json_safe(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_json_safe(item) for item in value]
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)
    return value


def write_report_inputs(report: Report, directory: Path) -> list[Path]:
    """Write the report's inputs into ``directory``; return the files written."""
    directory.mkdir(parents=True, exist_ok=True)
    frames = {
        "returns.csv": report.returns.rename("return"),
        "equity.csv": report.equity.rename("equity"),
        "benchmark_equity.csv": report.benchmark_equity,
        "trades.csv": report.trades,
    }
    written = []
    for name, frame in frames.items():
        if frame is not None:
            path = directory / name
            frame.to_csv(path, index=name != "trades.csv", index_label="timestamp")
            written.append(path)
    metrics = directory / "metrics.json"
    metrics.write_text(json.dumps(report_inputs(report), indent=2), encoding="utf-8")
    return [*written, metrics]


def log_report_artifacts(
    report: Report, files: Iterable[Path], *, run_id: str | None = None
) -> list[str]:
    """Log the report ``files`` and the report's inputs to the run ``run_id`` (default: the
    active run); return the artifact paths logged. Raises :class:`TrackingError` when no
    run is active or MLflow refuses."""
    run_id = run_id or active_run_id()
    if run_id is None:
        raise TrackingError(
            "no active MLflow run to log the report to: start one (mlflow.start_run() or "
            "MLflowManager.run()) or pass log_artifacts=False"
        )
    from mlflow import MlflowClient

    from mlcore.tracking._mlflow import _mlflow_errors

    client = MlflowClient()
    logged: list[str] = []
    with _mlflow_errors(f"logging the report to run {run_id}"):
        for file in files:
            client.log_artifact(run_id, str(file), ARTIFACT_PATH)
            logged.append(f"{ARTIFACT_PATH}/{Path(file).name}")
        with tempfile.TemporaryDirectory(prefix="mlcore-report-") as tmp:
            for path in write_report_inputs(report, Path(tmp)):
                client.log_artifact(run_id, str(path), f"{ARTIFACT_PATH}/inputs")
                logged.append(f"{ARTIFACT_PATH}/inputs/{path.name}")
    return logged


def log_if_tracking(report: Report, files: Iterable[Path], log_artifacts: bool | None) -> None:
    """The writers' MLflow step: ``log_artifacts=None`` logs when a run is active and turns
    a refusal into a :class:`TrackingWarning` (the report on disk stands); ``True``
    requires a run and raises; ``False`` skips."""
    if log_artifacts is False:
        return
    if log_artifacts is None:
        if active_run_id() is None:
            return
        try:
            log_report_artifacts(report, files)
        except TrackingError as error:
            warnings.warn(f"report not logged to MLflow: {error}", TrackingWarning, stacklevel=3)
        return
    log_report_artifacts(report, files)
