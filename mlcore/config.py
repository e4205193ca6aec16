"""mlcore's configuration: one YAML file mapped onto attrs classes.

``load_config(path)`` reads a file with ``yaml.safe_load``; ``config_from_dict`` does the same
for a mapping. Every key and value is checked against the classes below, and every problem is
reported with its key path (``training.validation.n_splits``), what was expected and how to fix
it. Files written for the seed design's layout (``feature_engineering:``,
``training.hyperparameter_optimization``, ``training.automated_retraining``) load as they are.
Secrets never live in the file: ``api_key_env: FINNHUB_API_KEY`` names an environment variable,
and ``resolve_secret`` reads it.
"""

from __future__ import annotations

import copy
import difflib
import errno
import functools
import itertools
import math
import os
import re
import reprlib
import types
import typing
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any, Union

import attrs
import yaml
from packaging.specifiers import InvalidSpecifier, SpecifierSet
from packaging.utils import canonicalize_name

from mlcore.errors import ConfigError

__all__ = [
    "AnalyticsConfig",
    "BacktestConfig",
    "DataConfig",
    "FeatureSelectionConfig",
    "FeaturesConfig",
    "HpoConfig",
    "LabelsConfig",
    "MlcoreConfig",
    "MlflowConfig",
    "PluginsConfig",
    "PreprocessingConfig",
    "RegimesConfig",
    "RetrainingConfig",
    "SentimentConfig",
    "ServingConfig",
    "TrainingConfig",
    "ValidationConfig",
    "config_from_dict",
    "config_to_dict",
    "dump_config",
    "load_config",
    "names_secret",
    "resolve_secret",
]

_Validator = Callable[[Any, "attrs.Attribute[Any]", Any], None]


class _InvalidValue(ConfigError):
    """A validator's verdict; the loader puts the section's path in front of ``key_path``."""

    def __init__(self, key_path: str, detail: str) -> None:
        super().__init__(detail, key_path=key_path)
        self.detail = detail


# --------------------------------------------------------------------------- validators


def _did_you_mean(word: object, candidates: typing.Iterable[str]) -> str:
    if not isinstance(word, str):
        return ""
    close = difflib.get_close_matches(word, list(candidates), n=1, cutoff=0.6)
    return f" (did you mean {close[0]!r}?)" if close else ""


def _not_one_of(value: object, allowed: typing.Sequence[str]) -> str:
    names = ", ".join(repr(choice) for choice in allowed)
    return f"expected one of {names}, got {value!r}{_did_you_mean(value, allowed)}"


