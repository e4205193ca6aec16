"""Experiment tracking and the model registry on MLflow: :class:`MLflowManager`.

One manager talks to one tracking store (``sqlite:///mlflow.db`` by default: MLflow embedded
in a file, no server) and one experiment in it. A run records what produced a model: its
parameters, metrics per fold and overall, the resolved config (``config.yaml``), the plugin
versions (``plugins.json``), the data fingerprint, the feature list (``features.json``), the
seed, plots, and the model itself: the whole pipeline as an MLflow *pyfunc* model that predicts
from raw OHLCV bars, with the seed document's ``model_metadata.json``. The registry side
registers versions, moves the aliases ``champion`` and ``challenger``, and loads a model by
alias, here or in any other process.

Secrets never reach MLflow: parameters, tags, config and metadata are scrubbed of keys that
name a secret (``api_key``, ``token``, ``password``...), of values equal to (or, from 8
characters, containing) a secret held in an environment variable whose name says so
(``FINNHUB_API_KEY``), and of passwords inside URLs (``postgresql://user:***@host/db``).

mlflow is the ``mlcore[tracking]`` extra, imported on first use. ``docs/tracking.md`` is
the user guide.
"""

from __future__ import annotations

import os

# Before mlflow is first imported anywhere through this module; the user's setting wins.
os.environ.setdefault("MLFLOW_DISABLE_TELEMETRY", "true")

import contextlib
import datetime as dt
import functools
import importlib.metadata
import json
import logging
import math
import numbers
import pickle
import platform
import re
import sys
import tempfile
import warnings
from collections.abc import Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final, Self
from urllib.parse import unquote

import attrs
import yaml

from mlcore._version import PLUGIN_API_VERSION, __version__
from mlcore.config import MlcoreConfig, MlflowConfig, config_to_dict, names_secret
from mlcore.errors import (
    MissingExtraError,
    ModelLoadError,
    ModelNotFoundError,
    TrackingError,
    TrackingWarning,
)

if TYPE_CHECKING:
    import pandas as pd
    from mlflow import MlflowClient

    from mlcore.host import PluginHost

__all__ = [
    "LoggedModel",
    "MLflowManager",
    "ModelLoadError",
    "ModelNotFoundError",
    "ModelVersionInfo",
    "RunSummary",
    "TrackingError",
    "TrackingWarning",
    "default_pip_requirements",
    "flatten_params",
]

MAX_PARAM_LENGTH: Final = 6000  # mlflow.utils.validation.MAX_PARAM_VAL_LENGTH
MAX_TAG_LENGTH: Final = 8000  # mlflow.utils.validation.MAX_TAG_VAL_LENGTH
MAX_KEY_LENGTH: Final = 250  # mlflow.utils.validation.MAX_ENTITY_KEY_LENGTH
TRUNCATION_MARKER: Final = "...[truncated]"
_PARAMS_PER_BATCH: Final = 100  # mlflow.utils.validation.MAX_PARAMS_TAGS_PER_BATCH
_METRICS_PER_BATCH: Final = 1000
_MIN_SECRET_LENGTH: Final = 4  # shorter environment values are not treated as secrets
_MIN_SECRET_SUBSTRING: Final = 8  # from this length, a value that contains a secret is dropped
_RUN_STATUSES: Final = ("FINISHED", "FAILED", "KILLED")
_ARTIFACTS_DIR: Final = "mlartifacts"
_URL_PASSWORD = re.compile(r"(?P<head>[A-Za-z][A-Za-z0-9+.\-]*://[^:/@\s]*):[^@/\s]+@")
_BAD_KEY_CHARACTERS = re.compile(r"[^\w./\- :]")


# ---------------------------------------------------------------------- results as data


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


# ------------------------------------------------------------------------ mlflow import


def _import_mlflow() -> Any:
    try:
        import mlflow
    except ImportError:
        raise MissingExtraError("mlflow", "tracking", "Experiment tracking") from None
    return mlflow


class _DropLogRecords(logging.Filter):
    def __init__(self, prefixes: tuple[str, ...]) -> None:
        super().__init__()
        self.prefixes = prefixes

    def filter(self, record: logging.LogRecord) -> bool:
        return not record.getMessage().startswith(self.prefixes)


@contextlib.contextmanager
def _without_log_records(logger_name: str, *prefixes: str) -> Iterator[None]:
    """Silence one known, expected message of a library logger for the duration."""
    drop = _DropLogRecords(prefixes)
    target = logging.getLogger(logger_name)
    target.addFilter(drop)
    try:
        yield
    finally:
        target.removeFilter(drop)


@contextlib.contextmanager
def _mlflow_errors(action: str, error_class: type[TrackingError] = TrackingError) -> Iterator[None]:
    """Turn an MlflowException raised while doing ``action`` into a TrackingError."""
    from mlflow.exceptions import MlflowException

    try:
        yield
    except MlflowException as error:
        raise error_class(f"{action} failed: {error.message}") from error


