"""Tests for mlcore.config: defaults, loading, the seed layout, errors and secrets."""

from __future__ import annotations

import contextlib
import copy
import json
import re
import string
import typing
from pathlib import Path
from typing import Any

import attrs
import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from mlcore.config import (
    AnalyticsConfig,
    BacktestConfig,
    DataConfig,
    FeaturesConfig,
    FeatureSelectionConfig,
    HpoConfig,
    LabelsConfig,
    MlcoreConfig,
    MlflowConfig,
    PluginsConfig,
    PreprocessingConfig,
    RegimesConfig,
    RetrainingConfig,
    SentimentConfig,
    ServingConfig,
    TrainingConfig,
    ValidationConfig,
    config_from_dict,
    config_to_dict,
    dump_config,
    load_config,
    resolve_secret,
)
from mlcore.errors import ConfigError

ROOT = Path(__file__).resolve().parents[1]
SEED_EXAMPLE = ROOT / "examples" / "seed_config.yaml"
CONFIG_DOCS = ROOT / "docs" / "configuration.md"

SECTIONS = [
    "plugins",
    "data",
    "features",
    "labels",
    "training",
    "hpo",
    "mlflow",
    "regimes",
    "sentiment",
    "retraining",
    "analytics",
    "serving",
]


def config_error(data: Any) -> ConfigError:
    with pytest.raises(ConfigError) as caught:
        config_from_dict(data)
    return caught.value


