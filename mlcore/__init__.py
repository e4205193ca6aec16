"""mlcore: a pluggable ML and analytics framework for trading.

The kernel defines hook specs and component protocols; indicators, models, regime
detectors, sentiment sources, retraining triggers and metrics come from plugins
discovered through the ``mlcore.plugins`` entry-point group.
"""

from typing import TYPE_CHECKING, Any

from mlcore._version import PLUGIN_API_VERSION, __version__
from mlcore.errors import (
    AnalyticsError,
    ConfigError,
    DataValidationError,
    FeatureError,
    HookResultError,
    MissingExtraError,
    MlcoreError,
    MlcorePluginWarning,
    PluginLoadError,
    RegistrationError,
    SentimentAuthError,
    SentimentSourceError,
    SplitError,
    UnknownComponentError,
)
from mlcore.hookspecs import hookimpl

if TYPE_CHECKING:
    from mlcore.analytics import (
        AdvancedAnalytics,
        FactorAttribution,
        MonteCarloResult,
        PerformanceMetrics,
    )
    from mlcore.config import MlcoreConfig, load_config
    from mlcore.data import data_fingerprint, load_ohlcv, synthetic_ohlcv, validate_ohlcv
    from mlcore.features import FeatureEngineeringPipeline, StreamingFeatureEngine
    from mlcore.host import PluginFailure, PluginHost, PluginInfo
    from mlcore.models import create_model
    from mlcore.protocols import (
        DataSource,
        Indicator,
        IndicatorBase,
        Metric,
        Model,
        ModelBase,
        RegimeDetector,
        RegimeDetectorBase,
        RetrainState,
        RetrainTrigger,
        SentimentAdapter,
        StreamingIndicator,
        TriggerDecision,
        metric,
    )
    from mlcore.registry import Component, Registry
    from mlcore.sentiment import (
        SentimentCollection,
        SentimentFeatures,
        SentimentItem,
        SourceFailure,
        aggregate_sentiment,
        collect_sentiment,
        read_items,
        score_items,
        write_items,
    )
    from mlcore.training import TradingPipeline, TrainingJob, train

# Imported on first use, so that ``import mlcore`` (and pytest's plugin) stays cheap.
_LAZY = {
    "mlcore.analytics": (
        "AdvancedAnalytics",
        "FactorAttribution",
        "MonteCarloResult",
        "PerformanceMetrics",
    ),
    "mlcore.config": ("MlcoreConfig", "load_config"),
    "mlcore.data": ("data_fingerprint", "load_ohlcv", "synthetic_ohlcv", "validate_ohlcv"),
    "mlcore.features": ("FeatureEngineeringPipeline", "StreamingFeatureEngine"),
    "mlcore.host": ("PluginFailure", "PluginHost", "PluginInfo"),
    "mlcore.protocols": (
        "DataSource",
        "Indicator",
        "IndicatorBase",
        "Metric",
        "Model",
        "ModelBase",
        "RegimeDetector",
        "RegimeDetectorBase",
        "RetrainState",
        "RetrainTrigger",
        "SentimentAdapter",
        "StreamingIndicator",
        "TriggerDecision",
        "metric",
    ),
    "mlcore.models": ("create_model",),
    "mlcore.registry": ("Component", "Registry"),
    "mlcore.sentiment": (
        "SentimentCollection",
        "SentimentFeatures",
        "SentimentItem",
        "SourceFailure",
        "aggregate_sentiment",
        "collect_sentiment",
        "read_items",
        "score_items",
        "write_items",
    ),
    "mlcore.training": ("TradingPipeline", "TrainingJob", "train"),
}
_LAZY_NAMES = {name: module for module, names in _LAZY.items() for name in names}


def __getattr__(name: str) -> Any:
    module = _LAZY_NAMES.get(name)
    if module is None:
        raise AttributeError(f"module 'mlcore' has no attribute {name!r}")
    import importlib

    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


__all__ = [
    "PLUGIN_API_VERSION",
    "AdvancedAnalytics",
    "AnalyticsError",
    "Component",
    "ConfigError",
    "DataSource",
    "DataValidationError",
    "FeatureEngineeringPipeline",
    "FactorAttribution",
    "FeatureError",
    "HookResultError",
    "Indicator",
    "IndicatorBase",
    "Metric",
    "MissingExtraError",
    "MlcoreConfig",
    "MlcoreError",
    "MlcorePluginWarning",
    "Model",
    "MonteCarloResult",
    "ModelBase",
    "PerformanceMetrics",
    "PluginFailure",
    "PluginHost",
    "PluginInfo",
    "PluginLoadError",
    "RegimeDetector",
    "RegimeDetectorBase",
    "RegistrationError",
    "Registry",
    "RetrainState",
    "RetrainTrigger",
    "SentimentAdapter",
    "SentimentAuthError",
    "SentimentCollection",
    "SentimentFeatures",
    "SentimentItem",
    "SentimentSourceError",
    "SourceFailure",
    "SplitError",
    "StreamingFeatureEngine",
    "StreamingIndicator",
    "TradingPipeline",
    "TrainingJob",
    "TriggerDecision",
    "UnknownComponentError",
    "__version__",
    "aggregate_sentiment",
    "collect_sentiment",
    "create_model",
    "data_fingerprint",
    "hookimpl",
    "load_config",
    "load_ohlcv",
    "metric",
    "read_items",
    "score_items",
    "synthetic_ohlcv",
    "train",
    "validate_ohlcv",
    "write_items",
]
