"""Tests of mlcore-example-plugin: conformance, hand-calculated values, and the host.

Run from this directory with the plugin installed (``pip install -e '.[test]'``)::

    python -m pytest
"""

from __future__ import annotations

import logging
import math
import pickle

import numpy as np
import pandas as pd
import pytest
from mlcore import ConfigError, DataValidationError, MlcorePluginWarning, PluginHost
from mlcore.testing import parametrize_with_checks

from mlcore_example_plugin import DISTRIBUTION
from mlcore_example_plugin.indicators import ZScore
from mlcore_example_plugin.metrics import hit_rate

# ---------------------------------------------------------------------------
# The conformance suite every plugin runs on its components
# ---------------------------------------------------------------------------


@parametrize_with_checks([ZScore(), ZScore(period=5), hit_rate])
def test_conformance(component, check):
    check(component)


# ---------------------------------------------------------------------------
# ZScore against a hand calculation
# ---------------------------------------------------------------------------


def frame(close: list[float]) -> pd.DataFrame:
    index = pd.date_range("2024-01-01", periods=len(close), freq="1D", tz="UTC")
    return pd.DataFrame({"close": close}, index=index)


def test_zscore_matches_a_hand_calculation():
    # period 3 over [1, 2, 3, 4, 6, 2]:
    #   [1, 2, 3]: mean 2, population std sqrt(2/3), z = (3 - 2) / sqrt(2/3) = sqrt(3/2)
    #   [2, 3, 4]: the same shape, z = sqrt(3/2)
    #   [3, 4, 6]: mean 13/3, deviations -4/3, -1/3, 5/3, variance 14/9,
    #              z = (5/3) / (sqrt(14)/3) = 5/sqrt(14)
    #   [4, 6, 2]: mean 4, variance 8/3, z = (2 - 4) / sqrt(8/3) = -sqrt(3/2)
    result = ZScore(period=3).compute(frame([1.0, 2.0, 3.0, 4.0, 6.0, 2.0]))
    expected = [
        math.nan,
        math.nan,
        math.sqrt(1.5),
        math.sqrt(1.5),
        5 / math.sqrt(14),
        -math.sqrt(1.5),
    ]
    assert list(result.columns) == ["zscore_3"]
    np.testing.assert_allclose(result["zscore_3"].to_numpy(), expected, rtol=0, atol=1e-12)


def test_zscore_attributes():
    zscore = ZScore(period=20)
    assert zscore.family == "statistics"
    assert zscore.inputs == ("close",)
    assert zscore.outputs == ("zscore_20",)
    assert zscore.warmup == 19
    assert zscore.get_params() == {"period": 20}


def test_zscore_keeps_the_input_index():
    data = frame([1.0, 2.0, 3.0, 5.0])
    assert ZScore(period=2).compute(data).index.equals(data.index)


def test_a_flat_window_is_nan_not_a_ratio_of_rounding_errors():
    # 0.1 is not exact in binary: a naive mean of three 0.1s leaves a tiny non-zero std.
    result = ZScore(period=3).compute(frame([0.1, 0.1, 0.1, 0.1, 0.4]))["zscore_3"]
    assert result.iloc[:4].isna().all()
    # [0.1, 0.1, 0.4]: mean 0.2, population std sqrt(0.02), z = 0.2 / sqrt(0.02) = sqrt(2)
    assert result.iloc[4] == pytest.approx(math.sqrt(2), abs=1e-12)


def test_a_nan_close_blanks_every_window_that_holds_it():
    result = ZScore(period=2).compute(frame([1.0, 2.0, math.nan, 4.0, 6.0, 7.0]))["zscore_2"]
    # windows of 2: a value x_t with x_{t-1} gives z = +1 when rising, -1 when falling
    np.testing.assert_array_equal(result.to_numpy(), [math.nan, 1.0, math.nan, math.nan, 1.0, 1.0])


def test_fewer_rows_than_the_period_are_all_nan():
    assert ZScore(period=5).compute(frame([1.0, 2.0, 3.0]))["zscore_5"].isna().all()


def test_streaming_agrees_with_compute_and_reset_starts_over(ohlcv_frame):
    zscore = ZScore(period=10)
    expected = zscore.compute(ohlcv_frame)["zscore_10"].to_numpy()
    bars = ohlcv_frame.to_dict("records")
    for _ in range(2):  # the second pass checks reset()
        streamed = np.array([zscore.update(bar)[0] for bar in bars])
        np.testing.assert_allclose(streamed, expected, rtol=0, atol=1e-9)
        zscore.reset()


def test_clones_and_pickles_start_with_their_own_window():
    zscore = ZScore(period=3)
    for close in (1.0, 2.0):
        zscore.update({"close": close})
    assert math.isnan(zscore.clone().update({"close": 3.0})[0])  # a clone starts empty
    restored = pickle.loads(pickle.dumps(zscore))  # a pickle keeps the bars seen so far
    assert restored.update({"close": 3.0})[0] == pytest.approx(math.sqrt(1.5))
    assert zscore == ZScore(period=3)  # streaming state is not part of equality


@pytest.mark.parametrize("period", [1, 0, -3, 2.5, "20", True])
def test_invalid_periods_are_refused(period):
    with pytest.raises((ValueError, TypeError), match="period"):
        ZScore(period=period)


