"""Regime probabilities as features in FeatureEngineeringPipeline (``regimes.as_features``).

Most tests use a small test-local detector whose probabilities are a hand formula of
training-window statistics, so that what the pipeline adds can be computed here; the last
ones use the real ``hmm`` detector of mlcore-hmm when it is installed.
"""

from __future__ import annotations

from typing import Any, ClassVar

import attrs
import numpy as np
import pandas as pd
import pytest
from sklearn.base import clone
from test_features_support import make_host, market

from mlcore import IndicatorBase, PluginHost, RegimeDetectorBase, hookimpl
from mlcore.config import MlcoreConfig, RegimesConfig, config_from_dict
from mlcore.errors import ConfigError, FeatureError
from mlcore.features import FeatureEngineeringPipeline
from mlcore.features.regime_features import RegimeFeatures, regime_feature_columns

FEATURES = {
    "indicators": ["sma"],
    "preprocessing": {"scaler": "none"},
    "feature_selection": {"method": "none"},
}
TRAIN = 200


def _trend(ohlcv: pd.DataFrame, span: int) -> np.ndarray:
    returns = np.log(ohlcv["close"]).diff().fillna(0.0)
    return returns.ewm(span=span, adjust=False).mean().to_numpy()


@attrs.define(slots=False)
class TrendDetector(RegimeDetectorBase):
    """Two regimes: P(bull) = logistic of the standardised 5-bar EWM log return, with the
    mean and standard deviation of the training window. Causal: the EWM is recursive."""

    span: int = 5
    n_regimes: int = 2
    seen: ClassVar[list[pd.Index]] = []  # the rows each fit was given

    def fit(self, X: Any) -> TrendDetector:
        trend = _trend(X, self.span)
        self.center_, self.scale_ = trend.mean(), trend.std()
        TrendDetector.seen.append(X.index)
        return self

    def predict_proba(self, X: Any) -> np.ndarray:
        bull = 1.0 / (1.0 + np.exp(-(_trend(X, self.span) - self.center_) / self.scale_))
        return np.column_stack([bull, 1.0 - bull])


class _RegimePlugin:
    @staticmethod
    @hookimpl
    def mlcore_register_regime_detectors(registry: Any) -> None:
        registry.add("trend", TrendDetector)


@pytest.fixture
def host() -> PluginHost:
    host = make_host()
    assert host.register_plugin(_RegimePlugin(), distribution="test-regimes", version="1.0")
    return host


@pytest.fixture
def bars() -> pd.DataFrame:
    return market(400, seed=3)


def _pipeline(host: PluginHost, **regimes: Any) -> FeatureEngineeringPipeline:
    config = RegimesConfig(**{"enabled": True, "detector": "trend", **regimes})
    return FeatureEngineeringPipeline(FEATURES, host=host, regimes=config)


def test_regime_columns_hold_the_filtered_probabilities_of_the_training_fit(host, bars):
    pipeline = _pipeline(host).fit(bars.iloc[:TRAIN])
    out = pipeline.transform(bars)
    assert list(out.columns) == ["sma_3", "sma_5", "regime_p_bull", "regime_p_bear"]
    trend = _trend(bars, 5)
    train = trend[:TRAIN]
    bull = 1.0 / (1.0 + np.exp(-(trend - train.mean()) / train.std()))
    np.testing.assert_allclose(out["regime_p_bull"], bull, rtol=1e-12)
    np.testing.assert_allclose(out["regime_p_bear"], 1.0 - bull, rtol=1e-12)
    assert isinstance(pipeline.regime_detector_, TrendDetector)
    assert list(pipeline.get_feature_names_out()) == list(out.columns)


def test_appending_bars_never_changes_earlier_rows(host, bars):
    pipeline = _pipeline(host).fit(bars.iloc[:TRAIN])
    full = pipeline.transform(bars)
    for end in (TRAIN + 1, 300, 399):
        pd.testing.assert_frame_equal(pipeline.transform(bars.iloc[:end]), full.iloc[:end])


def test_the_detector_is_fit_on_the_training_rows_only(host, bars):
    TrendDetector.seen.clear()
    on_train = _pipeline(host).fit(bars.iloc[:TRAIN])
    assert len(TrendDetector.seen) == 1
    pd.testing.assert_index_equal(TrendDetector.seen[0], bars.index[:TRAIN])
    on_all = _pipeline(host).fit(bars)
    assert on_train.regime_detector_.center_ != on_all.regime_detector_.center_
    later = bars.iloc[TRAIN:]
    differs = on_train.transform(later)["regime_p_bull"] - on_all.transform(later)["regime_p_bull"]
    assert differs.abs().max() > 1e-3
    # Changing the bars after the training window changes nothing the fit saw.
    shocked = bars.copy()
    shocked.iloc[TRAIN:, :4] *= 1.5
    again = _pipeline(host).fit(shocked.iloc[:TRAIN])
    assert again.regime_detector_.center_ == on_train.regime_detector_.center_