def write(tmp_path: Path, text: str, name: str = "config.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def walk_fields(cls: type = MlcoreConfig, path: str = "") -> list[tuple[str, Any, Any]]:
    """Every leaf field as (key path, type, attribute), descending into nested sections."""
    leaves = []
    hints = typing.get_type_hints(cls)
    for attribute in attrs.fields(cls):
        where = f"{path}.{attribute.name}" if path else attribute.name
        if attrs.has(hints[attribute.name]):
            leaves.extend(walk_fields(hints[attribute.name], where))
        else:
            leaves.append((where, hints[attribute.name], attribute))
    return leaves


def nest(key_path: str, value: Any) -> dict[str, Any]:
    """``nest("a.b", 1) == {"a": {"b": 1}}``."""
    for key in reversed(key_path.split(".")):
        value = {key: value}
    return dict(value)


# ------------------------------------------------------------------------------ defaults


def test_default_config_has_every_section_with_the_documented_defaults() -> None:
    config = MlcoreConfig()

    assert list(config_to_dict(config)) == SECTIONS
    assert config.plugins == PluginsConfig(autoload=True, disable=[], require={}, strict=False)
    assert config.data.source == "synthetic"
    assert config.data.policy == "raise"
    assert config.features.technical_indicators == {}
    assert config.features.feature_selection.method == "mutual_info"
    assert config.features.feature_selection.n_features == 30
    assert config.features.preprocessing.scaler == "standard"
    assert config.features.preprocessing.handle_missing == "forward_fill"
    assert config.labels.method == "direction"
    assert config.labels.horizon == 1
    assert config.training.model_type == "lightgbm"
    assert config.training.metrics == ["accuracy", "f1_score", "roc_auc"]
    assert config.training.seed == 42
    assert config.training.validation.method == "walk_forward"
    assert config.training.validation.n_splits == 5
    assert config.training.validation.test_size == 0.2
    assert config.training.validation.embargo == 0
    assert config.hpo.enabled is False
    assert config.hpo.directions == ["maximize"]
    assert config.mlflow.tracking_uri == "sqlite:///mlflow.db"
    assert config.mlflow.experiment_name == "mlcore"
    assert config.retraining.enabled is False
    assert config.analytics.periods_per_year == 252
    assert config.analytics.monte_carlo_simulations == 10000
    assert config.serving.host == "127.0.0.1"
    assert config.serving.port == 8000


def test_default_lists_and_dicts_are_not_shared_between_instances() -> None:
    first, second = MlcoreConfig(), MlcoreConfig()
    first.training.metrics.append("precision")
    assert second.training.metrics == ["accuracy", "f1_score", "roc_auc"]


def test_an_empty_mapping_gives_the_defaults() -> None:
    assert config_from_dict({}) == MlcoreConfig()


@pytest.mark.parametrize("text", ["", "# only a comment\n", "---\n"])
def test_an_empty_file_gives_the_defaults(tmp_path: Path, text: str) -> None:
    assert load_config(write(tmp_path, text)) == MlcoreConfig()


def test_config_is_frozen_and_evolve_gives_a_changed_copy() -> None:
    config = MlcoreConfig()
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        config.training = TrainingConfig()  # type: ignore[misc]

    changed = attrs.evolve(
        config,
        training=attrs.evolve(
            config.training, validation=attrs.evolve(config.training.validation, n_splits=3)
        ),
    )

    assert changed.training.validation.n_splits == 3
    assert config.training.validation.n_splits == 5
    assert config_from_dict(config_to_dict(changed)) == changed


def test_evolve_runs_the_validators() -> None:
    with pytest.raises(ConfigError, match="must be >= 2, got 1") as caught:
        attrs.evolve(ValidationConfig(), n_splits=1)
    assert caught.value.key_path == "n_splits"


# ----------------------------------------------------------------------------- loading


def test_load_config_reads_every_section_from_a_file(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        """
plugins:
  disable: [mlcore-ta]
  require: {mlcore-indicators: ">=0.1,<2"}
  config:
    mlcore-indicators: {fast: true}
data: {source: csv, path: prices.csv, symbol: BTCUSDT, timeframe: 1h, policy: repair}
features:
  indicators: [rsi, {name: bbands, period: [10, 20], nbdev: 2}]
  preprocessing: {scaler: robust, handle_missing: drop}
labels: {method: triple_barrier, horizon: 5, profit_take: 1.5}
training:
  model_type: xgboost
  model_params: {max_depth: 4, learning_rate: 0.05}
  validation: {method: combinatorial_purged, n_splits: 6, embargo: 10, test_size: 250}
hpo: {enabled: true, n_trials: 20, objectives: [sharpe, max_drawdown],
      directions: [maximize, minimize]}
mlflow: {experiment_name: btc, tags: {team: quant}}
regimes: {enabled: true, params: {n_states: 3}}
sentiment: {enabled: true, sources: [lexicon], weights: {lexicon: 1}, decay_half_life: 6h}
retraining: {enabled: true, schedule: "@daily", triggers: [drift, {name: performance}]}
analytics: {reports: [pdf, html], risk_free_rate: 0}
serving: {port: 9000}
""",
    )

    config = load_config(path)

    assert config.plugins.disable == ["mlcore-ta"]
    assert config.plugins.require == {"mlcore-indicators": ">=0.1,<2"}
    assert config.plugins.settings_for("mlcore_indicators") == {"fast": True}
    assert config.data == DataConfig(
        source="csv", path="prices.csv", symbol="BTCUSDT", timeframe="1h", policy="repair"
    )
    assert config.features.indicators == [
        "rsi",
        {"name": "bbands", "period": [10, 20], "nbdev": 2},
    ]
    assert config.features.preprocessing.scaler == "robust"
    assert config.labels.method == "triple_barrier"
    assert config.labels.profit_take == 1.5
    assert config.training.model_params == {"max_depth": 4, "learning_rate": 0.05}
    assert config.training.validation.test_size == 250
    assert isinstance(config.training.validation.test_size, int)
    assert config.hpo.directions == ["maximize", "minimize"]
    assert config.mlflow.tags == {"team": "quant"}
    assert config.regimes.params == {"n_states": 3}
    assert config.sentiment.weights == {"lexicon": 1.0}
    assert isinstance(config.sentiment.weights["lexicon"], float)
    assert config.retraining.triggers == ["drift", {"name": "performance"}]
    assert config.analytics.reports == ["pdf", "html"]
    assert isinstance(config.analytics.risk_free_rate, float)
    assert config.serving.port == 9000


def test_a_missing_file_is_a_file_not_found_error_naming_it(tmp_path: Path) -> None:
    missing = tmp_path / "nope.yaml"
    with pytest.raises(FileNotFoundError) as caught:
        load_config(missing)
    assert caught.value.filename == str(missing)
    assert str(missing) in str(caught.value)


def test_a_yaml_syntax_error_names_the_file_and_line(tmp_path: Path) -> None:
    path = write(tmp_path, "training:\n  model_type: xgboost\n  seed: [1, 2\nhpo: {}\n")
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    # The list opened on line 3 is noticed as unclosed on line 4.
    assert caught.value.source == f"{path}:4"
    assert str(caught.value).startswith(f"{path}:4: invalid YAML at line 4, column 4:")
    assert "flow sequence that starts at line 3" in str(caught.value)


def test_a_python_tag_is_refused_not_executed(tmp_path: Path) -> None:
    marker = tmp_path / "executed"
    path = write(tmp_path, f'data:\n  params: !!python/object/apply:os.system ["touch {marker}"]\n')
    with pytest.raises(ConfigError, match="python/object") as caught:
        load_config(path)
    assert "line 2" in str(caught.value)
    assert not marker.exists()


def test_the_top_level_must_be_a_mapping(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="top level must be a mapping") as caught:
        load_config(write(tmp_path, "- training\n- hpo\n"))
    assert caught.value.source == str(tmp_path / "config.yaml")
    assert "got ['training', 'hpo'] (list)" in str(caught.value)


def test_a_file_error_names_the_line_of_the_key(tmp_path: Path) -> None:
    path = write(tmp_path, "training:\n  validation:\n    n_splits: five\n")
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    assert caught.value.source == f"{path}:3"
    assert caught.value.key_path == "training.validation.n_splits"
    assert str(caught.value) == (
        f"{path}:3: config key 'training.validation.n_splits': expected int, got 'five' (str)"
    )


def test_not_utf8_is_a_config_error(tmp_path: Path) -> None:
    path = tmp_path / "latin1.yaml"
    path.write_bytes("data: {symbol: caf\xe9}\n".encode("latin-1"))
    with pytest.raises(ConfigError, match="not UTF-8"):
        load_config(path)


# -------------------------------------------------------------------------- seed layout


def test_the_seed_example_maps_onto_mlcore_sections() -> None:
    config = load_config(SEED_EXAMPLE)

    assert config.mlflow.tracking_uri == "sqlite:///mlflow.db"
    assert config.mlflow.experiment_name == "trading_models"
    assert config.features.technical_indicators == {
        "trend": ["sma", "ema", "macd"],
        "momentum": ["rsi", "stoch", "williams_r"],
        "volatility": ["bbands", "atr"],
        "volume": ["obv", "vwap"],
    }
    assert config.features.feature_selection == FeatureSelectionConfig(
        method="mutual_info", n_features=30
    )
    assert config.features.preprocessing == PreprocessingConfig(
        scaler="standard", handle_missing="forward_fill"
    )
    assert config.training.model_type == "xgboost"
    assert config.training.optimization_metric == "f1_score"
    assert config.hpo == HpoConfig(enabled=True, n_trials=100, timeout=3600.0)
    assert config.training.validation == ValidationConfig(
        method="time_series_split", n_splits=5, test_size=0.2
    )
    assert config.retraining == RetrainingConfig(
        enabled=True, schedule="0 2 * * 0", performance_threshold=0.05, drift_detection=True
    )


def test_the_seed_example_equals_the_same_config_in_mlcore_layout() -> None:
    seed = yaml.safe_load(SEED_EXAMPLE.read_text(encoding="utf-8"))
    training = dict(seed["training"])
    mlcore_layout = {
        "mlflow": seed["mlflow"],
        "features": seed["feature_engineering"],
        "hpo": training.pop("hyperparameter_optimization"),
        "retraining": training.pop("automated_retraining"),
        "training": training,
    }
    assert config_from_dict(mlcore_layout) == load_config(SEED_EXAMPLE)


def test_the_seed_layout_does_not_change_the_callers_data() -> None:
    seed = yaml.safe_load(SEED_EXAMPLE.read_text(encoding="utf-8"))
    before = copy.deepcopy(seed)
    config_from_dict(seed)
    assert seed == before


@pytest.mark.parametrize(
    ("data", "key_path"),
    [
        (
            {"feature_engineering": {"preprocessing": {"scaler": "zscore"}}},
            "feature_engineering.preprocessing.scaler",
        ),
        (
            {"training": {"hyperparameter_optimization": {"n_trials": 0}}},
            "training.hyperparameter_optimization.n_trials",
        ),
        (
            {"training": {"automated_retraining": {"enabled": "yes"}}},
            "training.automated_retraining.enabled",
        ),
        (
            {"training": {"automated_retraining": {"schedul": "0 2 * * 0"}}},
            "training.automated_retraining.schedul",
        ),
    ],
)
def test_errors_in_seed_sections_name_the_key_as_written(data: Any, key_path: str) -> None:
    error = config_error(data)
    assert error.key_path == key_path
    assert f"config key '{key_path}'" in str(error)


@pytest.mark.parametrize(
    ("data", "keys"),
    [
        ({"features": {}, "feature_engineering": {}}, ("features", "feature_engineering")),
        (
            {"hpo": {}, "training": {"hyperparameter_optimization": {}}},
            ("hpo", "training.hyperparameter_optimization"),
        ),
        (
            {"retraining": {}, "training": {"automated_retraining": {}}},
            ("retraining", "training.automated_retraining"),
        ),
    ],
)
def test_a_section_set_in_both_layouts_is_refused(data: Any, keys: tuple[str, str]) -> None:
    error = config_error(data)
    assert error.key_path == keys[0]
    for key in keys:
        assert f"'{key}'" in str(error)
    assert "keep one of them" in str(error)


def test_a_misspelt_seed_section_gets_a_suggestion() -> None:
    error = config_error({"training": {"hyperparameter_optimisation": {}}})
    assert error.key_path == "training.hyperparameter_optimisation"
    assert "did you mean 'hyperparameter_optimization'?" in str(error)


# ------------------------------------------------------------------------ unknown keys


def test_an_unknown_key_suggests_the_closest_and_lists_the_valid_ones() -> None:
    error = config_error({"training": {"validaton": {"n_splits": 3}}})

    assert error.key_path == "training.validaton"
    message = str(error)
    assert message.startswith("config key 'training.validaton': unknown key")
    assert "did you mean 'validation'?" in message
    for field in attrs.fields(TrainingConfig):
        assert field.name in message


def test_an_unknown_section_suggests_the_closest_section() -> None:
    error = config_error({"featurs": {}})
    assert error.key_path == "featurs"
    assert "unknown section (did you mean 'features'?)" in str(error)


def test_an_unknown_key_deep_down_names_its_full_path() -> None:
    error = config_error({"features": {"preprocessing": {"scalr": "robust"}}})
    assert error.key_path == "features.preprocessing.scalr"
    assert "did you mean 'scaler'?" in str(error)


def test_an_unknown_key_far_from_every_valid_key_gets_no_suggestion() -> None:
    error = config_error({"serving": {"zzzz": 1}})
    assert "did you mean" not in str(error)
    assert "host, port, model_uri" in str(error)


# ------------------------------------------------------------------------- wrong types


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (
            {"training": {"validation": {"n_splits": "five"}}},
            "config key 'training.validation.n_splits': expected int, got 'five' (str)",
        ),
        ({"serving": {"port": 80.5}}, "config key 'serving.port': expected int, got 80.5 (float)"),
        ({"hpo": {"enabled": "true"}}, "config key 'hpo.enabled': expected bool, got 'true' (str)"),
        ({"data": "csv"}, "config key 'data': expected a mapping of keys, got 'csv' (str)"),
        (
            {"hpo": None},
            "config key 'hpo': expected a mapping of keys, got null; write its keys under it",
        ),
        (
            {"training": {"model_params": [1, 2]}},
            "config key 'training.model_params': expected mapping, got [1, 2] (list)",
        ),
        (
            {"labels": {"threshold": "0.5"}},
            "config key 'labels.threshold': expected float, got '0.5' (str)",
        ),
        (
            {"mlflow": {"tags": {"team": 7}}},
            "config key 'mlflow.tags.team': expected str, got 7 (int)",
        ),
        (
            {"sentiment": {"sources_config": {"news": "all"}}},
            "config key 'sentiment.sources_config.news': expected mapping, got 'all' (str)",
        ),
        (
            {"training": {"validation": {"test_size": True}}},
            "config key 'training.validation.test_size': expected float or int, got True (bool)",
        ),
        (
            {"data": {"symbol": ["BTC"]}},
            "config key 'data.symbol': expected str or null, got ['BTC'] (list)",
        ),
    ],
)
def test_a_wrong_type_names_path_expected_type_and_value(data: Any, expected: str) -> None:
    assert str(config_error(data)).startswith(expected)


