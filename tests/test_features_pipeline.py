"""FeatureEngineeringPipeline: resolving the config, generating, degrading, caching, fit."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from test_features_support import (
    COUNTS,
    DISTRIBUTION,
    EMA,
    SMA,
    STANDARD,
    Broken,
    Channel,
    Counting,
    make_host,
    market,
)

from mlcore import DataValidationError, MlcorePluginWarning, PluginHost, UnknownComponentError
from mlcore.config import FeaturesConfig, config_from_dict
from mlcore.errors import ConfigError, FeatureError
from mlcore.features import FeatureEngineeringPipeline, FeatureSelector


@pytest.fixture
def host() -> PluginHost:
    return make_host()


@pytest.fixture
def bars() -> pd.DataFrame:
    return market(300)


def hand_sma(close: pd.Series, period: int) -> np.ndarray:
    values = close.to_numpy()
    return np.array(
        [
            np.nan if i < period - 1 else values[i - period + 1 : i + 1].mean()
            for i in range(len(values))
        ]
    )


# ----------------------------------------------------------------------------- resolving


def test_no_config_gives_the_default_set_ordered_by_family_then_name(host: PluginHost) -> None:
    pipeline = FeatureEngineeringPipeline(host=host)
    labels = [item.label for item in pipeline.resolved_indicators]
    # trend (ema, sma with both default parameter sets), then volatility (channel);
    # mom and counting are not tagged "default".
    assert labels == ["ema(span=4)", "sma(period=3)", "sma(period=5)", "channel(period=4)"]
    assert pipeline.feature_names == [
        "ema_4",
        "sma_3",
        "sma_5",
        "channel_upper_4",
        "channel_lower_4",
    ]
    assert all(item.distribution == DISTRIBUTION for item in pipeline.resolved_indicators)


def test_technical_indicators_expand_each_name_to_its_default_parameters(host: PluginHost) -> None:
    config = {"technical_indicators": {"trend": ["sma"], "momentum": ["testind:mom"]}}
    pipeline = FeatureEngineeringPipeline(config, host=host)
    assert pipeline.feature_names == ["sma_3", "sma_5", "mom_2"]
    assert [item.source for item in pipeline.resolved_indicators] == [
        "features.technical_indicators.trend[0]",
        "features.technical_indicators.trend[0]",
        "features.technical_indicators.momentum[0]",
    ]


def test_explicit_parameter_lists_give_their_cartesian_product(host: PluginHost) -> None:
    config = {
        "indicators": [
            {"name": "sma", "period": [7, 14]},
            {"name": "channel", "period": 10},
            "ema",
        ]
    }
    pipeline = FeatureEngineeringPipeline(config, host=host)
    assert pipeline.feature_names == [
        "sma_7",
        "sma_14",
        "channel_upper_10",
        "channel_lower_10",
        "ema_4",
    ]
    assert pipeline.indicators[0] == SMA(period=7)


def test_both_layouts_combine_and_the_same_indicator_twice_is_kept_once(host: PluginHost) -> None:
    config = {
        "technical_indicators": {"trend": ["sma"]},
        "indicators": [{"name": "sma", "period": [3, 8]}],
    }
    pipeline = FeatureEngineeringPipeline(config, host=host)
    assert pipeline.feature_names == ["sma_3", "sma_5", "sma_8"]


def test_the_seed_layout_of_a_whole_config_file(host: PluginHost) -> None:
    whole = config_from_dict({"feature_engineering": {"technical_indicators": {"trend": ["ema"]}}})
    pipeline = FeatureEngineeringPipeline(whole, host=host)
    assert pipeline.feature_names == ["ema_4"]


def test_an_unknown_name_says_which_config_key_named_it(host: PluginHost) -> None:
    config = {"technical_indicators": {"momentum": ["mom", "ema", "smaa"]}}
    with pytest.raises(UnknownComponentError) as caught:
        FeatureEngineeringPipeline(config, host=host)
    message = str(caught.value)
    assert "config key 'features.technical_indicators.momentum[2]'" in message
    assert "did you mean 'sma'" in message


def test_bad_explicit_parameters_are_a_config_error_with_the_key(host: PluginHost) -> None:
    with pytest.raises(ConfigError) as caught:
        FeatureEngineeringPipeline({"indicators": ["ema", {"name": "sma", "perod": 3}]}, host=host)
    assert caught.value.key_path == "features.indicators[1]"
    assert "perod" in str(caught.value)
    assert "its parameters are: period=3" in str(caught.value)
    with pytest.raises(ConfigError, match=r"features\.indicators\[0\].*period"):
        FeatureEngineeringPipeline({"indicators": [{"name": "sma", "period": 0}]}, host=host)


def test_two_indicators_claiming_one_column_is_an_error_naming_both() -> None:
    class OtherSMA(SMA):
        """Another distribution's sma: same column names."""

    host = make_host({**STANDARD, "sma2": (OtherSMA, set())})
    with pytest.raises(FeatureError) as caught:
        FeatureEngineeringPipeline({"indicators": ["sma", "sma2"]}, host=host)
    message = str(caught.value)
    assert "'sma_3'" in message
    assert "features.indicators[0]" in message
    assert "features.indicators[1]" in message


