"""The manager of one MLflow experiment and its registry: :class:`MLflowManager`."""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import math
import numbers
import os
import platform
import tempfile
import warnings
from collections.abc import Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final, Self

import attrs
import yaml

from mlcore._version import PLUGIN_API_VERSION, __version__
from mlcore.config import MlcoreConfig, MlflowConfig, config_to_dict
from mlcore.errors import ModelLoadError, ModelNotFoundError, TrackingError, TrackingWarning
from mlcore.tracking._locations import (
    _ARTIFACTS_DIR,
    _artifact_uri,
    _experiment_folder,
    _sqlite_database,
)
from mlcore.tracking._mlflow import (
    _import_mlflow,
    _is_missing_resource,
    _mlflow_errors,
    _without_log_records,
)
from mlcore.tracking._params import (
    MAX_PARAM_LENGTH,
    MAX_TAG_LENGTH,
    _as_text,
    _clean_key,
    _json_default,
    _truncate,
    flatten_params,
)
from mlcore.tracking._requirements import default_pip_requirements
from mlcore.tracking._results import (
    LoggedModel,
    ModelVersionInfo,
    RunSummary,
    _run_summary,
    _version_info,
)
from mlcore.tracking._secrets import _SecretFilter, _warn_dropped

if TYPE_CHECKING:
    import pandas as pd
    from mlflow import MlflowClient

    from mlcore.host import PluginHost

__all__ = ["MLflowManager"]

_PARAMS_PER_BATCH: Final = 100  # mlflow.utils.validation.MAX_PARAMS_TAGS_PER_BATCH
_METRICS_PER_BATCH: Final = 1000
_RUN_STATUSES: Final = ("FINISHED", "FAILED", "KILLED")