@pytest.mark.parametrize(
    ("data", "hint"),
    [
        ({"data": {"policy": None}}, "delete the key to use the default"),
        ({"data": {"symbol": True}}, "quote the value"),
        ({"data": {"timeframe": 60}}, "put the value in quotes"),
        ({"serving": {"port": "8000"}}, "write the number without quotes"),
        ({"labels": {"threshold": "1e-3"}}, "write it as 1.0e-3"),
        ({"training": {"metrics": "accuracy"}}, "write a list"),
    ],
)
def test_a_wrong_type_with_a_likely_cause_says_how_to_fix_it(data: Any, hint: str) -> None:
    assert hint in str(config_error(data))


INT_FIELDS = [path for path, tp, _ in walk_fields() if int in typing.get_args(tp) or tp is int]
BOOL_FIELDS = [path for path, tp, _ in walk_fields() if tp is bool]
FLOAT_FIELDS = [
    (path, attribute)
    for path, tp, attribute in walk_fields()
    if tp is float or typing.get_args(tp) == (float, type(None))
]


@pytest.mark.parametrize("key_path", INT_FIELDS)
def test_bool_is_never_accepted_for_an_int_field(key_path: str) -> None:
    error = config_error(nest(key_path, True))
    assert error.key_path == key_path
    assert "got True (bool)" in str(error)


