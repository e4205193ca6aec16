"""The training job's MLflow side: parameters, metrics, plots, the model and its alias."""

from __future__ import annotations

import math
import time
from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from mlcore.config import MlcoreConfig
from mlcore.training._aliases import (
    CHALLENGER,
    CHAMPION,
    DEFAULT_REGISTERED_MODEL_NAME,
    PREVIOUS_CHAMPION,
)
from mlcore.training._json_values import _jsonable, _model_params
from mlcore.training._result import RegisteredModel, TrainingResult

if TYPE_CHECKING:
    from mlcore.host import PluginHost
    from mlcore.training._job import TrainingJob


class _Tracker:
    """The job's MLflow side: a no-op when ``mlflow.enabled`` is false."""

    def __init__(self, manager: Any, run_id: str | None, tracking_uri: str | None) -> None:
        self.manager = manager
        self.run_id = run_id
        self.tracking_uri = tracking_uri

    @classmethod
    def start(cls, config: MlcoreConfig, run_name: str | None) -> _Tracker:
        if not config.mlflow.enabled:
            return cls(None, None, None)
        from mlcore.tracking import MLflowManager

        manager = MLflowManager.from_config(config.mlflow)
        name = run_name or f"{config.training.model_type}-{time.strftime('%Y%m%d-%H%M%S')}"
        tags = {"mlcore.job": "train", "mlcore.model_type": config.training.model_type}
        run_id = manager.start_run(run_name=name, tags={**config.mlflow.tags, **tags})
        return cls(manager, run_id, str(manager.tracking_uri))

    def end(self, *, failed: bool) -> None:
        if self.manager is not None and self.run_id is not None:
            self.manager.end_run(status="FAILED" if failed else "FINISHED")

    def log(
        self, job: TrainingJob, result: TrainingResult, host: PluginHost, bars: pd.DataFrame
    ) -> RegisteredModel | None:
        if self.manager is None:
            return None
        manager, config = self.manager, job.config
        pipeline = result.pipeline
        params = {
            "model_type": config.training.model_type,
            **{f"model.{k}": v for k, v in _model_params(pipeline.model).items()},
            "holdout": job.resolved_holdout,
            "bars": result.data["bars"],
            "training_rows": result.data["training_rows"],
            "features.generated": result.features["generated"],
            "features.selected": len(result.features["selected"]),
            "features.selection": config.features.feature_selection.method,
        }
        manager.log_parameters(params)
        metric_names = list(result.cv.metrics)
        for row in result.cv.scores.to_dict("records"):
            values = {f"cv_{name}": float(row[name]) for name in metric_names}
            values["cv_fit_seconds"] = float(row["fit_time"])
            manager.log_metrics(values, step=int(row["fold"]))
        summary = {f"cv_mean_{k}": float(v) for k, v in result.cv.mean_scores().items()}
        summary.update({f"cv_std_{k}": float(v) for k, v in result.cv.std_scores().items()})
        summary.update({f"oos_{k}": v for k, v in result.oos_scores.items() if math.isfinite(v)})
        if result.performance is not None:
            from mlcore.analytics.out_of_sample import finite_metrics

            performance = finite_metrics(result.performance.metrics)
            summary.update({f"backtest_{k}": v for k, v in performance.items()})
        manager.log_metrics(summary)
        manager.log_config(config)
        manager.log_environment(host)
        manager.log_data_fingerprint(bars)
        manager.log_features(pipeline.selected_features)
        manager.log_seed(config.training.seed)
        for name, figure in _figures(result):
            manager.log_figure(figure, name)
        if result.hpo is not None:
            _log_search(manager, result.hpo)
        if not config.mlflow.log_models:
            manager.log_dict(_jsonable(pipeline.metadata), "model_metadata.json")
            return None
        name = config.mlflow.registered_model_name or DEFAULT_REGISTERED_MODEL_NAME
        previous = _alias_version(manager, name, CHAMPION)
        logged = manager.log_model(
            pipeline, "model", registered_model_name=name, metadata=_jsonable(pipeline.metadata)
        )
        version = str(logged.registered_version)
        pipeline.metadata["version"] = version
        if job.alias == CHAMPION:
            manager.promote(name, version, CHAMPION, previous_alias=PREVIOUS_CHAMPION)
        else:
            manager.set_alias(name, CHALLENGER, version)
        return RegisteredModel(
            name=name,
            version=version,
            alias=job.alias,
            uri=f"models:/{name}@{job.alias}",
            previous_champion=previous if previous != version else None,
        )


def _log_search(manager: Any, search: Any) -> None:
    """The Optuna search: best parameters, trial counts, and its plots under ``hpo/``."""
    import tempfile

    manager.log_parameters({f"hpo.best.{k}": v for k, v in search.best_params.items()})
    counts = {"hpo_n_trials": search.n_trials, "hpo_n_pruned": search.n_pruned}
    if search.best_value is not None:
        counts["hpo_best_value"] = search.best_value
    manager.log_metrics(counts)
    manager.log_dict(search.summary(), "hpo/summary.json")
    with tempfile.TemporaryDirectory(prefix="mlcore-hpo-") as folder:
        try:
            written = search.save_plots(folder)
        except ImportError:  # no matplotlib: the plots are a nicety
            written = []
        if written:
            manager.log_artifact(folder, "hpo")


def _alias_version(manager: Any, name: str, alias: str) -> str | None:
    """The version holding ``alias`` now, or None (no such model or alias)."""
    from mlcore.tracking import ModelNotFoundError

    try:
        return str(manager.get_version_by_alias(name, alias).version)
    except ModelNotFoundError:
        return None


def _figures(result: TrainingResult) -> Iterator[tuple[str, Any]]:
    """The plots logged as artifacts (skipped when matplotlib is not installed)."""
    try:
        import matplotlib

        matplotlib.use("Agg", force=False)
        import matplotlib.pyplot as plt
    except ImportError:
        return
    scores = result.cv.scores
    metrics = list(result.cv.metrics)
    figure, axis = plt.subplots(figsize=(7, 4))
    width = 0.8 / max(len(metrics), 1)
    for offset, name in enumerate(metrics):
        axis.bar(scores["fold"] + offset * width, scores[name], width=width, label=name)
    axis.set_xlabel("fold")
    axis.set_ylabel("score")
    axis.set_title("Walk-forward CV scores per fold")
    axis.legend()
    yield "cv_scores.png", figure
    plt.close(figure)
    importances = _feature_importances(result.pipeline.model, result.pipeline.selected_features)
    if importances is not None:
        top = importances.sort_values().tail(20)
        figure, axis = plt.subplots(figsize=(7, max(3.0, 0.3 * len(top))))
        axis.barh(top.index, top.to_numpy())
        axis.set_title("Feature importances (gain)")
        figure.tight_layout()
        yield "feature_importances.png", figure
        plt.close(figure)


def _feature_importances(model: Any, names: Sequence[str]) -> pd.Series | None:
    importance = getattr(model, "feature_importance", None)
    try:
        if callable(importance):
            values = importance("gain")
            return pd.Series(np.asarray(values, dtype=np.float64), index=list(names))
        values = getattr(model, "feature_importances_", None)
    except Exception:  # importances are a nicety for the plots; the job goes on without
        return None
    if values is None or len(values) != len(names):
        return None
    return pd.Series(np.asarray(values, dtype=np.float64), index=list(names))
