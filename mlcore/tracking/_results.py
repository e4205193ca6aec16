"""Tracking results as data: registered model versions, logged models and run summaries."""

from __future__ import annotations

import datetime as dt
from typing import Any

import attrs

__all__ = ["LoggedModel", "ModelVersionInfo", "RunSummary"]


@attrs.frozen
class ModelVersionInfo:
    """One version of a registered model."""

    name: str
    version: int
    aliases: tuple[str, ...]
    run_id: str | None
    source: str
    tags: dict[str, str]
    created_at: dt.datetime | None

    @property
    def model_uri(self) -> str:
        """``models:/<name>/<version>``."""
        return f"models:/{self.name}/{self.version}"


@attrs.frozen
class LoggedModel:
    """What :meth:`MLflowManager.log_model` logged, and where to find it."""

    model_uri: str
    model_id: str
    run_id: str
    name: str
    registered_model_name: str | None
    registered_version: int | None
    pip_requirements: tuple[str, ...]
    metadata: dict[str, Any]


@attrs.frozen
class RunSummary:
    """A run's identity, times, parameters and latest metric values."""

    run_id: str
    run_name: str | None
    experiment_id: str
    status: str
    start_time: dt.datetime | None
    end_time: dt.datetime | None
    params: dict[str, str]
    metrics: dict[str, float]
    tags: dict[str, str]


def _version_info(version: Any) -> ModelVersionInfo:
    return ModelVersionInfo(
        name=str(version.name),
        version=int(version.version),
        aliases=tuple(version.aliases or ()),
        run_id=version.run_id,
        source=str(version.source),
        tags=dict(version.tags or {}),
        created_at=_to_datetime(version.creation_timestamp),
    )


def _run_summary(run: Any) -> RunSummary:
    return RunSummary(
        run_id=str(run.info.run_id),
        run_name=run.info.run_name,
        experiment_id=str(run.info.experiment_id),
        status=str(run.info.status),
        start_time=_to_datetime(run.info.start_time),
        end_time=_to_datetime(run.info.end_time),
        params=dict(run.data.params),
        metrics={key: float(value) for key, value in run.data.metrics.items()},
        tags={k: v for k, v in run.data.tags.items() if not k.startswith("mlflow.")},
    )


def _to_datetime(milliseconds: int | None) -> dt.datetime | None:
    if milliseconds is None:
        return None
    return dt.datetime.fromtimestamp(milliseconds / 1000, tz=dt.UTC)