def _one_of(*allowed: str) -> _Validator:
    def check(_: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
        if value not in allowed:
            raise _InvalidValue(attribute.name, _not_one_of(value, allowed))

    return check


def _each_one_of(*allowed: str) -> _Validator:
    def check(_: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
        for index, item in enumerate(value):
            if item not in allowed:
                raise _InvalidValue(f"{attribute.name}[{index}]", _not_one_of(item, allowed))

    return check


def _at_least(minimum: float, *, strict: bool = False) -> _Validator:
    """Refuse values below ``minimum`` (or equal to it when ``strict``); None passes."""

    def check(_: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
        if value is not None and (value < minimum or (strict and value == minimum)):
            relation = ">" if strict else ">="
            raise _InvalidValue(attribute.name, f"must be {relation} {minimum}, got {value!r}")

    return check


def _at_most(maximum: float) -> _Validator:
    def check(_: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
        if value is not None and value > maximum:
            raise _InvalidValue(attribute.name, f"must be <= {maximum}, got {value!r}")

    return check


def _not_empty(_: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
    if value is not None and not value.strip():
        raise _InvalidValue(attribute.name, "must not be empty")


def _check_test_size(_: Any, attribute: attrs.Attribute[Any], value: float | int) -> None:
    if (isinstance(value, float) and not 0.0 < value < 1.0) or (
        isinstance(value, int) and value < 1
    ):
        raise _InvalidValue(
            attribute.name,
            f"must be a fraction in (0, 1) or a whole number of rows >= 1, got {value!r}",
        )


def _check_holdout(_: Any, attribute: attrs.Attribute[Any], value: float | int) -> None:
    if (isinstance(value, float) and not 0.0 <= value < 1.0) or (
        isinstance(value, int) and value < 0
    ):
        raise _InvalidValue(
            attribute.name,
            f"must be a fraction in [0, 1) of the bars or a number of bars >= 0, got {value!r}",
        )


def _check_fraction(_: Any, attribute: attrs.Attribute[Any], value: float) -> None:
    if not 0.0 <= value < 1.0:
        raise _InvalidValue(attribute.name, f"must be in [0, 1), got {value!r}")


def _check_n_jobs(_: Any, attribute: attrs.Attribute[Any], value: int) -> None:
    if value != -1 and value < 1:
        raise _InvalidValue(attribute.name, f"must be >= 1, or -1 for every core, got {value!r}")


_LOOK_AHEAD_FILLS = {
    "interpolate": "interpolating across the present uses future bars (look-ahead): "
    "a gap is filled from the bars on both sides of it",
    "backward_fill": "a backward fill copies a later bar into an earlier one (look-ahead)",
    "bfill": "a backward fill copies a later bar into an earlier one (look-ahead)",
}
_MISSING_VALUE_POLICIES = ("forward_fill", "drop", "train_mean")


def _check_handle_missing(instance: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
    if value in _LOOK_AHEAD_FILLS:
        alternatives = ", ".join(repr(policy) for policy in _MISSING_VALUE_POLICIES)
        raise _InvalidValue(
            attribute.name,
            f"{value!r} is refused: {_LOOK_AHEAD_FILLS[value]}; use one of {alternatives}",
        )
    _one_of(*_MISSING_VALUE_POLICIES)(instance, attribute, value)


def _check_named_spec(path: str, spec: str | Mapping[str, Any]) -> None:
    """An indicator or trigger is a name, or a mapping with a ``name`` and its parameters."""
    name = spec.get("name") if isinstance(spec, Mapping) else spec
    if isinstance(name, str) and name.strip():
        return
    if isinstance(spec, Mapping):
        raise _InvalidValue(
            f"{path}.name",
            f"a mapping entry needs a non-empty 'name', got {name!r}; "
            "write it as {name: rsi, period: [7, 14]}",
        )
    raise _InvalidValue(path, "must not be empty")


def _check_named_specs(_: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
    for index, spec in enumerate(value):
        _check_named_spec(f"{attribute.name}[{index}]", spec)


def _check_indicator_families(_: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
    for family, specs in value.items():
        for index, spec in enumerate(specs):
            _check_named_spec(f"{attribute.name}.{family}[{index}]", spec)


def _check_distinct_distributions(_: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
    seen: dict[str, str] = {}
    for name in value:
        canonical = canonicalize_name(name)
        if canonical in seen:
            raise _InvalidValue(
                f"{attribute.name}.{name}",
                f"names the same distribution as {seen[canonical]!r} ({canonical!r}); "
                "keep one of them",
            )
        seen[canonical] = name


def _check_specifiers(_: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
    for distribution, specifier in value.items():
        try:
            SpecifierSet(specifier)
        except InvalidSpecifier:
            raise _InvalidValue(
                f"{attribute.name}.{distribution}",
                f"{specifier!r} is not a PEP 440 version specifier; "
                "write one such as '>=0.1,<2' (or '' for any version)",
            ) from None


def _check_weights(_: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
    for source, weight in value.items():
        if weight < 0:
            raise _InvalidValue(f"{attribute.name}.{source}", f"must be >= 0, got {weight!r}")


def _check_duration(_: Any, attribute: attrs.Attribute[Any], value: str | None) -> None:
    if value is None:
        return
    import pandas as pd  # only when a duration is set: pandas is slow to import

    try:
        positive = pd.Timedelta(value) > pd.Timedelta(0)
    except ValueError:
        positive = False
    if not positive:
        raise _InvalidValue(
            attribute.name, f"expected a positive duration such as '6h' or '30min', got {value!r}"
        )


_CRON_MACROS = ("@yearly", "@annually", "@monthly", "@weekly", "@daily", "@midnight", "@hourly")


def _check_cron(_: Any, attribute: attrs.Attribute[Any], value: str | None) -> None:
    if value is None or value in _CRON_MACROS or len(value.split()) == 5:
        return
    macros = ", ".join(_CRON_MACROS)
    raise _InvalidValue(
        attribute.name,
        f"expected a cron expression with 5 fields (minute hour day month weekday) such as "
        f"'0 2 * * 0', or one of {macros}, got {value!r}",
    )


# ------------------------------------------------------------------------------ sections


@attrs.define(kw_only=True, frozen=True)
class PluginsConfig:
    """Which plugins load, which versions they need, and their settings."""

    autoload: bool = True
    disable: list[str] = attrs.field(factory=list)
    require: dict[str, str] = attrs.field(
        factory=dict, validator=[_check_distinct_distributions, _check_specifiers]
    )
    strict: bool = False
    config: dict[str, dict[str, Any]] = attrs.field(
        factory=dict, validator=_check_distinct_distributions
    )

    def settings_for(self, distribution: str) -> dict[str, Any]:
        """Return a copy of ``plugins.config.<distribution>`` ({} when it is not set).

        Names compare as PEP 503 normalized names, so ``mlcore_ta`` finds ``mlcore-ta``.
        """
        wanted = canonicalize_name(distribution)
        for name, settings in self.config.items():
            if canonicalize_name(name) == wanted:
                return copy.deepcopy(settings)
        return {}


@attrs.define(kw_only=True, frozen=True)
class DataConfig:
    source: str = attrs.field(default="synthetic", validator=_not_empty)
    path: str | None = None
    symbol: str | None = None
    timeframe: str | None = None
    policy: str = attrs.field(default="raise", validator=_one_of("raise", "repair"))
    params: dict[str, Any] = attrs.field(factory=dict)


@attrs.define(kw_only=True, frozen=True)
class FeatureSelectionConfig:
    method: str = attrs.field(
        default="mutual_info",
        validator=_one_of("mutual_info", "anova_f", "variance_threshold", "correlation", "none"),
    )
    n_features: int | None = attrs.field(default=30, validator=_at_least(1))
    threshold: float | None = None


@attrs.define(kw_only=True, frozen=True)
class PreprocessingConfig:
    scaler: str = attrs.field(
        default="standard", validator=_one_of("standard", "robust", "minmax", "none")
    )
    handle_missing: str = attrs.field(default="forward_fill", validator=_check_handle_missing)
    outlier_detection: bool = False
    outlier_window: int = attrs.field(default=250, validator=_at_least(2))
    outlier_zscore: float = attrs.field(default=5.0, validator=_at_least(0, strict=True))


@attrs.define(kw_only=True, frozen=True)
class FeaturesConfig:
    """Feature engineering (the seed layout calls this section ``feature_engineering``)."""

    technical_indicators: dict[str, list[str | dict[str, Any]]] = attrs.field(
        factory=dict, validator=_check_indicator_families
    )
    indicators: list[str | dict[str, Any]] = attrs.field(factory=list, validator=_check_named_specs)
    feature_selection: FeatureSelectionConfig = attrs.field(factory=FeatureSelectionConfig)
    preprocessing: PreprocessingConfig = attrs.field(factory=PreprocessingConfig)
    timeframes: list[str] = attrs.field(factory=list)
    cache_dir: str | None = None


@attrs.define(kw_only=True, frozen=True)
class LabelsConfig:
    method: str = attrs.field(
        default="direction",
        validator=_one_of("direction", "ternary", "log_return", "triple_barrier"),
    )
    horizon: int = attrs.field(default=1, validator=_at_least(1))
    threshold: float = attrs.field(default=0.0, validator=_at_least(0))
    volatility_window: int = attrs.field(default=20, validator=_at_least(2))
    profit_take: float = attrs.field(default=2.0, validator=_at_least(0))
    stop_loss: float = attrs.field(default=2.0, validator=_at_least(0))
    max_holding: int = attrs.field(default=10, validator=_at_least(1))
    meta_labeling: bool = False


@attrs.define(kw_only=True, frozen=True)
class ValidationConfig:
    method: str = attrs.field(
        default="walk_forward",
        validator=_one_of("walk_forward", "time_series_split", "combinatorial_purged"),
    )
    n_splits: int = attrs.field(default=5, validator=_at_least(2))
    test_size: float | int = attrs.field(default=0.2, validator=_check_test_size)
    window: str = attrs.field(default="expanding", validator=_one_of("expanding", "rolling"))
    train_size: int | None = attrs.field(default=None, validator=_at_least(1))
    embargo: int = attrs.field(default=0, validator=_at_least(0))
    purge: bool = True
    n_test_groups: int = attrs.field(default=2, validator=_at_least(1))

    def __attrs_post_init__(self) -> None:
        if self.window == "rolling" and self.train_size is None:
            raise _InvalidValue(
                "train_size",
                "a rolling window needs train_size (rows in each training window); "
                "set it, or use window: expanding",
            )
        if self.method == "combinatorial_purged" and self.n_test_groups >= self.n_splits:
            raise _InvalidValue(
                "n_test_groups",
                f"must be smaller than n_splits ({self.n_splits}) for combinatorial_purged, "
                f"got {self.n_test_groups}",
            )


@attrs.define(kw_only=True, frozen=True)
class TrainingConfig:
    model_type: str = attrs.field(default="lightgbm", validator=_not_empty)
    model_params: dict[str, Any] = attrs.field(factory=dict)
    optimization_metric: str = attrs.field(default="f1_score", validator=_not_empty)
    metrics: list[str] = attrs.field(factory=lambda: ["accuracy", "f1_score", "roc_auc"])
    seed: int = attrs.field(default=42, validator=_at_least(0))
    validation: ValidationConfig = attrs.field(factory=ValidationConfig)
    early_stopping_rounds: int | None = attrs.field(default=50, validator=_at_least(1))
    validation_fraction: float = attrs.field(default=0.1, validator=_check_fraction)
    holdout: float | int = attrs.field(default=0.2, validator=_check_holdout)


@attrs.define(kw_only=True, frozen=True)
class HpoConfig:
    """Hyperparameter search (the seed layout's ``training.hyperparameter_optimization``)."""

    enabled: bool = False
    n_trials: int = attrs.field(default=50, validator=_at_least(1))
    timeout: float | None = attrs.field(default=None, validator=_at_least(0, strict=True))
    n_jobs: int = attrs.field(default=1, validator=_check_n_jobs)
    storage: str | None = None
    study_name: str | None = None
    sampler: str = attrs.field(default="tpe", validator=_not_empty)
    pruner: str = attrs.field(default="median", validator=_not_empty)
    directions: list[str] = attrs.field(
        factory=lambda: ["maximize"], validator=_each_one_of("maximize", "minimize")
    )
    objectives: list[str] = attrs.field(factory=list)
    search_space: dict[str, Any] = attrs.field(factory=dict)

    def __attrs_post_init__(self) -> None:
        if not self.directions:
            raise _InvalidValue("directions", "needs at least one of 'maximize', 'minimize'")
        if self.objectives and len(self.directions) != len(self.objectives):
            raise _InvalidValue(
                "directions",
                f"{self.directions} does not give one direction per objective "
                f"({len(self.objectives)} objectives: {self.objectives})",
            )


@attrs.define(kw_only=True, frozen=True)
class MlflowConfig:
    enabled: bool = True
    tracking_uri: str = attrs.field(default="sqlite:///mlflow.db", validator=_not_empty)
    experiment_name: str = attrs.field(default="mlcore", validator=_not_empty)
    registered_model_name: str | None = None
    registry_uri: str | None = None
    log_models: bool = True
    tags: dict[str, str] = attrs.field(factory=dict)


@attrs.define(kw_only=True, frozen=True)
class RegimesConfig:
    enabled: bool = False
    detector: str = attrs.field(default="hmm", validator=_not_empty)
    params: dict[str, Any] = attrs.field(factory=dict)
    as_features: bool = True


@attrs.define(kw_only=True, frozen=True)
class SentimentConfig:
    """Sentiment features; ``bar_close_offset`` is the time from a bar's stamp to its close
    (None: the stamp is the close), see :mod:`mlcore.sentiment.aggregation`."""

    enabled: bool = False
    sources: list[str] = attrs.field(factory=list)
    scorer: str | None = None
    weights: dict[str, float] = attrs.field(factory=dict, validator=_check_weights)
    decay_half_life: str | None = attrs.field(default=None, validator=_check_duration)
    symbol: str | None = None
    sources_config: dict[str, dict[str, Any]] = attrs.field(factory=dict)
    bar_close_offset: str | None = attrs.field(default=None, validator=_check_duration)
    neutral_band: float = attrs.field(default=0.05, validator=[_at_least(0), _at_most(0.999)])
    items_path: str | None = None


@attrs.define(kw_only=True, frozen=True)
class RetrainingConfig:
    """Automated retraining (the seed layout's ``training.automated_retraining``)."""

    enabled: bool = False
    schedule: str | None = attrs.field(default=None, validator=_check_cron)
    triggers: list[str | dict[str, Any]] = attrs.field(factory=list, validator=_check_named_specs)
    performance_threshold: float = attrs.field(default=0.05, validator=_at_least(0))
    drift_detection: bool = True
    min_improvement: float = attrs.field(default=0.0, validator=_at_least(0))
    window: int = attrs.field(default=500, validator=_at_least(1))


def _below(maximum: float, unit: str) -> _Validator:
    def check(_: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
        if value >= maximum:
            raise _InvalidValue(attribute.name, f"must be < {maximum:g} {unit}, got {value!r}")

    return check


_POSITIVE = _at_least(0, strict=True)


@attrs.define(kw_only=True, frozen=True)
class BacktestConfig:
    """How ``mlcore run`` trades the out-of-sample signals: the settings of
    :class:`mlcore.analytics.Backtest` (``analytics.periods_per_year`` gives its year)."""

    fill: str = attrs.field(default="open", validator=_one_of("open", "close"))
    allow_short: bool = True
    long_threshold: float = attrs.field(default=0.5, validator=[_at_least(0), _at_most(1)])
    short_threshold: float | None = attrs.field(default=None, validator=[_at_least(0), _at_most(1)])
    commission: float = attrs.field(
        default=0.0, validator=[_at_least(0), _below(1, "(a fraction: 0.001 is 10 bps)")]
    )
    commission_per_share: float = attrs.field(default=0.0, validator=_at_least(0))
    slippage_bps: float = attrs.field(
        default=0.0, validator=[_at_least(0), _below(10_000, "basis points (the whole price)")]
    )
    sizing: str = attrs.field(
        default="fixed", validator=_one_of("fixed", "volatility_target", "kelly")
    )
    fraction: float = attrs.field(default=1.0, validator=_POSITIVE)
    target_volatility: float = attrs.field(default=0.15, validator=_POSITIVE)
    volatility_window: int = attrs.field(default=20, validator=_at_least(2))
    kelly_fraction: float = attrs.field(default=0.5, validator=_POSITIVE)
    kelly_window: int = attrs.field(default=50, validator=_at_least(1))
    kelly_min_trades: int = attrs.field(default=10, validator=_at_least(1))
    max_leverage: float = attrs.field(default=1.0, validator=_POSITIVE)
    initial_capital: float = attrs.field(default=100_000.0, validator=_POSITIVE)
    close_at_end: bool = True

    def __attrs_post_init__(self) -> None:
        for attribute in attrs.fields(BacktestConfig):
            value = getattr(self, attribute.name)
            if isinstance(value, float) and not math.isfinite(value):
                raise _InvalidValue(attribute.name, f"must be a finite number, got {value!r}")
        if self.short_threshold is not None and self.short_threshold > self.long_threshold:
            raise _InvalidValue(
                "short_threshold",
                f"must not exceed long_threshold ({self.long_threshold}), got "
                f"{self.short_threshold}: a probability between them would be both long and short",
            )


@attrs.define(kw_only=True, frozen=True)
class AnalyticsConfig:
    risk_free_rate: float = 0.02
    periods_per_year: int = attrs.field(default=252, validator=_at_least(1))
    reports: list[str] = attrs.field(factory=list, validator=_each_one_of("pdf", "xlsx", "html"))
    output_dir: str = attrs.field(default="reports", validator=_not_empty)
    monte_carlo_simulations: int = attrs.field(default=10000, validator=_at_least(1))
    benchmark: str | None = None
    backtest: BacktestConfig = attrs.field(factory=BacktestConfig)


@attrs.define(kw_only=True, frozen=True)
class ServingConfig:
    host: str = attrs.field(default="127.0.0.1", validator=_not_empty)
    port: int = attrs.field(default=8000, validator=[_at_least(0), _at_most(65535)])
    model_uri: str | None = None


@attrs.define(kw_only=True, frozen=True)
class MlcoreConfig:
    """The whole configuration; ``MlcoreConfig()`` is the complete default."""

    plugins: PluginsConfig = attrs.field(factory=PluginsConfig)
    data: DataConfig = attrs.field(factory=DataConfig)
    features: FeaturesConfig = attrs.field(factory=FeaturesConfig)
    labels: LabelsConfig = attrs.field(factory=LabelsConfig)
    training: TrainingConfig = attrs.field(factory=TrainingConfig)
    hpo: HpoConfig = attrs.field(factory=HpoConfig)
    mlflow: MlflowConfig = attrs.field(factory=MlflowConfig)
    regimes: RegimesConfig = attrs.field(factory=RegimesConfig)
    sentiment: SentimentConfig = attrs.field(factory=SentimentConfig)
    retraining: RetrainingConfig = attrs.field(factory=RetrainingConfig)
    analytics: AnalyticsConfig = attrs.field(factory=AnalyticsConfig)
    serving: ServingConfig = attrs.field(factory=ServingConfig)


# -------------------------------------------------------------------- messages and types

_reprs = reprlib.Repr()
_reprs.maxstring = 60
_reprs.maxother = 60


def _join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


def _show(value: object) -> str:
    return "null" if value is None else f"{_reprs.repr(value)} ({type(value).__name__})"


def _members(tp: Any) -> tuple[Any, ...]:
    is_union = typing.get_origin(tp) in (Union, types.UnionType)
    return typing.get_args(tp) if is_union else (tp,)


def _describe(tp: Any) -> str:
    if tp is Any:
        return "any value"
    if tp is type(None):
        return "null"
    if attrs.has(tp):
        return "mapping"
    members = _members(tp)
    if len(members) > 1:
        return " or ".join(_describe(member) for member in members)
    origin, args = typing.get_origin(tp), typing.get_args(tp)
    if origin is list:
        inner = _describe(args[0])
        return f"list of ({inner})" if " or " in inner else f"list of {inner}"
    if origin is dict:
        return "mapping" if args[1] is Any else f"mapping of str to {_describe(args[1])}"
    return str(tp.__name__)


_EXPONENT_WITHOUT_DOT = re.compile(r"[+-]?\d+[eE][+-]?\d+$")


def _looks_numeric(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def _type_hint(tp: Any, value: object) -> str:
    wanted = _members(tp)
    if value is None:
        return "; write a value, or delete the key to use the default"
    if str in wanted and isinstance(value, bool):
        return "; YAML reads unquoted yes/no/on/off/true/false as booleans, so quote the value"
    if str in wanted and isinstance(value, int | float):
        return "; put the value in quotes if it is text"
    numeric = int in wanted or float in wanted
    if numeric and isinstance(value, str) and _EXPONENT_WITHOUT_DOT.match(value):
        return "; YAML 1.1 reads a number like 1e-3 as text, so write it as 1.0e-3"
    if numeric and isinstance(value, str) and _looks_numeric(value):
        return "; write the number without quotes"
    if any(typing.get_origin(member) is list for member in wanted) and isinstance(value, str):
        return f"; write a list, e.g. [{value}]"
    return ""


def _wrong_type(tp: Any, value: object) -> str:
    return f"expected {_describe(tp)}, got {_show(value)}{_type_hint(tp, value)}"


def _is_exactly(tp: Any, value: object) -> bool:
    """Whether ``value`` is of ``tp`` without any conversion (bool is never an int here)."""
    if tp is Any:
        return True
    if attrs.has(tp) or typing.get_origin(tp) is dict:
        return isinstance(value, Mapping)
    if typing.get_origin(tp) is list:
        return isinstance(value, list | tuple)
    if tp is int:
        return isinstance(value, int) and not isinstance(value, bool)
    if tp is bool:
        return isinstance(value, bool)
    return isinstance(value, tp)


def _is_acceptable(tp: Any, value: object) -> bool:
    widens_to_float = tp is float and isinstance(value, int) and not isinstance(value, bool)
    return widens_to_float or _is_exactly(tp, value)


@functools.cache
def _field_types(cls: type) -> dict[str, Any]:
    return typing.get_type_hints(cls)


# ------------------------------------------------------------------------- structuring

_INVALID: Any = object()

# Seed-layout names accepted in place of a section, and where each one lives.
_SEED_TRAINING_SECTIONS = (
    ("hyperparameter_optimization", "hpo"),
    ("automated_retraining", "retraining"),
)
_SEED_KEYS: dict[type, tuple[str, ...]] = {
    MlcoreConfig: ("feature_engineering",),
    TrainingConfig: tuple(seed_key for seed_key, _ in _SEED_TRAINING_SECTIONS),
}


@attrs.define
class _Structurer:
    """Builds config objects from plain data, collecting every problem as (key path, detail)."""

    problems: list[tuple[str, str]] = attrs.field(factory=list)

    def fail(self, path: str, detail: str) -> Any:
        self.problems.append((path, detail))
        return _INVALID

    def structure(self, tp: Any, value: Any, path: str) -> Any:
        if tp is Any:
            return copy.deepcopy(value)
        if attrs.has(tp):
            return self.section(tp, value, path)
        if len(_members(tp)) > 1:
            return self.union(tp, value, path)
        if typing.get_origin(tp) is list:
            return self.sequence(tp, value, path)
        if typing.get_origin(tp) is dict:
            return self.mapping(tp, value, path)
        return self.scalar(tp, value, path)

    def scalar(self, tp: Any, value: Any, path: str) -> Any:
        if not _is_acceptable(tp, value):
            return self.fail(path, _wrong_type(tp, value))
        if tp is float and math.isnan(value):
            return self.fail(path, "must be a number, got NaN")
        return float(value) if tp is float else value

    def union(self, tp: Any, value: Any, path: str) -> Any:
        members = _members(tp)
        if value is None:
            return None if type(None) in members else self.fail(path, _wrong_type(tp, value))
        candidates = [member for member in members if member is not type(None)]
        chosen = next((member for member in candidates if _is_exactly(member, value)), None)
        chosen = chosen or next((m for m in candidates if _is_acceptable(m, value)), None)
        if chosen is None:
            return self.fail(path, _wrong_type(tp, value))
        return self.structure(chosen, value, path)

    def sequence(self, tp: Any, value: Any, path: str) -> Any:
        if not isinstance(value, list | tuple):
            return self.fail(path, _wrong_type(tp, value))
        (item_type,) = typing.get_args(tp)
        before = len(self.problems)
        items = [self.structure(item_type, item, f"{path}[{i}]") for i, item in enumerate(value)]
        return _INVALID if len(self.problems) > before else items

    def mapping(self, tp: Any, value: Any, path: str) -> Any:
        if not isinstance(value, Mapping):
            return self.fail(path, _wrong_type(tp, value))
        _, item_type = typing.get_args(tp)
        before = len(self.problems)
        result = {}
        for key, item in value.items():
            if isinstance(key, str):
                result[key] = self.structure(item_type, item, _join(path, key))
            else:
                self.fail(_join(path, str(key)), f"keys must be text, got {_show(key)}")
        return _INVALID if len(self.problems) > before else result

    def section(
        self, cls: type, value: Any, path: str, renamed: Mapping[str, str] | None = None
    ) -> Any:
        """Structure one attrs class; ``renamed`` maps a field to the path its data came from."""
        if not isinstance(value, Mapping):
            empty = "; write its keys under it, or delete it to use the defaults"
            return self.fail(
                path,
                f"expected a mapping of keys, got {_show(value)}{empty if value is None else ''}",
            )
        fields = {attribute.name: attribute for attribute in attrs.fields(cls)}
        before = len(self.problems)
        kwargs = {}
        for key, item in value.items():
            attribute = fields.get(key) if isinstance(key, str) else None
            if attribute is None:
                self.unknown_key(cls, key, path)
                continue
            where = (renamed or {}).get(key) or _join(path, key)
            converted = self.structure(_field_types(cls)[key], item, where)
            if converted is not _INVALID:
                kwargs[key] = converted
                self.validate(attribute, converted, where)
        if len(self.problems) > before:
            return _INVALID
        try:
            return cls(**kwargs)
        except _InvalidValue as error:
            return self.fail(_join(path, error.key_path), error.detail)

    def validate(self, attribute: attrs.Attribute[Any], value: Any, where: str) -> None:
        if attribute.validator is None:
            return
        try:
            attribute.validator(None, attribute, value)
        except _InvalidValue as error:
            self.fail(where + error.key_path[len(attribute.name) :], error.detail)

    def unknown_key(self, cls: type, key: object, path: str) -> None:
        valid = [attribute.name for attribute in attrs.fields(cls)]
        seed_keys = _SEED_KEYS.get(cls, ())
        suggestion = _did_you_mean(key, [*valid, *seed_keys])
        also = f" (and the seed layout's {', '.join(seed_keys)})" if seed_keys else ""
        noun = "section" if cls is MlcoreConfig else "key"
        self.fail(
            _join(path, str(key)),
            f"unknown {noun}{suggestion}; valid {noun}s here: {', '.join(valid)}{also}",
        )


def _conflict(section: str, seed_key: str) -> str:
    return (
        f"both '{section}' and '{seed_key}' are set, and '{seed_key}' is the seed layout's "
        f"name for '{section}'; keep one of them"
    )


def _from_seed_layout(
    data: Mapping[Any, Any], structurer: _Structurer
) -> tuple[dict[Any, Any], dict[str, str]]:
    """Move the seed layout's sections to mlcore's names; return them and where each came from."""
    sections = dict(data)
    renamed: dict[str, str] = {}
    if "feature_engineering" in sections:
        seed_value = sections.pop("feature_engineering")
        if "features" in sections:
            structurer.fail("features", _conflict("features", "feature_engineering"))
        else:
            sections["features"], renamed["features"] = seed_value, "feature_engineering"
    training = sections.get("training")
    if not isinstance(training, Mapping):
        return sections, renamed
    sections["training"] = training = dict(training)
    for seed_key, section in _SEED_TRAINING_SECTIONS:
        if seed_key not in training:
            continue
        seed_value = training.pop(seed_key)
        if section in sections:
            structurer.fail(section, _conflict(section, f"training.{seed_key}"))
        else:
            sections[section], renamed[section] = seed_value, f"training.{seed_key}"
    return sections, renamed


# ------------------------------------------------------------------------------ secrets

_SECRET_WORDS = frozenset({"token", "secret", "password", "passwd", "apikey", "privatekey"})
_SECRET_PAIRS = frozenset({("api", "key"), ("private", "key")})


def names_secret(key: str) -> bool:
    """Whether a key's name says it holds a secret (``api_key``, ``authToken``, not ``*_env``)."""
    if key.lower().endswith("_env"):
        return False
    words = [word.lower() for word in re.findall(r"[A-Z]?[a-z0-9]+|[A-Z]+(?![a-z])", key)]
    pairs = itertools.pairwise(words)
    return any(word in _SECRET_WORDS for word in words) or any(p in _SECRET_PAIRS for p in pairs)


def _find_secrets(value: Any, path: str) -> Iterator[tuple[str, str]]:
    """Yield (key path, key) of every secret-named key that holds a literal string."""
    if isinstance(value, Mapping):
        for key, item in value.items():
            where = _join(path, str(key))
            if isinstance(key, str) and names_secret(key) and isinstance(item, str):
                if item.strip():
                    yield where, key
            else:
                yield from _find_secrets(item, where)
    elif isinstance(value, list | tuple):
        for index, item in enumerate(value):
            yield from _find_secrets(item, f"{path}[{index}]")


def _secret_message(key: str) -> str:
    return (
        "holds a literal secret, and secrets come only from the environment: "
        f"replace it with '{key}_env: ENV_VAR_NAME' and export the secret in that variable"
    )


def resolve_secret(env_var: str, *, key_path: str = "") -> str:
    """Return the secret held in environment variable ``env_var``.

    ``key_path`` names the config key (``plugins.config.mlcore-x.api_key_env``) that asked for
    it, so that the error says where the variable name came from. The value never appears in
    an error message.
    """
    value = os.environ.get(env_var, "") if env_var else ""
    if not value:
        raise ConfigError(
            f"environment variable {env_var!r} is not set or is empty; export the secret in it "
            "before running mlcore",
            key_path=key_path,
        )
    return value


# ----------------------------------------------------------------------- public loading


def _structure_config(
    data: object, source: str | None
) -> tuple[MlcoreConfig | None, list[tuple[str, str]]]:
    if not isinstance(data, Mapping):
        names = ", ".join(attribute.name for attribute in attrs.fields(MlcoreConfig))
        raise ConfigError(
            f"the top level must be a mapping of sections ({names}), got {_show(data)}",
            source=source,
        )
    structurer = _Structurer()
    for path, secret_key in _find_secrets(data, ""):
        structurer.fail(path, _secret_message(secret_key))
    sections, renamed = _from_seed_layout(data, structurer)
    config = structurer.section(MlcoreConfig, sections, "", renamed)
    return (None if structurer.problems else config), structurer.problems


def _config_error(
    problems: list[tuple[str, str]], source: str | None, lines: Mapping[str, int]
) -> ConfigError:
    """One error for all problems (the first detail per key path), in file order when known."""
    first: dict[str, str] = {}
    for path, detail in problems:
        first.setdefault(path, detail)
    ordered = sorted(first.items(), key=lambda item: lines.get(item[0], math.inf))
    if len(ordered) == 1:
        ((path, detail),) = ordered
        line = lines.get(path)
        located = f"{source}:{line}" if source and line else source
        return ConfigError(detail, key_path=path, source=located)
    items = [
        f"  {f'line {lines[path]}: ' if path in lines else ''}config key '{path}': {detail}"
        for path, detail in ordered
    ]
    error = ConfigError(f"{len(ordered)} problems:\n" + "\n".join(items), source=source)
    error.key_path = ordered[0][0]
    return error


def config_from_dict(data: Mapping[str, Any], *, source: str | None = None) -> MlcoreConfig:
    """Build a config from plain data (as ``yaml.safe_load`` returns it).

    Raises ConfigError listing every unknown key, wrong type and invalid value with its key
    path; ``source`` (a file name, say) is put in front of the message.
    """
    config, problems = _structure_config(data, source)
    if config is None:
        raise _config_error(problems, source, {})
    return config


def _parse_yaml(text: str, source: str) -> Any:
    try:
        return yaml.safe_load(text)
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        if mark is None:
            raise ConfigError(f"invalid YAML: {error}", source=source) from error
        raise ConfigError(
            _yaml_problem(error, mark.line + 1, mark.column + 1),
            source=f"{source}:{mark.line + 1}",
        ) from error
    except yaml.YAMLError as error:
        raise ConfigError(f"invalid YAML: {error}", source=source) from error


def _yaml_problem(error: yaml.MarkedYAMLError, line: int, column: int) -> str:
    problem = error.problem or "not valid YAML"
    if error.context and error.context_mark:
        problem += f" ({error.context} that starts at line {error.context_mark.line + 1})"
    if isinstance(error, yaml.constructor.ConstructorError):
        fix = "config is read with yaml.safe_load, which takes plain values and no language tags"
    else:
        fix = "fix the syntax there"
    return f"invalid YAML at line {line}, column {column}: {problem}; {fix}"


def _key_lines(text: str) -> dict[str, int]:
    """Map each key path in a YAML text to the line it is written on (1-based)."""
    lines: dict[str, int] = {}
    seen: set[int] = set()  # anchors and aliases share nodes, and may even be recursive

    def walk(node: yaml.Node, path: str) -> None:
        if id(node) in seen:
            return
        seen.add(id(node))
        if isinstance(node, yaml.MappingNode):
            children = [(_join(path, str(key.value)), key, value) for key, value in node.value]
        elif isinstance(node, yaml.SequenceNode):
            children = [(f"{path}[{i}]", item, item) for i, item in enumerate(node.value)]
        else:
            return
        for where, marker, child in children:
            lines.setdefault(where, marker.start_mark.line + 1)
            walk(child, where)

    root = yaml.compose(text, Loader=yaml.SafeLoader)
    if root is not None:
        walk(root, "")
    return lines


def load_config(path: str | os.PathLike[str]) -> MlcoreConfig:
    """Read a YAML config file (with ``yaml.safe_load``); an empty file gives the defaults."""
    file = Path(path)
    if not file.exists():
        raise FileNotFoundError(errno.ENOENT, "config file not found", str(file))
    source = str(file)
    try:
        text = file.read_text(encoding="utf-8")
    except UnicodeDecodeError as error:
        raise ConfigError(
            f"not UTF-8 text ({error.reason} at byte {error.start}); save the file as UTF-8",
            source=source,
        ) from None
    data = _parse_yaml(text, source)
    if data is None:
        return MlcoreConfig()
    config, problems = _structure_config(data, source)
    if config is None:
        raise _config_error(problems, source, _key_lines(text))
    return config


def _unstructure(value: Any) -> Any:
    if attrs.has(type(value)):
        fields = attrs.fields(type(value))
        return {field.name: _unstructure(getattr(value, field.name)) for field in fields}
    if isinstance(value, Mapping):
        return {key: _unstructure(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_unstructure(item) for item in value]
    return value


def config_to_dict(config: MlcoreConfig) -> dict[str, Any]:
    """Return the config as plain dicts, lists and scalars, in mlcore's own layout.

    ``config_from_dict(config_to_dict(config)) == config`` always holds.
    """
    result: dict[str, Any] = _unstructure(config)
    return result


class _Dumper(yaml.SafeDumper):
    """A safe dumper whose output reads back equal (see ``_represent_str``)."""


def _represent_str(dumper: yaml.SafeDumper, text: str) -> yaml.ScalarNode:
    # PyYAML's single-quoted style folds a NEL (U+0085) into a space; double quotes escape it.
    style = '"' if "\x85" in text else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", text, style=style)


_Dumper.add_representer(str, _represent_str)


def dump_config(config: MlcoreConfig) -> str:
    """Return the config as YAML text that ``load_config`` reads back to an equal config."""
    return yaml.dump(
        config_to_dict(config),
        Dumper=_Dumper,
        sort_keys=False,
        allow_unicode=True,
        default_flow_style=False,
    )