@pytest.mark.parametrize("key_path", BOOL_FIELDS)
def test_int_is_never_accepted_for_a_bool_field(key_path: str) -> None:
    error = config_error(nest(key_path, 1))
    assert error.key_path == key_path
    assert "expected bool, got 1 (int)" in str(error)


@pytest.mark.parametrize(("key_path", "attribute"), FLOAT_FIELDS)
def test_an_int_is_accepted_for_a_float_field(key_path: str, attribute: Any) -> None:
    # 0 or 1, whichever the key's range allows (some keys refuse 0, others 1)
    def in_range(value: int) -> bool:
        with contextlib.suppress(ConfigError):
            config_from_dict(nest(key_path, value))
            return True
        return False

    value = next((v for v in (0, 1) if in_range(v)), 0)
    found: Any = config_from_dict(nest(key_path, value))
    for key in key_path.split("."):
        found = getattr(found, key)
    assert found == value
    assert isinstance(found, float)


def test_a_whole_float_is_not_accepted_for_an_int_field() -> None:
    error = config_error({"training": {"seed": 5.0}})
    assert str(error) == "config key 'training.seed': expected int, got 5.0 (float)"


def test_nan_is_refused_for_a_float_field() -> None:
    error = config_error({"analytics": {"risk_free_rate": float("nan")}})
    assert error.key_path == "analytics.risk_free_rate"
    assert "NaN" in str(error)


def test_null_is_accepted_only_for_optional_fields() -> None:
    config = config_from_dict({"data": {"path": None}, "hpo": {"timeout": None}})
    assert config.data.path is None
    assert config.hpo.timeout is None

    error = config_error({"data": {"source": None}})
    assert error.key_path == "data.source"
    assert "expected str, got null" in str(error)


def test_a_non_text_key_is_refused() -> None:
    error = config_error({"mlflow": {"tags": {1: "x"}}})
    assert error.key_path == "mlflow.tags.1"
    assert "keys must be text" in str(error)


# ------------------------------------------------------------------------ list indices


@pytest.mark.parametrize(
    ("data", "key_path"),
    [
        (
            {"features": {"indicators": ["rsi", "ema", {"period": 14}]}},
            "features.indicators[2].name",
        ),
        ({"features": {"indicators": ["rsi", 14]}}, "features.indicators[1]"),
        (
            {"features": {"technical_indicators": {"trend": ["sma", {"name": ""}]}}},
            "features.technical_indicators.trend[1].name",
        ),
        (
            {"feature_engineering": {"technical_indicators": {"momentum": ["rsi", None]}}},
            "feature_engineering.technical_indicators.momentum[1]",
        ),
        ({"training": {"metrics": ["accuracy", 3]}}, "training.metrics[1]"),
        ({"analytics": {"reports": ["pdf", "docx"]}}, "analytics.reports[1]"),
        ({"hpo": {"directions": ["maximise"]}}, "hpo.directions[0]"),
        (
            {"retraining": {"triggers": ["drift", {"threshold": 0.1}]}},
            "retraining.triggers[1].name",
        ),
    ],
)
def test_errors_inside_lists_name_the_index(data: Any, key_path: str) -> None:
    assert config_error(data).key_path == key_path


