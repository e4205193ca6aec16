"""Regime probabilities as features: ``regime_p_bull``, ``regime_p_bear``, ``regime_p_sideways``.

:class:`RegimeFeatures` builds the detector that the ``regimes`` config section names, fits
it on the training bars only (``fit``) and gives every bar its **filtered** probabilities
(``transform``): row ``t`` uses bars up to ``t``, so appending bars never changes earlier
rows. :class:`~mlcore.features.FeatureEngineeringPipeline` uses it when
``regimes.enabled`` and ``regimes.as_features`` are both true.
"""

from __future__ import annotations

from typing import Any, Final, Self

import numpy as np
import pandas as pd

from mlcore.config import RegimesConfig
from mlcore.errors import ConfigError, FeatureError, UnknownComponentError
from mlcore.regimes import probability_columns
from mlcore.registry import Component, Registry

__all__ = ["REGIME_FEATURE_PREFIX", "RegimeFeatures", "regime_feature_columns"]

#: Regime feature columns are the probability columns with this prefix.
REGIME_FEATURE_PREFIX: Final = "regime_"


def regime_feature_columns(n_regimes: int) -> list[str]:
    """``regime_p_bull``, ``regime_p_bear``, ``regime_p_sideways``, ``regime_p_state3``, ...

    >>> regime_feature_columns(3)
    ['regime_p_bull', 'regime_p_bear', 'regime_p_sideways']
    """
    return [REGIME_FEATURE_PREFIX + column for column in probability_columns(n_regimes)]


class RegimeFeatures:
    """Filtered regime probabilities from the detector named by ``regimes.detector``.

    The name is resolved in ``registry`` (the host's regime detectors) at once, so an
    unknown detector fails here with a :class:`~mlcore.errors.ConfigError` naming
    ``regimes.detector`` and the registered detectors; the detector itself is built (and
    its plugin's heavy imports happen) in :meth:`fit`.
    """

    def __init__(self, config: RegimesConfig, registry: Registry[Any]) -> None:
        self.config = config
        self.component = _resolve(config.detector, registry)

    def fit(self, ohlcv_train: pd.DataFrame) -> Self:
        """Build a fresh detector with ``regimes.params`` and fit it on the training bars."""
        detector = self._build()
        detector.fit(ohlcv_train)
        self.detector_ = detector
        self.columns_ = regime_feature_columns(int(detector.n_regimes))
        return self

    def transform(self, ohlcv: pd.DataFrame) -> pd.DataFrame:
        """The fitted detector's filtered probabilities for every bar, one column per regime."""
        if not hasattr(self, "detector_"):
            raise FeatureError("RegimeFeatures is not fitted: call fit(ohlcv_train) first")
        probabilities = np.asarray(self.detector_.predict_proba(ohlcv), dtype=float)
        expected = (len(ohlcv), len(self.columns_))
        if probabilities.shape != expected:
            raise FeatureError(
                f"regime detector {self.config.detector!r} returned probabilities of shape "
                f"{probabilities.shape} for {len(ohlcv)} bars; expected {expected}"
            )
        return pd.DataFrame(probabilities, index=ohlcv.index, columns=self.columns_)

    def _build(self) -> Any:
        try:
            return self.component.create(**self.config.params)
        except (TypeError, ValueError, ImportError) as error:
            raise ConfigError(
                f"cannot build regime detector {self.config.detector!r} "
                f"({self.component.qualified_name}) with {self.config.params!r}: {error}",
                key_path="regimes.params",
            ) from error


def _resolve(name: str, registry: Registry[Any]) -> Component[Any]:
    try:
        return registry.get(name)
    except UnknownComponentError as error:
        raise ConfigError(
            f"{error}; set it to a registered regime detector, or install the plugin that "
            "provides it (mlcore-hmm registers 'hmm')",
            key_path="regimes.detector",
        ) from None