def test_an_empty_default_set_is_a_clear_error() -> None:
    host = make_host({"mom": STANDARD["mom"]})
    with pytest.raises(FeatureError, match=r"no indicator is tagged 'default'.*mlcore-indicators"):
        FeatureEngineeringPipeline(host=host)


def test_a_bad_timeframe_is_a_config_error(host: PluginHost) -> None:
    with pytest.raises(ConfigError) as caught:
        FeatureEngineeringPipeline({"timeframes": ["1W", "fortnight"]}, host=host)
    assert caught.value.key_path == "features.timeframes[1]"


def test_without_arguments_it_loads_the_installed_plugins(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MLCORE_LOAD_PLUGINS", "")  # only the kernel's builtins: no indicators
    with pytest.raises(FeatureError, match="default"):
        FeatureEngineeringPipeline()


# ---------------------------------------------------------------------------- generating


def test_generate_features_values_dtype_and_index(host: PluginHost, bars: pd.DataFrame) -> None:
    pipeline = FeatureEngineeringPipeline(host=host)
    features = pipeline.generate_features(bars)
    assert features.index.equals(bars.index)
    assert list(features.columns) == pipeline.feature_names
    assert (features.dtypes == np.float64).all()
    np.testing.assert_allclose(features["sma_5"], hand_sma(bars["close"], 5), rtol=1e-12)
    assert features["sma_5"].isna().sum() == 4
    np.testing.assert_allclose(
        features["channel_upper_4"], bars["high"].rolling(4).max(), rtol=0, atol=0
    )
    ema = bars["close"].iloc[0]
    for close in bars["close"].iloc[1:6]:
        ema = 0.4 * close + 0.6 * ema  # span 4: alpha = 2 / 5
    assert features["ema_4"].iloc[5] == pytest.approx(ema, rel=1e-12)


def test_a_bad_input_raises_the_data_contracts_error(host: PluginHost, bars: pd.DataFrame) -> None:
    broken = bars.copy()
    broken.iloc[7, broken.columns.get_loc("high")] = broken["low"].iloc[7] - 1
    pipeline = FeatureEngineeringPipeline(host=host)
    with pytest.raises(DataValidationError) as caught:
        pipeline.generate_features(broken)
    assert caught.value.rule == "high_below_low"
    with pytest.raises(DataValidationError, match="unsorted"):
        pipeline.generate_features(bars.iloc[::-1])


def test_a_failing_indicator_degrades_with_a_warning(bars: pd.DataFrame) -> None:
    host = make_host({**STANDARD, "broken": (Broken, {"default"})})
    pipeline = FeatureEngineeringPipeline(host=host)
    with pytest.warns(MlcorePluginWarning, match=r"broken\(\).*test-indicators 1\.0.*division"):
        features = pipeline.generate_features(bars)
    assert "broken" not in features.columns
    assert list(features.columns) == pipeline.feature_names
    assert features.shape[1] == 5
    (failure,) = pipeline.failures
    assert (failure.indicator, failure.distribution, failure.stage) == (
        "broken()",
        DISTRIBUTION,
        "compute",
    )
    assert "RuntimeError" in failure.cause


def test_strict_mode_raises_for_a_failing_indicator(bars: pd.DataFrame) -> None:
    host = make_host({**STANDARD, "broken": (Broken, {"default"})})
    pipeline = FeatureEngineeringPipeline(host=host, strict=True)
    with pytest.raises(FeatureError, match=r"broken\(\).*strict mode"):
        pipeline.generate_features(bars)


def test_a_lazy_factory_that_fails_to_import_is_skipped(bars: pd.DataFrame) -> None:
    host = make_host({**STANDARD, "ghost": ("no_such_module_xyz:Ghost", {"default"})})
    with pytest.warns(MlcorePluginWarning, match="'ghost'.*import"):
        pipeline = FeatureEngineeringPipeline(host=host)
    assert pipeline.failures[0].stage == "import"
    assert pipeline.generate_features(bars).shape[1] == 5


def test_a_missing_input_column_is_a_failure_that_names_it(bars: pd.DataFrame) -> None:
    class Spread(Counting):
        name = "spread"
        input_columns = ("bid", "ask")

    host = make_host({"spread": (Spread, set()), "ema": (EMA, set())})
    pipeline = FeatureEngineeringPipeline({"indicators": ["spread", "ema"]}, host=host)
    with pytest.warns(MlcorePluginWarning, match=r"\['bid', 'ask'\], which the data lacks"):
        features = pipeline.generate_features(bars)
    assert list(features.columns) == ["ema_4"]
    with_quotes = bars.assign(bid=bars["close"] - 0.01, ask=bars["close"] + 0.01)
    assert list(pipeline.generate_features(with_quotes).columns) == ["spread_2", "ema_4"]


def test_progress_is_reported_per_indicator(host: PluginHost, bars: pd.DataFrame) -> None:
    calls: list[tuple[int, int, str]] = []
    config = {"indicators": ["ema", "channel"], "timeframes": ["1W"]}
    pipeline = FeatureEngineeringPipeline(config, host=host, progress=lambda *a: calls.append(a))
    pipeline.generate_features(bars)
    assert calls == [
        (0, 4, ""),
        (1, 4, "ema(span=4)"),
        (2, 4, "channel(period=4)"),
        (3, 4, "ema(span=4)@1W"),
        (4, 4, "channel(period=4)@1W"),
    ]


# ------------------------------------------------------------------------------- caching


def test_the_cache_skips_recomputation_of_the_same_data(tmp_path: Path, bars: pd.DataFrame) -> None:
    host = make_host()
    config = {"indicators": [{"name": "counting", "factor": [2.0, 3.0]}]}
    first = FeatureEngineeringPipeline(config, host=host, memory=tmp_path)
    COUNTS["counting"] = 0
    expected = first.generate_features(bars)
    assert COUNTS["counting"] == 2
    again = FeatureEngineeringPipeline(config, host=host, memory=tmp_path).generate_features(bars)
    assert COUNTS["counting"] == 2  # both read from the cache
    pd.testing.assert_frame_equal(again, expected)
    # another column changing does not matter (the key is the input columns only) ...
    first.generate_features(bars.assign(volume=bars["volume"] * 2))
    assert COUNTS["counting"] == 2
    # ... a changed close, or another parameter, computes afresh
    first.generate_features(bars.iloc[:-1])
    assert COUNTS["counting"] == 4
    changed = FeatureEngineeringPipeline(
        {"indicators": [{"name": "counting", "factor": 5.0}]}, host=host, memory=tmp_path
    )
    np.testing.assert_allclose(changed.generate_features(bars)["counting_5"], bars["close"] * 5)
    assert COUNTS["counting"] == 5


def test_the_cache_dir_of_the_config_and_the_plugin_version_key(
    tmp_path: Path, bars: pd.DataFrame
) -> None:
    config = FeaturesConfig(indicators=["counting"], cache_dir=str(tmp_path))
    COUNTS["counting"] = 0
    FeatureEngineeringPipeline(config, host=make_host()).generate_features(bars)
    FeatureEngineeringPipeline(config, host=make_host()).generate_features(bars)
    assert COUNTS["counting"] == 1
    newer = PluginHost()
    from test_features_support import plugin_registering

    newer.register_plugin(
        plugin_registering(STANDARD), distribution=DISTRIBUTION, name="testind", version="2.0"
    )
    FeatureEngineeringPipeline(config, host=newer).generate_features(bars)
    assert COUNTS["counting"] == 2  # a new plugin version is not served old results


def test_without_a_cache_every_call_computes(host: PluginHost, bars: pd.DataFrame) -> None:
    pipeline = FeatureEngineeringPipeline({"indicators": ["counting"]}, host=host)
    COUNTS["counting"] = 0
    pipeline.generate_features(bars)
    pipeline.generate_features(bars)
    assert COUNTS["counting"] == 2


# ------------------------------------------------------------------- selection and fitting


def direction(bars: pd.DataFrame) -> pd.Series:
    """1 when the next close is higher: the last row has no label (NaN)."""
    ahead = bars["close"].shift(-1)
    return (ahead > bars["close"]).astype(float).where(ahead.notna())


def test_select_features_equals_a_selector_fit_on_the_rows_given(
    host: PluginHost, bars: pd.DataFrame
) -> None:
    pipeline = FeatureEngineeringPipeline(
        {"indicators": [{"name": "sma", "period": [2, 3, 5, 8]}, "ema", "mom", "channel"]},
        host=host,
    )
    features = pipeline.generate_features(bars)
    target = direction(bars)
    chosen = pipeline.select_features(features.iloc[:200], target.iloc[:200], "anova_f", 3)
    reference = FeatureSelector("anova_f", n_features=3).fit(features.iloc[:200], target.iloc[:200])
    assert list(chosen.columns) == reference.selected_
    assert chosen.shape == (200, 3)


def test_fit_then_transform_uses_training_rows_only(host: PluginHost, bars: pd.DataFrame) -> None:
    config = {
        "indicators": [{"name": "sma", "period": [3, 5]}, "ema", "mom"],
        "feature_selection": {"method": "anova_f", "n_features": 2},
        "preprocessing": {"scaler": "standard"},
    }
    train, later = bars.iloc[:200], bars.iloc[200:]
    pipeline = FeatureEngineeringPipeline(config, host=host).fit(train, direction(train))
    raw = pipeline.generate_features(train)
    filled = raw.ffill()
    np.testing.assert_allclose(pipeline.preprocessor_.scaler_.mean_, filled.mean(), rtol=1e-12)
    out = pipeline.transform(bars)
    assert list(out.columns) == pipeline.selected_features_
    assert len(pipeline.selected_features_) == 2
    # the scaled training statistics come from the training rows only
    column = pipeline.selected_features_[0]
    scale = filled[column].std(ddof=0)
    expected = (pipeline.generate_features(bars)[column].ffill() - filled[column].mean()) / scale
    np.testing.assert_allclose(out[column], expected, rtol=1e-9)
    assert pipeline.transform(later).shape == (100, 2)
    assert list(pipeline.get_feature_names_out()) == pipeline.selected_features_


def test_fit_without_a_target_needs_a_method_that_does_without(
    host: PluginHost, bars: pd.DataFrame
) -> None:
    with pytest.raises(FeatureError, match="'mutual_info' needs the target"):
        FeatureEngineeringPipeline({"indicators": ["ema"]}, host=host).fit(bars)
    config: dict[str, Any] = {
        "indicators": ["ema"],
        "feature_selection": {"method": "none"},
        "preprocessing": {"scaler": "minmax"},
    }
    out = FeatureEngineeringPipeline(config, host=host).fit_transform(bars)
    assert out["ema_4"].min() == 0.0
    assert out["ema_4"].max() == pytest.approx(1.0)


def test_transform_refuses_when_a_fitted_column_is_missing(bars: pd.DataFrame) -> None:
    class Flaky(Counting):
        """Fails on short frames."""

        name = "flaky"

        def compute(self, ohlcv: pd.DataFrame) -> pd.DataFrame:
            if len(ohlcv) < 100:
                raise ValueError("too short")
            return super().compute(ohlcv)

    host = make_host({"flaky": (Flaky, set()), "ema": (EMA, set())})
    config = {"indicators": ["flaky", "ema"], "feature_selection": {"method": "none"}}
    pipeline = FeatureEngineeringPipeline(config, host=host).fit(bars)
    with (
        pytest.warns(MlcorePluginWarning, match="too short"),
        pytest.raises(FeatureError, match=r"\['flaky_2'\] were built in fit but not now"),
    ):
        pipeline.transform(bars.iloc[:50])


def test_indicators_are_instances_and_usable_directly(host: PluginHost, bars: pd.DataFrame) -> None:
    pipeline = FeatureEngineeringPipeline({"indicators": ["channel"]}, host=host)
    (indicator,) = pipeline.indicators
    assert isinstance(indicator, Channel)
    assert math.isnan(indicator.compute(bars).iloc[2, 0])
    assert "1 indicators, 2 features" in repr(pipeline)


def test_sklearn_clone_gives_an_unfitted_copy_sharing_the_host(
    host: PluginHost, bars: pd.DataFrame
) -> None:
    from sklearn.base import clone

    config = {"indicators": ["ema"], "feature_selection": {"method": "none"}}
    fitted = FeatureEngineeringPipeline(config, host=host).fit(bars)
    copy = clone(fitted)
    assert copy.host is host
    assert copy.config == fitted.config
    assert not hasattr(copy, "selector_")