class MLflowManager:
    """Tracking and registry for one MLflow experiment.

    Parameters
    ----------
    tracking_uri
        Where runs are stored. The default, ``sqlite:///mlflow.db``, is a SQLite file in the
        current directory, made absolute when the manager is built. Any MLflow tracking URI
        works (``http://host:5000``, ``postgresql://...``).
    experiment_name
        The experiment, created when missing.
    registry_uri
        Where models are registered; the tracking URI when None.
    artifact_location
        Where a newly created experiment keeps its artifacts. For a SQLite store it defaults to
        ``<directory of the .db file>/mlartifacts/<experiment name>`` (never to the working
        directory); for other stores, to the server's default. An existing experiment keeps its
        own location.
    tags
        Tags set on every run this manager starts (``MlflowConfig.tags``).

    MLflow's fluent API keeps one process-wide tracking URI: the manager points it (and the
    registry URI) at its own store before every run it starts and every fluent call it makes,
    so that ``mlflow.log_*`` calls made inside its runs land in the same store.
    """

    def __init__(
        self,
        tracking_uri: str = "sqlite:///mlflow.db",
        experiment_name: str = "mlcore",
        *,
        registry_uri: str | None = None,
        artifact_location: str | os.PathLike[str] | None = None,
        tags: Mapping[str, str] | None = None,
    ) -> None:
        _import_mlflow()
        from mlflow import MlflowClient

        self.tracking_uri, database = _sqlite_database(tracking_uri)
        self.registry_uri = _sqlite_database(registry_uri)[0] if registry_uri else self.tracking_uri
        self.experiment_name = experiment_name
        self.tags: dict[str, str] = dict(tags or {})
        self.registered_model_name: str | None = None
        explicit_location = artifact_location is not None
        if database is not None:
            database.parent.mkdir(parents=True, exist_ok=True)
        if artifact_location is None and database is not None:
            artifact_location = (
                database.parent / _ARTIFACTS_DIR / _experiment_folder(experiment_name)
            )
        self._requested_location = _artifact_uri(artifact_location)
        self.client: MlflowClient = MlflowClient(
            tracking_uri=self.tracking_uri, registry_uri=self.registry_uri
        )
        self.experiment_id, self.artifact_location = self._get_or_create_experiment(
            explicit=explicit_location
        )
        self._runs: list[str] = []

    @classmethod
    def from_config(cls, config: MlflowConfig | MlcoreConfig) -> Self:
        """A manager for the ``mlflow:`` section (``MlflowConfig``) of a config.

        ``registered_model_name`` is kept on the manager for the caller to pass to
        :meth:`log_model`; ``enabled`` and ``log_models`` are the caller's to honour.
        """
        section = config.mlflow if isinstance(config, MlcoreConfig) else config
        manager = cls(
            section.tracking_uri,
            section.experiment_name,
            registry_uri=section.registry_uri,
            tags=section.tags,
        )
        manager.registered_model_name = section.registered_model_name
        return manager

    def __repr__(self) -> str:
        return (
            f"MLflowManager(tracking_uri={self.tracking_uri!r}, "
            f"experiment_name={self.experiment_name!r})"
        )

    def _get_or_create_experiment(self, *, explicit: bool) -> tuple[str, str]:
        from mlflow.exceptions import MlflowException

        name = self.experiment_name
        with _mlflow_errors(f"opening experiment {name!r} at {self.tracking_uri}"):
            experiment = self.client.get_experiment_by_name(name)
            if experiment is None:
                try:
                    self.client.create_experiment(name, artifact_location=self._requested_location)
                except MlflowException as error:  # another process created it meanwhile
                    if getattr(error, "error_code", "") != "RESOURCE_ALREADY_EXISTS":
                        raise
                experiment = self.client.get_experiment_by_name(name)
        if experiment is None or experiment.lifecycle_stage == "deleted":
            raise TrackingError(
                f"experiment {name!r} is deleted in {self.tracking_uri}; restore it "
                "(mlflow experiments restore --experiment-id ...) or choose another "
                "experiment_name"
            )
        location = str(experiment.artifact_location)
        if explicit and self._requested_location not in (None, location):
            warnings.warn(
                f"experiment {name!r} already exists with artifact location {location}; "
                f"artifact_location={self._requested_location!r} is ignored",
                TrackingWarning,
                stacklevel=3,
            )
        return str(experiment.experiment_id), location

    def _fluent(self) -> Any:
        """mlflow, with its process-wide tracking and registry URIs pointed at this store."""
        mlflow = _import_mlflow()
        mlflow.set_tracking_uri(self.tracking_uri)
        mlflow.set_registry_uri(self.registry_uri)
        return mlflow

    # -- runs ------------------------------------------------------------------

    @property
    def active_run_id(self) -> str:
        """The innermost run this manager started and has not ended."""
        if not self._runs:
            raise TrackingError(
                "no active run: call start_run() first, or log inside `with manager.run():`"
            )
        return self._runs[-1]

    def start_run(
        self,
        run_name: str | None = None,
        tags: Mapping[str, Any] | None = None,
        nested: bool = False,
    ) -> str:
        """Start a run in the experiment and return its id; it stays active until
        :meth:`end_run`. ``nested=True`` starts a child of the active run (one per fold or
        trial). Every run is tagged with ``mlcore.version`` and the manager's ``tags``."""
        filter_ = _SecretFilter.from_environment()
        dropped: list[str] = []
        all_tags = filter_.scrub({**self.tags, **(tags or {})}, "", dropped)
        _warn_dropped(dropped, "tags")
        run_tags = {"mlcore.version": __version__}
        run_tags |= {
            _clean_key(str(key), "tag"): _truncate(_as_text(value), MAX_TAG_LENGTH)
            for key, value in all_tags.items()
        }
        mlflow = self._fluent()
        with _mlflow_errors(f"starting a run in experiment {self.experiment_name!r}"):
            run = mlflow.start_run(
                experiment_id=self.experiment_id, run_name=run_name, nested=nested, tags=run_tags
            )
        self._runs.append(run.info.run_id)
        return str(run.info.run_id)

    def end_run(self, status: str = "FINISHED") -> None:
        """End the active run with ``status`` (``FINISHED``, ``FAILED`` or ``KILLED``)."""
        self._end(self.active_run_id, status)

    def _end(self, run_id: str, status: str) -> None:
        if status not in _RUN_STATUSES:
            raise ValueError(f"status must be one of {', '.join(_RUN_STATUSES)}, got {status!r}")
        mlflow = _import_mlflow()
        while run_id in self._runs:  # runs started inside this one end with it
            current = self._runs.pop()
            active = mlflow.active_run()
            with _mlflow_errors(f"ending run {current}"):
                if active is not None and active.info.run_id == current:
                    mlflow.end_run(status)
                else:
                    self.client.set_terminated(current, status)

    @contextlib.contextmanager
    def run(
        self,
        run_name: str | None = None,
        tags: Mapping[str, Any] | None = None,
        nested: bool = False,
    ) -> Iterator[str]:
        """``with manager.run(run_name=...) as run_id:`` starts a run and always ends it:
        ``FINISHED``, or ``FAILED`` when the block raises (``KILLED`` on Ctrl-C); the
        exception propagates."""
        run_id = self.start_run(run_name=run_name, tags=tags, nested=nested)
        try:
            yield run_id
        except KeyboardInterrupt:
            self._end(run_id, "KILLED")
            raise
        except BaseException:
            self._end(run_id, "FAILED")
            raise
        self._end(run_id, "FINISHED")

    # -- parameters and metrics -------------------------------------------------

    def log_parameters(self, params: Mapping[str, Any]) -> dict[str, str]:
        """Log parameters to the active run and return what was logged.

        Nested mappings become dotted keys (``model.max_depth``); values become text (lists
        and mappings as JSON) cut to MLflow's 6000 characters, ending in ``...[truncated]``.
        Secrets are dropped with a :class:`TrackingWarning` naming the keys (never the
        values). MLflow parameters cannot change: logging a key again with the same value is a
        no-op, with another value a :class:`TrackingError` naming the key.
        """
        filter_ = _SecretFilter.from_environment()
        texts: dict[str, str] = {}
        dropped: list[str] = []
        for key, value in flatten_params(params).items():
            text = _as_text(value)
            if filter_.names_secret(key) or filter_.leaks(text):
                dropped.append(key)
                continue
            texts[_clean_key(key, "parameter")] = _truncate(
                filter_.clean_text(text), MAX_PARAM_LENGTH
            )
        _warn_dropped(dropped, "parameters")
        self._log_params(texts)
        return texts

    def _log_params(self, texts: Mapping[str, str]) -> None:
        from mlflow.entities import Param

        run_id = self.active_run_id
        existing = self.client.get_run(run_id).data.params
        changed = [key for key, text in texts.items() if existing.get(key, text) != text]
        if changed:
            details = "; ".join(f"{k}: {existing[k]!r} -> {texts[k]!r}" for k in changed)
            raise TrackingError(
                f"MLflow parameters cannot change within a run, and these were logged before "
                f"with other values: {details}; log them under other names or in a new run"
            )
        new = [Param(key, text) for key, text in texts.items() if key not in existing]
        with _mlflow_errors(f"logging parameters to run {run_id}"):
            for start in range(0, len(new), _PARAMS_PER_BATCH):
                self.client.log_batch(run_id, params=new[start : start + _PARAMS_PER_BATCH])

    def log_metrics(
        self, metrics: Mapping[str, float], step: int | None = None
    ) -> dict[str, float]:
        """Log metrics to the active run at ``step`` (the fold index for per-fold values; 0
        when None) and return what was logged.

        NaN and infinite values are skipped with a :class:`TrackingWarning` naming them;
        a value that is not a number is a ``TypeError`` naming the metric.
        """
        from mlflow.entities import Metric

        values: dict[str, float] = {}
        skipped = []
        for key, value in flatten_params(metrics).items():
            if isinstance(value, bool) or not isinstance(value, numbers.Real):
                raise TypeError(f"metric {key!r} must be a number, got {value!r}")
            number = float(value)
            if not math.isfinite(number):
                skipped.append(f"{key}={number}")
                continue
            values[_clean_key(key, "metric")] = number
        if skipped:
            warnings.warn(
                f"metrics not logged, MLflow keeps only finite values: {', '.join(skipped)}",
                TrackingWarning,
                stacklevel=2,
            )
        run_id = self.active_run_id
        timestamp = int(dt.datetime.now(dt.UTC).timestamp() * 1000)
        entries = [Metric(key, v, timestamp, step or 0) for key, v in values.items()]
        with _mlflow_errors(f"logging metrics to run {run_id}"):
            for start in range(0, len(entries), _METRICS_PER_BATCH):
                self.client.log_batch(run_id, metrics=entries[start : start + _METRICS_PER_BATCH])
        return values

    def log_seed(self, seed: int) -> None:
        """Log the random seed as the parameter ``seed``."""
        self.log_parameters({"seed": int(seed)})

    def log_config(self, config: Any) -> None:
        """Log the resolved config: the artifact ``config.yaml`` (which ``load_config`` reads
        back) and every key as a flattened parameter (``training.model_type``...).

        ``config`` is an ``MlcoreConfig``, one of its sections, or a mapping. Secret-named keys
        and secret values are left out of both."""
        if isinstance(config, MlcoreConfig):
            data = config_to_dict(config)
        elif attrs.has(type(config)):  # one section, such as TrainingConfig
            data = attrs.asdict(config)
        else:
            data = dict(config)
        dropped: list[str] = []
        clean = _SecretFilter.from_environment().scrub(data, "", dropped)
        _warn_dropped(dropped, "config keys")
        text = yaml.safe_dump(clean, sort_keys=False, allow_unicode=True, default_flow_style=False)
        self.log_text(text, "config.yaml")
        self.log_parameters(clean)

    def log_environment(self, host: PluginHost | None = None) -> dict[str, Any]:
        """Log the plugin versions: ``plugin.<distribution>`` parameters (``plugin.mlcore``
        included), ``env.python``, and the artifact ``plugins.json``.

        With a loaded ``host``, ``plugins.json`` is ``host.describe()`` (loaded plugins,
        their components, failures, skipped plugins); without one, the installed plugins
        found through the ``mlcore.plugins`` entry points, none of them imported.
        Returns what ``plugins.json`` holds.
        """
        if host is not None:
            description = host.describe()
            versions = {p["distribution"]: p["version"] for p in description["plugins"]}
        else:
            from mlcore import _loader

            installed = [
                {"distribution": c.distribution, "version": c.version, "entry_point": c.name}
                for c in _loader.discover()
            ]
            description = {
                "mlcore_version": __version__,
                "plugin_api_version": PLUGIN_API_VERSION,
                "installed": installed,
            }
            versions = {"mlcore": __version__} | {
                p["distribution"]: p["version"] for p in installed
            }
        description = {
            **description,
            "python": platform.python_version(),
            "platform": platform.platform(),
        }
        self.log_dict(description, "plugins.json")
        params = {f"plugin.{name}": version for name, version in versions.items()}
        self.log_parameters({**params, "env.python": platform.python_version()})
        return description

    def log_data_fingerprint(self, df: pd.DataFrame, name: str = "data") -> str:
        """Log ``<name>_fingerprint`` (:func:`mlcore.data.data_fingerprint`), ``<name>_rows``
        and, for a ``DatetimeIndex``, ``<name>_start`` and ``<name>_end``; return the
        fingerprint. Use ``name`` to log several frames (``train``, ``test``)."""
        import pandas as pd

        from mlcore.data import data_fingerprint

        fingerprint = data_fingerprint(df)
        params: dict[str, Any] = {f"{name}_fingerprint": fingerprint, f"{name}_rows": len(df)}
        if isinstance(df.index, pd.DatetimeIndex) and len(df.index):
            params[f"{name}_start"] = df.index.min().isoformat()
            params[f"{name}_end"] = df.index.max().isoformat()
        self.log_parameters(params)
        return fingerprint

    def log_features(self, names: Iterable[str]) -> list[str]:
        """Log the feature list as the artifact ``features.json`` (a JSON list, in model
        input order) and the parameter ``n_features``; return the list."""
        features = [str(name) for name in names]
        self.log_dict(features, "features.json")
        self.log_parameters({"n_features": len(features)})
        return features

    # -- artifacts ---------------------------------------------------------------

    def log_figure(self, figure: Any, name: str) -> str:
        """Log a matplotlib figure as a PNG artifact (``.png`` is added to ``name`` when it
        has no suffix, ``plots/history`` -> ``plots/history.png``); return its artifact path."""
        artifact_file = name if Path(name).suffix else f"{name}.png"
        run_id = self.active_run_id
        with _mlflow_errors(f"logging figure {artifact_file!r}"):
            self.client.log_figure(run_id, figure, artifact_file)
        return artifact_file

    def log_artifact(self, path: str | os.PathLike[str], artifact_path: str | None = None) -> None:
        """Log a file or a whole directory, under ``artifact_path`` when given."""
        local = Path(path)
        if not local.exists():
            raise FileNotFoundError(f"artifact to log does not exist: {local}")
        run_id = self.active_run_id
        with _mlflow_errors(f"logging artifact {local}"):
            if local.is_dir():
                self.client.log_artifacts(run_id, str(local), artifact_path)
            else:
                self.client.log_artifact(run_id, str(local), artifact_path)

    def log_dict(self, obj: Any, name: str) -> str:
        """Log plain data as a JSON artifact (YAML when ``name`` ends in ``.yaml``/``.yml``;
        ``.json`` is added when it has no suffix); numpy, pandas and datetime values are
        converted. Return the artifact path."""
        artifact_file = name if Path(name).suffix else f"{name}.json"
        text = json.dumps(obj, indent=2, default=_json_default, allow_nan=True)
        if Path(artifact_file).suffix in (".yaml", ".yml"):
            text = yaml.safe_dump(json.loads(text), sort_keys=False, allow_unicode=True)
        self.log_text(text, artifact_file)
        return artifact_file

    def log_text(self, text: str, name: str) -> None:
        """Log ``text`` as the artifact ``name``."""
        run_id = self.active_run_id
        with _mlflow_errors(f"logging artifact {name!r}"):
            self.client.log_text(run_id, text, name)

    # -- models -------------------------------------------------------------------

    def log_model(
        self,
        model: Any,
        name: str = "model",
        *,
        registered_model_name: str | None = None,
        input_example: Any = None,
        signature: Any = None,
        pip_requirements: Sequence[str] | None = None,
        metadata: Mapping[str, Any] | None = None,
    ) -> LoggedModel:
        """Log ``model`` (any picklable object with ``predict(frame)``: usually the whole
        fitted pipeline, features + preprocessing + model) as an MLflow pyfunc model.

        The object is pickled with joblib into the model's artifacts; the pyfunc wrapper
        (:class:`mlcore._pyfunc.PipelineModel`) calls its ``predict`` on the input frame,
        after setting a UTC ``DatetimeIndex`` from a ``timestamp``/``date`` column when the
        frame lacks one. ``pip_requirements`` default to :func:`default_pip_requirements`
        (pinned running versions, never inferred). No signature is inferred unless
        ``signature`` or ``input_example`` is given. With ``registered_model_name`` the model
        is registered as a new version.

        ``model_metadata.json`` (the seed document's model metadata) is written to the run
        and to the model: ``model_id`` (MLflow's logged-model id), ``model_type`` (from
        ``metadata`` or the object's class), ``version`` (the registered version, else
        ``metadata["version"]``, else null), ``training_date`` (now, ISO 8601 UTC, unless
        given), ``features``, ``performance_metrics``, ``hyperparameters``,
        ``training_config`` and any other key of ``metadata``; secrets are left out.
        """
        if not callable(getattr(model, "predict", None)):
            raise TypeError(
                f"log_model needs an object with a predict(frame) method, got "
                f"{type(model).__name__}"
            )
        run_id = self.active_run_id
        mlflow = self._fluent()
        active = mlflow.active_run()
        if active is None or active.info.run_id != run_id:
            raise TrackingError(
                f"MLflow's active run is not this manager's run {run_id}: end the runs started "
                "outside the manager before logging a model"
            )
        import joblib

        from mlcore import _pyfunc

        model_type = str(
            (metadata or {}).get("model_type")
            or f"{type(model).__module__}.{type(model).__qualname__}"
        )
        with tempfile.TemporaryDirectory(prefix="mlcore-model-") as tmp:
            pipeline_file = Path(tmp) / "pipeline.joblib"
            try:
                joblib.dump(model, pipeline_file)
            except Exception as error:
                raise TrackingError(
                    f"cannot pickle the {type(model).__name__} to log it: {error}; every part "
                    "of the pipeline must be picklable (no lambdas or open files)"
                ) from error
            requirements = (
                list(pip_requirements)
                if pip_requirements is not None
                else default_pip_requirements(model)
            )
            entry_point = Path(tmp) / _pyfunc.ENTRY_POINT_FILE
            entry_point.write_text(_pyfunc.ENTRY_POINT_SOURCE, encoding="utf-8")
            with (
                _mlflow_errors(f"logging model {name!r} to run {run_id}"),
                _without_log_records("mlflow.pyfunc", "Failed to infer model signature: Type hint"),
            ):
                info = mlflow.pyfunc.log_model(
                    name=name,
                    python_model=str(entry_point),
                    artifacts={_pyfunc.PIPELINE_ARTIFACT: str(pipeline_file)},
                    pip_requirements=requirements,
                    signature=signature,
                    input_example=input_example,
                    registered_model_name=registered_model_name,
                    metadata={"mlcore_version": __version__, "model_type": model_type},
                )
        version = info.registered_model_version
        model_metadata = self._model_metadata(metadata, info.model_id, model_type, version)
        self._write_model_metadata(model_metadata, info.model_id)
        return LoggedModel(
            model_uri=str(info.model_uri),
            model_id=str(info.model_id),
            run_id=run_id,
            name=name,
            registered_model_name=registered_model_name,
            registered_version=int(version) if version is not None else None,
            pip_requirements=tuple(requirements),
            metadata=model_metadata,
        )

    def _model_metadata(
        self, given: Mapping[str, Any] | None, model_id: str, model_type: str, version: Any
    ) -> dict[str, Any]:
        given = dict(given or {})
        metadata = {
            "model_id": model_id,
            "model_type": model_type,
            "version": str(version) if version is not None else given.get("version"),
            "training_date": given.get("training_date") or _utc_now(),
            "features": list(given.get("features") or []),
            "performance_metrics": dict(given.get("performance_metrics") or {}),
            "hyperparameters": dict(given.get("hyperparameters") or {}),
            "training_config": given.get("training_config") or {},
        }
        if isinstance(metadata["training_config"], MlcoreConfig):
            metadata["training_config"] = config_to_dict(metadata["training_config"])
        metadata |= {key: value for key, value in given.items() if key not in metadata}
        dropped: list[str] = []
        clean: dict[str, Any] = _SecretFilter.from_environment().scrub(
            json.loads(json.dumps(metadata, default=_json_default)), "", dropped
        )
        _warn_dropped(dropped, "model metadata keys")
        return clean

    def _write_model_metadata(self, metadata: Mapping[str, Any], model_id: str) -> None:
        self.log_dict(metadata, "model_metadata.json")
        with tempfile.TemporaryDirectory(prefix="mlcore-metadata-") as tmp:
            path = Path(tmp) / "model_metadata.json"
            path.write_text(json.dumps(metadata, indent=2), encoding="utf-8")
            with _mlflow_errors(f"writing model_metadata.json to model {model_id}"):
                self.client.log_model_artifact(model_id, str(path))

    # -- registry -----------------------------------------------------------------

    def register_model(
        self, model_uri: str, name: str, *, tags: Mapping[str, str] | None = None
    ) -> ModelVersionInfo:
        """Register the model at ``model_uri`` (``LoggedModel.model_uri``, ``runs:/...``)
        as a new version of ``name`` (created when missing) and return that version."""
        mlflow = self._fluent()
        with _mlflow_errors(f"registering {model_uri} as {name!r}"):
            version = mlflow.register_model(model_uri, name, tags=dict(tags or {}))
        return self.get_version(name, int(version.version))

    def get_version(self, name: str, version: int | str) -> ModelVersionInfo:
        """Version ``version`` of registered model ``name``."""
        from mlflow.exceptions import MlflowException

        try:
            found = self.client.get_model_version(name, str(version))
        except MlflowException as error:
            if _is_missing_resource(error):
                raise ModelNotFoundError(
                    f"registered model {name!r} has no version {version}; {self._inventory(name)}"
                ) from None
            raise TrackingError(
                f"reading version {version} of {name!r} failed: {error.message}"
            ) from error
        return _version_info(found)

    def list_versions(self, name: str) -> list[ModelVersionInfo]:
        """Every version of registered model ``name``, oldest first."""
        self._registered_model(name)
        with _mlflow_errors(f"listing the versions of {name!r}"):
            found = self.client.search_model_versions(f"name = '{_quote(name)}'")
        return sorted((_version_info(v) for v in found), key=lambda v: v.version)

    def set_alias(self, name: str, alias: str, version: int | str) -> None:
        """Point ``alias`` (``champion``, ``challenger``...) of ``name`` at ``version``; an alias
        names one version at a time, so it leaves the version it named before."""
        self.get_version(name, version)
        with _mlflow_errors(f"setting alias {alias!r} of {name!r} to version {version}"):
            self.client.set_registered_model_alias(name, alias, str(version))

    def delete_alias(self, name: str, alias: str) -> None:
        """Remove ``alias`` from registered model ``name``."""
        self.get_version_by_alias(name, alias)
        with _mlflow_errors(f"deleting alias {alias!r} of {name!r}"):
            self.client.delete_registered_model_alias(name, alias)

    def get_version_by_alias(self, name: str, alias: str) -> ModelVersionInfo:
        """The version of ``name`` that ``alias`` points at; a :class:`ModelNotFoundError`
        listing the existing aliases and versions when there is none."""
        model = self._registered_model(name)
        if alias not in (model.aliases or {}):
            raise ModelNotFoundError(
                f"registered model {name!r} has no alias {alias!r}; {self._inventory(name)}"
            )
        return self.get_version(name, model.aliases[alias])

    def promote(
        self,
        name: str,
        version: int | str,
        alias: str = "champion",
        *,
        previous_alias: str | None = "previous_champion",
        clear_aliases: Sequence[str] = ("challenger",),
    ) -> ModelVersionInfo:
        """Make ``version`` the ``alias`` (``champion``) of ``name`` and return it.

        The version that held ``alias`` before, if another, gets ``previous_alias``
        (``previous_champion``; None to skip), so a rollback is one ``promote`` away. Aliases
        in ``clear_aliases`` that point at the promoted version are removed: a challenger
        that becomes champion is no longer a challenger.
        """
        promoted = self.get_version(name, version)
        aliases = self._registered_model(name).aliases or {}
        former = aliases.get(alias)
        with _mlflow_errors(f"promoting version {version} of {name!r} to {alias!r}"):
            if previous_alias and former is not None and int(former) != promoted.version:
                self.client.set_registered_model_alias(name, previous_alias, str(former))
            self.client.set_registered_model_alias(name, alias, str(promoted.version))
            for stale in clear_aliases:
                if stale != alias and int(aliases.get(stale, -1)) == promoted.version:
                    self.client.delete_registered_model_alias(name, stale)
        return self.get_version(name, promoted.version)

    def load_model(self, name: str, alias: str = "champion") -> Any:
        """Load ``models:/<name>@<alias>`` as an MLflow pyfunc model."""
        self.get_version_by_alias(name, alias)
        return self.load_model_uri(f"models:/{name}@{alias}")

    def load_model_uri(self, uri: str) -> Any:
        """Load the pyfunc model at ``uri`` (``models:/name@alias``, ``models:/name/3``,
        ``models:/m-...``, ``runs:/<run_id>/model``) from this manager's stores."""
        mlflow = self._fluent()
        try:
            return mlflow.pyfunc.load_model(uri)
        except Exception as error:
            raise ModelLoadError(f"could not load the model at {uri}: {error}") from error

    def _registered_model(self, name: str) -> Any:
        from mlflow.exceptions import MlflowException

        try:
            return self.client.get_registered_model(name)
        except MlflowException as error:
            if not _is_missing_resource(error):
                raise TrackingError(
                    f"reading registered model {name!r} failed: {error.message}"
                ) from error
        names = sorted(m.name for m in self.client.search_registered_models(max_results=1000))
        listing = ", ".join(repr(n) for n in names) if names else "none"
        raise ModelNotFoundError(
            f"no registered model named {name!r} in {self.registry_uri}; registered models: "
            f"{listing}"
        )

    def _inventory(self, name: str) -> str:
        model = self._registered_model(name)
        aliases = ", ".join(f"{a} -> {v}" for a, v in sorted((model.aliases or {}).items()))
        found = self.client.search_model_versions(f"name = '{_quote(name)}'")
        versions = ", ".join(str(v) for v in sorted(int(v.version) for v in found))
        return f"its aliases: {aliases or 'none'}; its versions: {versions or 'none'}"

    # -- comparing runs -----------------------------------------------------------

    def get_run(self, run_id: str) -> RunSummary:
        """A run of any experiment in this store."""
        from mlflow.exceptions import MlflowException

        try:
            return _run_summary(self.client.get_run(run_id))
        except MlflowException as error:
            raise TrackingError(
                f"no run {run_id!r} in {self.tracking_uri}: {error.message}"
            ) from error

    def search_runs(
        self,
        run_ids: Sequence[str] | None = None,
        *,
        filter_string: str = "",
        order_by: Sequence[str] | str | None = None,
        max_results: int = 1000,
    ) -> list[RunSummary]:
        """Runs of this experiment (or the runs ``run_ids``, in any experiment of the store),
        in ``order_by`` order (MLflow syntax: ``"metrics.f1 DESC"``); newest first by default,
        or in the order of ``run_ids``."""
        orders = [order_by] if isinstance(order_by, str) else list(order_by or [])
        experiment_ids = [self.experiment_id]
        filters = [filter_string] if filter_string else []
        if run_ids is not None:
            if not run_ids:
                return []
            ids = ", ".join(f"'{_quote(r)}'" for r in run_ids)
            filters.append(f"attributes.run_id IN ({ids})")
            experiment_ids = [e.experiment_id for e in self.client.search_experiments()]
        with _mlflow_errors("searching runs"):
            found = self.client.search_runs(
                experiment_ids,
                filter_string=" and ".join(filters),
                order_by=orders or None,
                max_results=max_results,
            )
        runs = [_run_summary(r) for r in found]
        if run_ids is not None:
            missing = [r for r in run_ids if r not in {run.run_id for run in runs}]
            if missing:
                raise TrackingError(f"no runs {', '.join(missing)} in {self.tracking_uri}")
            if not orders:
                position = {run_id: i for i, run_id in enumerate(run_ids)}
                runs.sort(key=lambda run: position[run.run_id])
        return runs

    def compare_runs(
        self,
        run_ids: Sequence[str] | None = None,
        metric_names: Sequence[str] | None = None,
        *,
        param_names: Sequence[str] | None = None,
        order_by: Sequence[str] | str | None = None,
    ) -> pd.DataFrame:
        """One row per run: ``run_id``, ``run_name``, ``status``, ``start_time``,
        ``end_time``, then ``params.<name>`` and ``metrics.<name>`` columns (MLflow's
        ``search_runs`` naming) for ``param_names`` and ``metric_names`` (all when None).

        Metrics are each run's latest value (the last step). Runs are those of
        :meth:`search_runs`; a run that lacks a metric or parameter shows NaN / None.
        """
        import pandas as pd

        runs = self.search_runs(run_ids, order_by=order_by)
        if param_names is None:
            param_names = sorted({key for run in runs for key in run.params})
        if metric_names is None:
            metric_names = sorted({key for run in runs for key in run.metrics})
        rows = [
            {
                "run_id": run.run_id,
                "run_name": run.run_name,
                "status": run.status,
                "start_time": pd.Timestamp(run.start_time) if run.start_time else pd.NaT,
                "end_time": pd.Timestamp(run.end_time) if run.end_time else pd.NaT,
                **{f"params.{p}": run.params.get(p) for p in param_names},
                **{f"metrics.{m}": run.metrics.get(m, math.nan) for m in metric_names},
            }
            for run in runs
        ]
        columns = ["run_id", "run_name", "status", "start_time", "end_time"]
        columns += [f"params.{p}" for p in param_names] + [f"metrics.{m}" for m in metric_names]
        frame = pd.DataFrame(rows, columns=columns)
        for metric in metric_names:
            frame[f"metrics.{metric}"] = frame[f"metrics.{metric}"].astype(float)
        return frame

    def best_run(self, metric: str, greater_is_better: bool = True) -> RunSummary:
        """The run of this experiment with the highest (or lowest) latest value of ``metric``;
        runs without it are ignored, and a :class:`TrackingError` lists the metrics there are
        when no run has it."""
        column = f"metrics.`{metric}`"
        direction = "DESC" if greater_is_better else "ASC"
        runs = self.search_runs(
            filter_string=f"{column} > -1e308", order_by=[f"{column} {direction}"], max_results=1
        )
        if not runs:
            known = sorted(
                {key for run in self.search_runs(max_results=200) for key in run.metrics}
            )
            listing = ", ".join(known) if known else "none"
            raise TrackingError(
                f"no run of experiment {self.experiment_name!r} has the metric {metric!r}; "
                f"metrics logged there: {listing}"
            )
        return runs[0]


def _quote(text: str) -> str:
    return text.replace("'", "\\'")


def _utc_now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