def _is_missing_resource(error: BaseException) -> bool:
    return getattr(error, "error_code", "") == "RESOURCE_DOES_NOT_EXIST"


# ------------------------------------------------------------------------- URIs and paths


def _sqlite_database(uri: str) -> tuple[str, Path | None]:
    """``(uri, path)`` with a relative SQLite file made absolute; other URIs pass unchanged.

    A relative ``sqlite:///mlflow.db`` names a file in the current directory when the
    manager is built; fixing it then keeps every later connection (and any other process
    given the returned URI) on the same file whatever the working directory becomes.
    """
    prefix = "sqlite:///"
    if not uri.startswith(prefix):
        return uri, None
    location, separator, query = uri[len(prefix) :].partition("?")
    if location in ("", ":memory:"):
        return uri, None
    path = Path(os.path.abspath(Path(unquote(location)).expanduser()))
    return f"{prefix}{path.as_posix()}{separator}{query}", path


def _experiment_folder(name: str) -> str:
    folder = re.sub(r"[^A-Za-z0-9._-]+", "_", name).strip("._")
    return folder or "experiment"


def _to_datetime(milliseconds: int | None) -> dt.datetime | None:
    if milliseconds is None:
        return None
    return dt.datetime.fromtimestamp(milliseconds / 1000, tz=dt.UTC)


def _utc_now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


# --------------------------------------------------------------- parameters and secrets


def flatten_params(params: Mapping[str, Any], prefix: str = "") -> dict[str, Any]:
    """Flatten nested mappings (and attrs objects) into one level with dotted keys.

    ``{"model": {"max_depth": 3}}`` becomes ``{"model.max_depth": 3}``; an empty mapping
    stays a value (``{}``) so that the key is not lost; lists stay values.
    """
    flat: dict[str, Any] = {}
    for key, value in params.items():
        name = f"{prefix}.{key}" if prefix else str(key)
        if attrs.has(type(value)):
            value = attrs.asdict(value)
        if isinstance(value, Mapping) and value:
            flat.update(flatten_params(value, name))
        else:
            flat[name] = value
    return flat


def _json_default(value: Any) -> Any:
    """Make numpy, pandas, datetime, path and attrs values JSON-serializable."""
    if attrs.has(type(value)):
        return attrs.asdict(value)
    if hasattr(value, "tolist"):  # numpy arrays and scalars, pandas Index and Series
        return value.tolist()
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if isinstance(value, set | frozenset):
        return sorted(value, key=str)
    return str(value)


def _as_text(value: Any) -> str:
    """A parameter or tag value as MLflow stores it: text; containers as compact JSON."""
    if isinstance(value, str):
        return value
    if isinstance(value, Mapping | list | tuple | set | frozenset):
        return json.dumps(value, default=_json_default, separators=(",", ":"))
    if hasattr(value, "item") and not hasattr(value, "__len__"):  # a numpy scalar
        value = value.item()
    return str(value)


def _truncate(text: str, limit: int) -> str:
    if len(text) <= limit:
        return text
    return text[: limit - len(TRUNCATION_MARKER)] + TRUNCATION_MARKER


def _clean_key(key: str, kind: str) -> str:
    """A key MLflow accepts: characters it refuses become ``_``; too long is an error."""
    cleaned = _BAD_KEY_CHARACTERS.sub("_", key).strip("/")
    while "//" in cleaned:
        cleaned = cleaned.replace("//", "/")
    if not cleaned or cleaned in (".", "..") or "/../" in f"/{cleaned}/":
        raise TrackingError(f"{kind} name {key!r} is not usable as an MLflow key")
    if len(cleaned) > MAX_KEY_LENGTH:
        raise TrackingError(
            f"{kind} name {key[:60]!r}... has {len(cleaned)} characters; MLflow allows at most "
            f"{MAX_KEY_LENGTH}: shorten it"
        )
    return cleaned


