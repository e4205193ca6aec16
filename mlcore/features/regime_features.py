"""Regime probabilities as features: ``regime_p_bull``, ``regime_p_bear``, ``regime_p_sideways``.

:class:`RegimeFeatures` builds the detector that the ``regimes`` config section names, fits
it on the training bars only (``fit``) and gives every bar its **filtered** probabilities
(``transform``): row ``t`` uses bars up to ``t``, so appending bars never changes earlier
rows. :class:`~mlcore.features.FeatureEngineeringPipeline` uses it when
``regimes.enabled`` and ``regimes.as_features`` are both true, and so does ``mlcore
features --fit-bars N``.

:class:`RegimeFeatureStep` adds the same columns to the rows of a feature frame inside
cross-validation: each fold fits its own detector on the bars of its training rows only.
The training job puts it first in its :class:`~mlcore.training.FeatureStage`.
"""

from __future__ import annotations

import copy
import hashlib
import threading
import time
from collections.abc import Callable
from typing import Any, Final, Self

import numpy as np
import pandas as pd

from mlcore.config import RegimesConfig
from mlcore.errors import ConfigError, FeatureError, UnknownComponentError
from mlcore.regimes import probability_columns
from mlcore.registry import Component, Registry

__all__ = [
    "REGIME_FEATURE_PREFIX",
    "RegimeFeatureStep",
    "RegimeFeatures",
    "regime_feature_columns",
]

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

    def add_to(self, features: pd.DataFrame, ohlcv: pd.DataFrame) -> pd.DataFrame:
        """``features`` (computed from ``ohlcv``, row for row) followed by the regime columns."""
        return _joined(features, self.transform(ohlcv).set_axis(features.index))

    def clone(self) -> RegimeFeatures:
        """An unfitted copy: the same detector and settings, no fitted detector."""
        fresh = copy.copy(self)
        for fitted in ("detector_", "columns_"):
            fresh.__dict__.pop(fitted, None)
        return fresh

    def __repr__(self) -> str:
        state = "fitted" if hasattr(self, "detector_") else "unfitted"
        return f"RegimeFeatures({self.config.detector!r}, {self.config.params!r}, {state})"

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
            "provides it (mlcore-hmm registers 'hmm', mlcore-torch 'nn')",
            key_path="regimes.detector",
        ) from None


class RegimeFeatureStep:
    """Regime columns for the rows of a feature frame, fit per cross-validation fold.

    The rows are named by their timestamps in ``bars``, the bars the features were
    computed from. :meth:`fit` fits a fresh copy of ``regimes`` on the bars of the given
    rows only (a fold's training rows) and runs its filter once over all of ``bars``;
    :meth:`transform` returns the rows followed by the filtered probabilities at those
    rows. Row ``t`` uses bars up to ``t``, counted from the first of ``bars``: the numbers
    that ``regimes.add_to`` gives for raw bars starting at the same bar. Give it no bar
    that a fit must not see (the training job passes the bars before its hold-out cut).

    Clones share a cache of fits keyed by the training rows: a fit depends on those rows
    only, so the folds of every tuning trial reuse one fit per fold.
    ``cross_validate(..., preprocess=FeatureStage(..., regimes=step))`` clones and fits
    it with each fold.
    """

    def __init__(self, regimes: RegimeFeatures, bars: pd.DataFrame) -> None:
        self.regimes = regimes
        self.bars = bars
        self._fits = _FitCache()

    def clone(self) -> RegimeFeatureStep:
        """An unfitted copy sharing the bars and the cache of fits."""
        fresh = copy.copy(self)
        for fitted in ("fitted_", "probabilities_"):
            fresh.__dict__.pop(fitted, None)
        return fresh

    @property
    def columns(self) -> list[str]:
        """The regime columns the fitted step adds."""
        return list(self.fitted_.columns_)

    @property
    def fit_seconds(self) -> float:
        """Seconds spent fitting detectors, over this step and its clones."""
        return self._fits.seconds

    def fit(self, X: pd.DataFrame, y: Any = None) -> Self:
        """Fit the detector on the bars of ``X``'s rows (cached per set of rows)."""
        index = _row_index(X)
        missing = index[~index.isin(self.bars.index)]
        if len(missing):
            raise FeatureError(
                f"row {missing[0]} of the features is not among the bars the regime step "
                f"was given ({len(missing)} such rows); build the step with the bars the "
                "features were computed from"
            )
        self.fitted_, self.probabilities_ = self._fits.get(index, self._fit)
        return self

    def _fit(self, index: pd.Index) -> tuple[RegimeFeatures, pd.DataFrame]:
        fitted = self.regimes.clone().fit(self.bars.loc[index])
        return fitted, fitted.transform(self.bars)

    def transform(self, X: pd.DataFrame) -> pd.DataFrame:
        """``X`` followed by the fitted detector's filtered probabilities at its rows."""
        if not hasattr(self, "probabilities_"):
            raise FeatureError("RegimeFeatureStep is not fitted: call fit(X_train) first")
        index = _row_index(X)
        try:
            probabilities = self.probabilities_.loc[index]
        except KeyError:
            outside = index[~index.isin(self.probabilities_.index)]
            raise FeatureError(
                f"row {outside[0]} of the features is not among the bars the regime step "
                f"was given ({len(outside)} such rows)"
            ) from None
        return _joined(X, probabilities)

    def __repr__(self) -> str:
        return f"RegimeFeatureStep({self.regimes!r}, {len(self.bars)} bars)"


_Fit = Callable[[pd.Index], tuple[RegimeFeatures, pd.DataFrame]]


class _FitCache:
    """Fits keyed by the rows they were fit on, shared by a step's clones (and threads)."""

    def __init__(self) -> None:
        self._fits: dict[tuple[int, str], tuple[RegimeFeatures, pd.DataFrame]] = {}
        self._lock = threading.Lock()
        self.seconds = 0.0

    def get(self, index: pd.Index, fit: _Fit) -> tuple[RegimeFeatures, pd.DataFrame]:
        hashes = pd.util.hash_pandas_object(index, index=False).to_numpy()
        digest = hashlib.sha1(hashes.tobytes())
        key = (len(index), digest.hexdigest())
        with self._lock:  # one fit per key, even when tuning trials run in threads
            if key not in self._fits:
                started = time.perf_counter()
                self._fits[key] = fit(index)
                self.seconds += time.perf_counter() - started
            return self._fits[key]


def _row_index(X: Any) -> pd.Index:
    if not isinstance(X, pd.DataFrame):
        raise TypeError(
            "regime features are joined by the rows' timestamps: pass the features as a "
            f"DataFrame on the bars' index, got {type(X).__name__}"
        )
    return X.index


def _joined(features: pd.DataFrame, probabilities: pd.DataFrame) -> pd.DataFrame:
    clash = sorted(set(probabilities.columns) & set(features.columns))
    if clash:
        raise FeatureError(f"the feature column(s) {clash[:3]} clash with the regime columns")
    return pd.concat([features, probabilities.set_axis(features.index)], axis=1)
