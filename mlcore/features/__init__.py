"""Feature engineering: indicator plugins -> a feature frame, selection, preprocessing,
multi-timeframe features, caching, and a streaming engine for live bars.

No value at time ``t`` uses a bar after ``t`` (DESIGN.md section 7): indicators are causal,
higher-timeframe bars are used only once complete, missing values are never filled from
later rows, the preprocessor, the selector and the regime detector are fit on training rows
only, and regime probabilities are filtered.
See docs/features.md.
"""

from mlcore.features.failures import FeatureFailure
from mlcore.features.pipeline import FeatureEngineeringPipeline, Progress
from mlcore.features.preprocessing import FeaturePreprocessor
from mlcore.features.regime_features import (
    RegimeFeatures,
    RegimeFeatureStep,
    regime_feature_columns,
)
from mlcore.features.resolve import DEFAULT_TAG, ResolvedIndicator, resolve_indicators
from mlcore.features.selection import FeatureSelector
from mlcore.features.streaming import StreamingFeatureEngine
from mlcore.features.timeframes import align_asof, completed_bars, higher_timeframe_features

__all__ = [
    "DEFAULT_TAG",
    "FeatureEngineeringPipeline",
    "FeatureFailure",
    "FeaturePreprocessor",
    "FeatureSelector",
    "Progress",
    "RegimeFeatureStep",
    "RegimeFeatures",
    "ResolvedIndicator",
    "StreamingFeatureEngine",
    "align_asof",
    "completed_bars",
    "higher_timeframe_features",
    "regime_feature_columns",
    "resolve_indicators",
]