def test_an_indicator_entry_without_a_name_shows_the_expected_shape() -> None:
    error = config_error({"features": {"indicators": [{"period": [7, 14]}]}})
    assert "needs a non-empty 'name'" in str(error)
    assert "{name: rsi, period: [7, 14]}" in str(error)


# -------------------------------------------------------------------------- validators


@pytest.mark.parametrize(
    ("data", "key_path", "fragment"),
    [
        ({"training": {"validation": {"n_splits": 1}}}, "training.validation.n_splits", ">= 2"),
        ({"labels": {"horizon": 0}}, "labels.horizon", ">= 1"),
        ({"training": {"validation": {"embargo": -1}}}, "training.validation.embargo", ">= 0"),
        (
            {"training": {"validation": {"test_size": 1.5}}},
            "training.validation.test_size",
            "(0, 1)",
        ),
        (
            {"training": {"validation": {"test_size": 0}}},
            "training.validation.test_size",
            "rows >= 1",
        ),
        ({"training": {"validation_fraction": 1.0}}, "training.validation_fraction", "[0, 1)"),
        ({"hpo": {"n_jobs": 0}}, "hpo.n_jobs", "-1 for every core"),
        ({"hpo": {"timeout": 0}}, "hpo.timeout", "> 0"),
        ({"serving": {"port": 70000}}, "serving.port", "<= 65535"),
        ({"sentiment": {"weights": {"news": -1}}}, "sentiment.weights.news", ">= 0"),
        ({"sentiment": {"decay_half_life": "soon"}}, "sentiment.decay_half_life", "'6h'"),
        ({"retraining": {"schedule": "weekly"}}, "retraining.schedule", "'0 2 * * 0'"),
        ({"data": {"source": "  "}}, "data.source", "must not be empty"),
        (
            {"training": {"validation": {"window": "rolling"}}},
            "training.validation.train_size",
            "rolling window needs train_size",
        ),
        (
            {"training": {"validation": {"method": "combinatorial_purged", "n_test_groups": 5}}},
            "training.validation.n_test_groups",
            "smaller than n_splits (5)",
        ),
        ({"hpo": {"objectives": ["sharpe", "drawdown"]}}, "hpo.directions", "one direction per"),
        ({"hpo": {"directions": []}}, "hpo.directions", "at least one"),
    ],
)
def test_an_invalid_value_names_its_path_and_the_rule(
    data: Any, key_path: str, fragment: str
) -> None:
    error = config_error(data)
    assert error.key_path == key_path
    assert fragment in str(error)


@pytest.mark.parametrize(
    ("data", "key_path", "allowed"),
    [
        ({"data": {"policy": "fix"}}, "data.policy", "'raise', 'repair'"),
        ({"labels": {"method": "binary"}}, "labels.method", "'direction', 'ternary'"),
        (
            {"training": {"validation": {"method": "kfold"}}},
            "training.validation.method",
            "'walk_forward', 'time_series_split', 'combinatorial_purged'",
        ),
        (
            {"features": {"feature_selection": {"method": "pca"}}},
            "features.feature_selection.method",
            "'mutual_info', 'anova_f', 'variance_threshold', 'correlation', 'none'",
        ),
    ],
)
def test_a_value_outside_its_choices_lists_the_allowed_values(
    data: Any, key_path: str, allowed: str
) -> None:
    error = config_error(data)
    assert error.key_path == key_path
    assert f"expected one of {allowed}" in str(error)


def test_a_misspelt_choice_gets_a_suggestion() -> None:
    error = config_error({"training": {"validation": {"method": "walk_foward"}}})
    assert "did you mean 'walk_forward'?" in str(error)


@pytest.mark.parametrize("policy", ["interpolate", "backward_fill", "bfill"])
def test_look_ahead_fills_are_refused_with_the_reason_and_alternatives(policy: str) -> None:
    error = config_error({"features": {"preprocessing": {"handle_missing": policy}}})
    message = str(error)
    assert error.key_path == "features.preprocessing.handle_missing"
    assert "look-ahead" in message
    assert "'forward_fill', 'drop', 'train_mean'" in message


def test_interpolation_is_refused_because_it_uses_future_bars() -> None:
    error = config_error({"features": {"preprocessing": {"handle_missing": "interpolate"}}})
    assert "interpolating across the present uses future bars" in str(error)


def test_every_problem_is_reported_and_key_path_is_the_first(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "training:\n  seed: -1\n  validaton: {}\nserving:\n  port: x\n",
    )
    with pytest.raises(ConfigError) as caught:
        load_config(path)

    lines = str(caught.value).splitlines()
    assert lines[0] == f"{path}: 3 problems:"
    assert lines[1] == "  line 2: config key 'training.seed': must be >= 0, got -1"
    assert lines[2].startswith("  line 3: config key 'training.validaton': unknown key")
    assert lines[3].startswith("  line 5: config key 'serving.port': expected int, got 'x'")
    assert caught.value.key_path == "training.seed"


# ------------------------------------------------------------------------------ plugins


@pytest.mark.parametrize("specifier", [">=0.1,<2", "==1.*", "~=1.4", ""])
def test_valid_version_specifiers_are_accepted(specifier: str) -> None:
    config = config_from_dict({"plugins": {"require": {"mlcore-ta": specifier}}})
    assert config.plugins.require == {"mlcore-ta": specifier}