def test_an_unknown_detector_names_the_key_and_the_registered_ones(host):
    with pytest.raises(ConfigError, match=r"regimes\.detector.*'hmmm'.*registered.*trend"):
        _pipeline(host, detector="hmmm")
    bare = make_host()  # no regime detector plugin at all
    with pytest.raises(ConfigError, match=r"regimes\.detector.*registered regime_detectors: none"):
        _pipeline(bare)


def test_bad_detector_params_name_regimes_params(host, bars):
    pipeline = _pipeline(host, params={"spam": 1})
    with pytest.raises(ConfigError, match=r"regimes\.params.*'trend'.*spam"):
        pipeline.fit(bars.iloc[:TRAIN])


@pytest.mark.parametrize("regimes", [{"enabled": False}, {"enabled": True, "as_features": False}])
def test_no_regime_columns_unless_enabled_and_as_features(host, bars, regimes):
    config = RegimesConfig(detector="trend", **regimes)
    pipeline = FeatureEngineeringPipeline(FEATURES, host=host, regimes=config)
    out = pipeline.fit(bars.iloc[:TRAIN]).transform(bars)
    assert list(out.columns) == ["sma_3", "sma_5"]
    assert not hasattr(pipeline, "regime_detector_")


def test_generate_features_has_no_training_window_and_leaves_them_out(host, bars):
    assert list(_pipeline(host).generate_features(bars).columns) == ["sma_3", "sma_5"]


def test_the_regimes_section_of_a_whole_config_is_used(host, bars):
    config = config_from_dict(
        {"features": FEATURES, "regimes": {"enabled": True, "detector": "trend"}}
    )
    pipeline = FeatureEngineeringPipeline(config, host=host)
    assert pipeline.regimes == config.regimes
    assert "regime_p_bull" in pipeline.fit(bars.iloc[:TRAIN]).transform(bars).columns
    assert not FeatureEngineeringPipeline(config.features, host=host).regimes.enabled
    copy = clone(pipeline)
    assert copy.regimes == config.regimes
    assert not hasattr(copy, "regime_detector_")


def test_regime_feature_columns_follow_the_label_convention():
    assert regime_feature_columns(4) == [
        "regime_p_bull",
        "regime_p_bear",
        "regime_p_sideways",
        "regime_p_state3",
    ]


def test_a_detector_giving_the_wrong_shape_is_a_clear_error(host, bars):
    regimes = RegimeFeatures(RegimesConfig(enabled=True, detector="trend"), host.regime_detectors)
    regimes.fit(bars.iloc[:TRAIN])
    regimes.columns_ = regime_feature_columns(3)  # as if the detector promised 3 regimes
    with pytest.raises(FeatureError, match=r"shape \(400, 2\) for 400 bars; expected \(400, 3\)"):
        regimes.transform(bars)


@attrs.frozen
class LooksLikeARegime(IndicatorBase):
    """The close, in a column named like the first regime column."""

    name: ClassVar[str] = "regime_p_bull"
    family: ClassVar[str] = "trend"

    def compute(self, ohlcv: pd.DataFrame) -> pd.DataFrame:
        return pd.DataFrame({self.outputs[0]: ohlcv["close"]}, index=ohlcv.index)


class _LookalikePlugin:
    @staticmethod
    @hookimpl
    def mlcore_register_indicators(registry: Any) -> None:
        registry.add("regime_p_bull", LooksLikeARegime)


def test_an_indicator_column_named_like_a_regime_column_is_refused(host, bars):
    assert host.register_plugin(_LookalikePlugin(), distribution="test-lookalike")
    features = {**FEATURES, "indicators": ["sma", "regime_p_bull"]}
    config = RegimesConfig(enabled=True, detector="trend")
    pipeline = FeatureEngineeringPipeline(features, host=host, regimes=config)
    assert "regime_p_bull" in pipeline.generate_features(bars).columns
    with pytest.raises(FeatureError, match=r"\['regime_p_bull'\] clash with the regime columns"):
        pipeline.fit(bars.iloc[:TRAIN])


# ----------------------------------------------------------- with the real hmm detector


@pytest.fixture
def hmm_host() -> PluginHost:
    plugin = pytest.importorskip("mlcore_hmm.plugin")
    host = make_host()
    assert host.register_plugin(plugin, distribution="mlcore-hmm")
    return host


def test_hmm_regime_features_are_causal_and_fit_on_training_bars(hmm_host):
    from mlcore_hmm import HMMRegimeDetector

    bars = market(600, seed=1)
    config = MlcoreConfig(
        regimes=RegimesConfig(enabled=True, detector="hmm", params={"n_restarts": 2})
    )
    pipeline = FeatureEngineeringPipeline(
        config_from_dict({"features": FEATURES}).features, host=hmm_host, regimes=config.regimes
    ).fit(bars.iloc[:400])
    full = pipeline.transform(bars)
    expected = HMMRegimeDetector(n_restarts=2).fit(bars.iloc[:400]).predict_proba(bars)
    np.testing.assert_allclose(full[regime_feature_columns(3)].to_numpy(), expected, rtol=1e-12)
    pd.testing.assert_frame_equal(pipeline.transform(bars.iloc[:450]), full.iloc[:450])
    np.testing.assert_allclose(full[regime_feature_columns(3)].sum(axis=1), 1.0)
