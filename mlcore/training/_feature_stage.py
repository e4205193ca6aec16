"""Regime columns, preprocessing and selection: fit on training rows, applied to any rows."""

from __future__ import annotations

from typing import Any

import attrs
import pandas as pd

from mlcore.config import MlcoreConfig
from mlcore.features.preprocessing import FeaturePreprocessor
from mlcore.features.regime_features import RegimeFeatureStep
from mlcore.features.selection import FeatureSelector


@attrs.define(slots=False)
class FeatureStage:
    """The regime columns (optional), the preprocessor, then the selector: fit on training
    rows, applied to any rows.

    ``cross_validate(..., preprocess=FeatureStage(...))`` clones and fits it on each
    fold's training rows; ``regimes`` then fits a regime detector per fold, on the bars of
    that fold's training rows only.
    """

    preprocessor: FeaturePreprocessor = attrs.field(factory=FeaturePreprocessor)
    selector: FeatureSelector = attrs.field(factory=FeatureSelector)
    regimes: RegimeFeatureStep | None = None

    @classmethod
    def from_config(
        cls, config: MlcoreConfig, regimes: RegimeFeatureStep | None = None
    ) -> FeatureStage:
        """The stage ``features.preprocessing`` and ``features.feature_selection`` describe
        (the selector seeded by ``training.seed``), after ``regimes`` when given."""
        return cls(
            preprocessor=FeaturePreprocessor.from_config(config.features.preprocessing),
            selector=FeatureSelector.from_config(
                config.features.feature_selection, random_state=config.training.seed
            ),
            regimes=regimes,
        )

    def get_params(self, deep: bool = False) -> dict[str, Any]:
        return {
            "preprocessor": self.preprocessor,
            "selector": self.selector,
            "regimes": self.regimes,
        }

    def clone(self) -> FeatureStage:
        """An unfitted copy with the same settings."""
        return FeatureStage(
            preprocessor=FeaturePreprocessor(**self.preprocessor.get_params()),
            selector=FeatureSelector(**self.selector.get_params()),
            regimes=None if self.regimes is None else self.regimes.clone(),
        )

    def fit(self, X: pd.DataFrame, y: Any = None) -> FeatureStage:
        if self.regimes is not None:
            X = self.regimes.fit(X).transform(X)
        processed = self.preprocessor.fit(X).transform(X)
        target = y.reindex(processed.index) if isinstance(y, pd.Series) else y
        self.selector.fit(processed, target)
        self.feature_names_in_ = list(X.columns)
        self.selected_ = list(self.selector.selected_)
        return self

    def transform(self, X: pd.DataFrame) -> pd.DataFrame:
        if self.regimes is not None:
            X = self.regimes.transform(X)
        return self.selector.transform(self.preprocessor.transform(X))