@pytest.mark.parametrize("specifier", [">=0.1,<<2", "latest", "1.0"])
def test_an_invalid_version_specifier_names_the_distribution(specifier: str) -> None:
    error = config_error({"plugins": {"require": {"mlcore-ta": specifier}}})
    assert error.key_path == "plugins.require.mlcore-ta"
    assert "PEP 440" in str(error)
    assert "'>=0.1,<2'" in str(error)


def test_settings_for_compares_normalized_distribution_names() -> None:
    plugins = PluginsConfig(config={"Mlcore_Sentiment.News": {"window": "1h"}})
    assert plugins.settings_for("mlcore-sentiment-news") == {"window": "1h"}
    assert plugins.settings_for("mlcore-other") == {}


def test_settings_for_returns_a_copy() -> None:
    plugins = PluginsConfig(config={"mlcore-x": {"levels": [1, 2]}})
    plugins.settings_for("mlcore-x")["levels"].append(3)
    assert plugins.settings_for("mlcore-x") == {"levels": [1, 2]}


@pytest.mark.parametrize("key", ["require", "config"])
def test_two_names_for_one_distribution_are_refused(key: str) -> None:
    value: Any = "" if key == "require" else {}
    error = config_error({"plugins": {key: {"mlcore-ta": value, "mlcore_ta": value}}})
    assert error.key_path == f"plugins.{key}.mlcore_ta"
    assert "same distribution as 'mlcore-ta'" in str(error)


# ------------------------------------------------------------------------------ secrets


@pytest.mark.parametrize(
    ("data", "key_path", "key"),
    [
        (
            {"plugins": {"config": {"mlcore-finnhub": {"api_key": "s3cr3t-value"}}}},
            "plugins.config.mlcore-finnhub.api_key",
            "api_key",
        ),
        (
            {"sentiment": {"sources_config": {"discord": {"botToken": "s3cr3t-value"}}}},
            "sentiment.sources_config.discord.botToken",
            "botToken",
        ),
        (
            {"retraining": {"triggers": [{"name": "webhook", "secret": "s3cr3t-value"}]}},
            "retraining.triggers[0].secret",
            "secret",
        ),
        ({"hpo": {"storage_password": "s3cr3t-value"}}, "hpo.storage_password", "storage_password"),
        (
            {"feature_engineering": {"indicators": [{"name": "x", "APIKEY": "s3cr3t-value"}]}},
            "feature_engineering.indicators[0].APIKEY",
            "APIKEY",
        ),
        (
            {"data": {"params": {"private_key": "s3cr3t-value"}}},
            "data.params.private_key",
            "private_key",
        ),
    ],
)
def test_a_literal_secret_is_refused_without_echoing_it(data: Any, key_path: str, key: str) -> None:
    error = config_error(data)
    assert error.key_path == key_path
    assert f"'{key}_env: ENV_VAR_NAME'" in str(error)
    assert "s3cr3t-value" not in str(error)


def test_a_literal_secret_in_a_file_is_not_echoed(tmp_path: Path) -> None:
    path = write(tmp_path, "plugins:\n  config:\n    mlcore-x:\n      token: s3cr3t-value\n")
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    assert caught.value.source == f"{path}:4"
    assert "s3cr3t-value" not in str(caught.value)


@pytest.mark.parametrize(
    "settings",
    [
        {"api_key_env": "FINNHUB_API_KEY"},
        {"TOKEN_ENV": "DISCORD_TOKEN"},
        {"api_key": ""},
        {"api_key": None},
        {"tokenizer": "bert-base-uncased"},
        {"max_tokens": 512},
        {"keyword": "bitcoin"},
    ],
)
def test_secret_references_and_harmless_names_are_accepted(settings: dict[str, Any]) -> None:
    config = config_from_dict({"plugins": {"config": {"mlcore-x": settings}}})
    assert config.plugins.settings_for("mlcore-x") == settings


def test_resolve_secret_reads_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MLCORE_TEST_TOKEN", "abc123")
    assert resolve_secret("MLCORE_TEST_TOKEN") == "abc123"


@pytest.mark.parametrize("value", [None, ""])
def test_resolve_secret_names_the_variable_and_key_when_unset(
    monkeypatch: pytest.MonkeyPatch, value: str | None
) -> None:
    if value is None:
        monkeypatch.delenv("MLCORE_TEST_TOKEN", raising=False)
    else:
        monkeypatch.setenv("MLCORE_TEST_TOKEN", value)
    key_path = "plugins.config.mlcore-x.token_env"

    with pytest.raises(ConfigError) as caught:
        resolve_secret("MLCORE_TEST_TOKEN", key_path=key_path)

    assert caught.value.key_path == key_path
    assert "'MLCORE_TEST_TOKEN' is not set or is empty" in str(caught.value)


# --------------------------------------------------------------------------- round trip


def test_the_default_config_round_trips_through_yaml(tmp_path: Path) -> None:
    path = write(tmp_path, dump_config(MlcoreConfig()))
    assert load_config(path) == MlcoreConfig()


def test_config_to_dict_gives_plain_builtins() -> None:
    def check(value: Any) -> None:
        assert type(value) in (dict, list, str, int, float, bool, type(None))
        if isinstance(value, dict):
            for item in value.values():
                check(item)
        elif isinstance(value, list):
            for item in value:
                check(item)

    check(config_to_dict(load_config(SEED_EXAMPLE)))


def test_config_from_dict_copies_free_form_values() -> None:
    params = {"levels": [1, 2]}
    config = config_from_dict({"data": {"params": params}})
    params["levels"].append(3)
    assert config.data.params == {"levels": [1, 2]}