@attrs.define
class _SecretFilter:
    """Knows the secrets of this process: secret-named keys and secret environment values."""

    values: tuple[str, ...]

    @classmethod
    def from_environment(cls) -> Self:
        found = {
            value
            for name, value in os.environ.items()
            if names_secret(name) and len(value.strip()) >= _MIN_SECRET_LENGTH
        }
        return cls(tuple(sorted(found, key=len, reverse=True)))

    def names_secret(self, dotted_key: str) -> bool:
        return any(names_secret(part) for part in re.split(r"[./:]", dotted_key) if part)

    def leaks(self, text: str) -> bool:
        return any(
            text == secret or (len(secret) >= _MIN_SECRET_SUBSTRING and secret in text)
            for secret in self.values
        )

    def clean_text(self, text: str) -> str:
        return _URL_PASSWORD.sub(r"\g<head>:***@", text)

    def scrub(self, value: Any, path: str, dropped: list[str]) -> Any:
        """A copy of nested data without secret keys or secret values (their paths go to
        ``dropped``); strings have URL passwords masked."""
        if attrs.has(type(value)):
            value = attrs.asdict(value)
        if isinstance(value, Mapping):
            kept = {}
            for key, item in value.items():
                where = f"{path}.{key}" if path else str(key)
                if isinstance(key, str) and names_secret(key):
                    dropped.append(where)
                    continue
                cleaned = self.scrub(item, where, dropped)
                if cleaned is not _DROPPED:
                    kept[key] = cleaned
            return kept
        if isinstance(value, list | tuple):
            items = [self.scrub(item, f"{path}[{i}]", dropped) for i, item in enumerate(value)]
            return [item for item in items if item is not _DROPPED]
        if isinstance(value, str):
            if self.leaks(value):
                dropped.append(path)
                return _DROPPED
            return self.clean_text(value)
        return value


_DROPPED: Final = object()


def _warn_dropped(dropped: Sequence[str], what: str) -> None:
    if dropped:
        warnings.warn(
            f"not logged to MLflow, because they name or hold a secret: {what} "
            f"{', '.join(sorted(dropped))}",
            TrackingWarning,
            stacklevel=3,
        )


# ---------------------------------------------------------------------- requirements


class _ModuleRecorder(pickle.Pickler):
    """Pickles into nothing, recording the module of every class and function it meets."""

    def __init__(self) -> None:
        super().__init__(_NullSink(), protocol=5, buffer_callback=lambda _: None)
        self.modules: set[str] = set()

    def reducer_override(self, obj: Any) -> Any:
        owner = obj if isinstance(obj, type) or callable(obj) else type(obj)
        module = getattr(owner, "__module__", None)
        if isinstance(module, str):
            self.modules.add(module)
        return NotImplemented


class _NullSink:
    def write(self, data: bytes) -> int:
        return len(data)


def _pickled_modules(obj: object) -> set[str]:
    recorder = _ModuleRecorder()
    recorder.dump(obj)
    return recorder.modules


@functools.cache
def _packages_distributions() -> Mapping[str, list[str]]:
    return importlib.metadata.packages_distributions()  # about a second: once per process


def _distributions_of(top_level: str) -> list[str]:
    """The distributions that provide the import package ``top_level``."""
    try:  # the common case, and editable installs (absent from packages_distributions)
        return [importlib.metadata.distribution(top_level).metadata["Name"]]
    except importlib.metadata.PackageNotFoundError:
        pass
    names = list(dict.fromkeys(_packages_distributions().get(top_level, [])))
    wanted = _canonical(top_level)
    same = [name for name in names if _canonical(name) == wanted]
    return same or names


def _canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _pin(distribution: str) -> str:
    return f"{distribution}=={importlib.metadata.version(distribution)}"


def default_pip_requirements(model: object | None = None) -> list[str]:
    """The pinned requirements that load ``model`` in another environment.

    mlcore, mlflow, numpy, pandas and joblib at their running versions, plus the distribution
    (at its running version) of every module whose classes or functions the pickled ``model``
    refers to: the mlcore plugins that built the pipeline and the libraries they use
    (scikit-learn, xgboost...). A module that belongs to no installed distribution is reported
    with a :class:`TrackingWarning`: the loading process must be able to import it.
    Requirements are read from ``importlib.metadata``, never inferred by MLflow.
    """
    distributions = ["mlcore", "mlflow", "numpy", "pandas", "joblib"]
    unpackaged: set[str] = set()
    if model is not None:
        for module in sorted(_pickled_modules(model)):
            top_level = module.partition(".")[0]
            if top_level in sys.stdlib_module_names or top_level == "builtins":
                continue
            found = _distributions_of(top_level)
            if found:
                distributions.extend(found)
            else:
                unpackaged.add(module)
    if unpackaged:
        warnings.warn(
            "the model refers to modules of no installed distribution "
            f"({', '.join(sorted(unpackaged))}); a process that loads it must be able to "
            "import them (PYTHONPATH), or pass pip_requirements= naming the packages that "
            "provide them",
            TrackingWarning,
            stacklevel=3,
        )
    unique: dict[str, str] = {}
    for name in distributions:
        unique.setdefault(_canonical(name), name)
    return [_pin(name) for name in unique.values()]


# -------------------------------------------------------------------------- the manager


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


def _artifact_uri(location: str | os.PathLike[str] | None) -> str | None:
    if location is None:
        return None
    if isinstance(location, os.PathLike) or "://" not in str(location):
        return Path(os.path.abspath(os.fspath(location))).as_uri()
    return str(location)


def _quote(text: str) -> str:
    return text.replace("'", "\\'")


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