def test_a_frame_without_close_is_a_clear_error():
    with pytest.raises(DataValidationError, match="'close'"):
        ZScore().compute(pd.DataFrame({"open": [1.0, 2.0]}))
    with pytest.raises(DataValidationError, match="'close'"):
        ZScore().update({"open": 1.0})


# ---------------------------------------------------------------------------
# hit_rate against a hand calculation
# ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("realised", "predicted", "expected"),
    [
        ([0.01, -0.02, 0.03, -0.01], [1.0, -1.0, 2.0, -0.5], 1.0),
        ([0.01, -0.02, 0.03, -0.01], [-1.0, 1.0, -2.0, 0.5], 0.0),
        # the flat bar is ignored; of the three that moved, two calls are right
        ([0.01, -0.02, 0.0, 0.03], [1.0, 1.0, -1.0, 0.5], 2 / 3),
        # a prediction of 0 on a bar that moved is a miss
        ([0.01, 0.02], [0.0, 1.0], 0.5),
        # NaN pairs are ignored
        ([0.01, math.nan, -0.02, 0.03], [1.0, 1.0, math.nan, -1.0], 0.5),
    ],
)
def test_hit_rate_matches_a_hand_calculation(realised, predicted, expected):
    assert hit_rate(realised, predicted) == pytest.approx(expected)


def test_hit_rate_attributes():
    assert hit_rate.name == "hit_rate"
    assert hit_rate.greater_is_better is True
    assert hit_rate.needs == "labels"


def test_hit_rate_refuses_what_it_cannot_score():
    with pytest.raises(ValueError, match="same length"):
        hit_rate([0.01, 0.02], [1.0])
    with pytest.raises(ValueError, match="non-zero"):
        hit_rate([0.0, 0.0], [1.0, -1.0])


# ---------------------------------------------------------------------------
# The installed plugin, as the kernel sees it
# ---------------------------------------------------------------------------


@pytest.fixture
def host(monkeypatch):
    """A host that loads this plugin only: other installed plugins cannot interfere."""
    monkeypatch.setenv("MLCORE_LOAD_PLUGINS", DISTRIBUTION)
    return PluginHost.from_config().load()


def test_the_host_registers_zscore_and_hit_rate_from_this_distribution(host):
    assert host.failures == [], host.failures
    for registry, name in ((host.indicators, "zscore"), (host.metrics, "hit_rate")):
        component = registry.get(name)
        assert component.distribution == DISTRIBUTION
        assert component.qualified_name == f"example:{name}"
        for alias in (f"example:{name}", f"{DISTRIBUTION}:{name}"):
            assert registry.get(alias) is component
    assert host.indicators.get("price_zscore") is host.indicators.get("zscore")
    (info,) = host.plugin_info(DISTRIBUTION)
    assert info.entry_point == "example"


def test_the_host_builds_working_components(host):
    zscore = host.create("indicators", "example:zscore", period=3)
    assert isinstance(zscore, ZScore)
    assert zscore.compute(frame([1.0, 2.0, 3.0]))["zscore_3"].iloc[-1] == pytest.approx(
        math.sqrt(1.5)
    )
    assert host.metrics.create("example:hit_rate") is hit_rate


def test_the_mlcore_host_fixture_sees_the_plugin(monkeypatch, request):
    monkeypatch.delenv("MLCORE_LOAD_PLUGINS", raising=False)  # whatever the caller set
    monkeypatch.delenv("MLCORE_DISABLE_PLUGIN_AUTOLOAD", raising=False)
    mlcore_host = request.getfixturevalue("mlcore_host")  # from mlcore's pytest plugin
    assert mlcore_host.indicators.get("example:zscore").distribution == DISTRIBUTION


def test_settings_are_read_from_the_config(monkeypatch, caplog):
    monkeypatch.setenv("MLCORE_LOAD_PLUGINS", DISTRIBUTION)
    config = {"plugins": {"config": {DISTRIBUTION: {"announce": True}}}}
    with caplog.at_level(logging.INFO, logger="mlcore_example_plugin"):
        host = PluginHost.from_config(config).load()
    assert host.failures == []
    assert "ready: indicator zscore, metric hit_rate" in caplog.text


@pytest.mark.parametrize(
    ("settings", "message"),
    [({"anounce": True}, "anounce"), ({"announce": "yes"}, "expected bool")],
)
def test_a_bad_setting_unloads_the_plugin_and_names_the_key(monkeypatch, settings, message):
    monkeypatch.setenv("MLCORE_LOAD_PLUGINS", DISTRIBUTION)
    config = {"plugins": {"config": {DISTRIBUTION: settings}}}
    with pytest.warns(MlcorePluginWarning, match=message):
        host = PluginHost.from_config(config).load()
    (failure,) = host.failures
    assert failure.stage == "configure"
    assert f"plugins.config.{DISTRIBUTION}." in failure.cause
    assert "zscore" not in host.indicators


def test_configure_errors_are_config_errors():
    from mlcore import MlcoreConfig
    from mlcore.config import config_from_dict

    from mlcore_example_plugin.plugin import mlcore_configure

    mlcore_configure(MlcoreConfig())  # no settings: nothing to check
    config = config_from_dict({"plugins": {"config": {DISTRIBUTION: {"colour": "red"}}}})
    with pytest.raises(ConfigError, match=r"plugins\.config\.mlcore-example-plugin\.colour"):
        mlcore_configure(config)