KEYS = st.sampled_from(["alpha", "depth", "period", "levels", "window", "name", "lr"])
TEXT = st.text(st.characters(codec="utf-8", exclude_categories=["Cs"]), max_size=12)
NAME = st.text(string.ascii_lowercase + "_-", min_size=1, max_size=12).filter(str.strip)
FINITE = st.floats(allow_nan=False, allow_infinity=False)
PLAIN = st.recursive(
    st.none() | st.booleans() | st.integers() | FINITE | TEXT,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(KEYS, inner, max_size=3),
    max_leaves=8,
)
PARAMS = st.dictionaries(KEYS, PLAIN, max_size=3)
NAMED_SPEC = NAME | st.builds(lambda name, params: {**params, "name": name}, NAME, PARAMS)
OPTIONAL_TEXT = st.none() | TEXT
COUNT = st.integers(min_value=1, max_value=10_000)
NON_NEGATIVE = st.floats(min_value=0, max_value=1e6)


def section(**fields: st.SearchStrategy[Any]) -> st.SearchStrategy[dict[str, Any]]:
    return st.fixed_dictionaries({}, optional=fields)


@st.composite
def validation_sections(draw: st.DrawFn) -> dict[str, Any]:
    n_splits = draw(st.integers(min_value=2, max_value=20))
    window = draw(st.sampled_from(["expanding", "rolling"]))
    drawn = draw(
        section(
            method=st.sampled_from(["walk_forward", "time_series_split", "combinatorial_purged"]),
            test_size=st.floats(min_value=0.01, max_value=0.99) | COUNT,
            embargo=st.integers(min_value=0, max_value=100),
            purge=st.booleans(),
            n_test_groups=st.integers(min_value=1, max_value=n_splits - 1),
        )
    )
    if drawn.get("method") == "combinatorial_purged":
        # the default of two test groups needs three splits: name the groups when it cannot
        drawn.setdefault("n_test_groups", min(2, n_splits - 1))
    return drawn | {
        "n_splits": n_splits,
        "window": window,
        "train_size": draw(COUNT if window == "rolling" else st.none() | COUNT),
    }


@st.composite
def hpo_sections(draw: st.DrawFn) -> dict[str, Any]:
    n_objectives = draw(st.integers(min_value=0, max_value=3))
    directions = st.sampled_from(["maximize", "minimize"])
    return draw(
        section(
            enabled=st.booleans(),
            n_trials=COUNT,
            timeout=st.none() | st.floats(min_value=1, max_value=1e5),
            n_jobs=st.sampled_from([-1, 1, 4]),
            storage=OPTIONAL_TEXT,
            study_name=OPTIONAL_TEXT,
            sampler=NAME,
            pruner=NAME,
            search_space=PARAMS,
        )
    ) | {
        "objectives": draw(st.lists(NAME, min_size=n_objectives, max_size=n_objectives)),
        "directions": draw(
            st.lists(directions, min_size=max(n_objectives, 1), max_size=max(n_objectives, 1))
        ),
    }


DISTRIBUTIONS = st.sampled_from(["mlcore-ta", "mlcore-hmm", "mlcore-torch", "acme-signals"])
RAW_CONFIGS = st.fixed_dictionaries(
    {},
    optional={
        "plugins": section(
            autoload=st.booleans(),
            disable=st.lists(NAME, max_size=3),
            require=st.dictionaries(DISTRIBUTIONS, st.sampled_from(["", ">=0.1,<2", "==1.*"])),
            strict=st.booleans(),
            config=st.dictionaries(DISTRIBUTIONS, PARAMS, max_size=2),
        ),
        "data": section(
            source=NAME,
            path=OPTIONAL_TEXT,
            symbol=OPTIONAL_TEXT,
            timeframe=OPTIONAL_TEXT,
            policy=st.sampled_from(["raise", "repair"]),
            params=PARAMS,
        ),
        "features": section(
            technical_indicators=st.dictionaries(
                NAME, st.lists(NAMED_SPEC, max_size=3), max_size=3
            ),
            indicators=st.lists(NAMED_SPEC, max_size=3),
            feature_selection=section(
                method=st.sampled_from(["mutual_info", "anova_f", "correlation", "none"]),
                n_features=st.none() | COUNT,
                threshold=st.none() | FINITE,
            ),
            preprocessing=section(
                scaler=st.sampled_from(["standard", "robust", "minmax", "none"]),
                handle_missing=st.sampled_from(["forward_fill", "drop", "train_mean"]),
                outlier_detection=st.booleans(),
                outlier_window=st.integers(min_value=2, max_value=1000),
                outlier_zscore=st.floats(min_value=0.1, max_value=100),
            ),
            timeframes=st.lists(NAME, max_size=3),
            cache_dir=OPTIONAL_TEXT,
        ),
        "labels": section(
            method=st.sampled_from(["direction", "ternary", "log_return", "triple_barrier"]),
            horizon=COUNT,
            threshold=NON_NEGATIVE,
            volatility_window=st.integers(min_value=2, max_value=500),
            profit_take=NON_NEGATIVE,
            stop_loss=NON_NEGATIVE,
            max_holding=COUNT,
            meta_labeling=st.booleans(),
        ),
        "training": section(
            model_type=NAME,
            model_params=PARAMS,
            optimization_metric=NAME,
            metrics=st.lists(NAME, max_size=4),
            seed=st.integers(min_value=0, max_value=2**32 - 1),
            validation=validation_sections(),
            early_stopping_rounds=st.none() | COUNT,
            validation_fraction=st.floats(min_value=0, max_value=0.99),
        ),
        "hpo": hpo_sections(),
        "mlflow": section(
            enabled=st.booleans(),
            tracking_uri=NAME,
            experiment_name=NAME,
            registered_model_name=OPTIONAL_TEXT,
            registry_uri=OPTIONAL_TEXT,
            log_models=st.booleans(),
            tags=st.dictionaries(KEYS, TEXT, max_size=3),
        ),
        "regimes": section(
            enabled=st.booleans(), detector=NAME, params=PARAMS, as_features=st.booleans()
        ),
        "sentiment": section(
            enabled=st.booleans(),
            sources=st.lists(NAME, max_size=3),
            scorer=OPTIONAL_TEXT,
            weights=st.dictionaries(NAME, NON_NEGATIVE, max_size=3),
            decay_half_life=st.none() | st.sampled_from(["6h", "30min", "1D", "90s"]),
            symbol=OPTIONAL_TEXT,
            sources_config=st.dictionaries(NAME, PARAMS, max_size=2),
            bar_close_offset=st.none() | st.sampled_from(["1h", "15min", "1D", "4h30min"]),
            neutral_band=st.floats(min_value=0, max_value=0.999),
            items_path=OPTIONAL_TEXT,
        ),
        "retraining": section(
            enabled=st.booleans(),
            schedule=st.none() | st.sampled_from(["0 2 * * 0", "@daily", "*/15 * * * 1-5"]),
            triggers=st.lists(NAMED_SPEC, max_size=3),
            performance_threshold=NON_NEGATIVE,
            drift_detection=st.booleans(),
            min_improvement=NON_NEGATIVE,
            window=COUNT,
        ),
        "analytics": section(
            risk_free_rate=FINITE,
            periods_per_year=COUNT,
            reports=st.lists(st.sampled_from(["pdf", "xlsx", "html"]), max_size=3),
            output_dir=NAME,
            monte_carlo_simulations=COUNT,
            benchmark=OPTIONAL_TEXT,
        ),
        "serving": section(
            host=NAME,
            port=st.integers(min_value=0, max_value=65535),
            model_uri=OPTIONAL_TEXT,
        ),
    },
)

NESTED_SECTIONS = {"feature_selection", "preprocessing", "validation"}


def assert_set_values_arrive(full: dict[str, Any], raw: dict[str, Any]) -> None:
    for key, value in raw.items():
        if key in NESTED_SECTIONS or key in SECTIONS:
            assert_set_values_arrive(full[key], value)
        else:
            assert full[key] == value, key


@settings(max_examples=150, deadline=None)
@given(RAW_CONFIGS)
def test_every_value_set_arrives_and_the_config_round_trips(raw: dict[str, Any]) -> None:
    config = config_from_dict(raw)

    as_dict = config_to_dict(config)
    assert_set_values_arrive(as_dict, raw)
    assert config_from_dict(as_dict) == config
    assert config_from_dict(yaml.safe_load(dump_config(config))) == config


@settings(max_examples=50, deadline=None)
@given(RAW_CONFIGS)
def test_the_seed_layout_gives_the_same_config(raw: dict[str, Any]) -> None:
    seed = dict(raw)
    training = dict(seed.pop("training", {}))
    if "features" in seed:
        seed["feature_engineering"] = seed.pop("features")
    if "hpo" in seed:
        training["hyperparameter_optimization"] = seed.pop("hpo")
    if "retraining" in seed:
        training["automated_retraining"] = seed.pop("retraining")
    seed["training"] = training

    assert config_from_dict(seed) == config_from_dict(raw)


# -------------------------------------------------------------------------------- docs


def documented_defaults() -> dict[str, str]:
    """Map 'section.key' to the default column of docs/configuration.md's tables."""
    defaults: dict[str, str] = {}
    section_name = ""
    for line in CONFIG_DOCS.read_text(encoding="utf-8").splitlines():
        heading = re.match(r"#+ `([a-z_.]+)`", line)
        if heading:
            section_name = heading.group(1)
        row = re.match(r"\| `([a-z_]+)` \| [^|]+ \| `(.*?)` \|", line)
        if row and section_name:
            defaults[f"{section_name}.{row.group(1)}"] = row.group(2)
    return defaults


@pytest.mark.parametrize(("key_path", "attribute"), [(p, a) for p, _, a in walk_fields()])
def test_every_key_is_documented_with_its_default(key_path: str, attribute: Any) -> None:
    default = attribute.default
    if isinstance(default, attrs.Factory):  # type: ignore[arg-type]
        default = default.factory()
    assert documented_defaults().get(key_path) == json.dumps(default), key_path


def test_every_section_class_is_public_and_named_in_the_docs() -> None:
    text = CONFIG_DOCS.read_text(encoding="utf-8")
    classes = [
        PluginsConfig,
        DataConfig,
        FeaturesConfig,
        FeatureSelectionConfig,
        PreprocessingConfig,
        LabelsConfig,
        TrainingConfig,
        ValidationConfig,
        HpoConfig,
        MlflowConfig,
        RegimesConfig,
        SentimentConfig,
        RetrainingConfig,
        AnalyticsConfig,
        BacktestConfig,
        ServingConfig,
    ]
    for cls in classes:
        assert cls.__name__ in text
