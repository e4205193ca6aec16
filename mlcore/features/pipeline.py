"""FeatureEngineeringPipeline: OHLCV bars in, a frame of indicator features out.

>>> pipeline = FeatureEngineeringPipeline()          # the default set, plugins loaded
>>> features = pipeline.generate_features(ohlcv)     # one float64 column per output
>>> chosen = pipeline.select_features(features.loc[train], y.loc[train], n_features=30)

Inside cross-validation use ``fit(ohlcv_train, y_train)`` and ``transform(ohlcv)``: the
preprocessor and the selector are fit on the training rows only, then applied.
"""

from __future__ import annotations

import os
import warnings
from collections.abc import Callable, Mapping
from typing import Any, Self

import joblib
import numpy as np
import pandas as pd

from mlcore.config import (
    FeaturesConfig,
    MlcoreConfig,
    RegimesConfig,
    SentimentConfig,
    config_from_dict,
)
from mlcore.data import validate_ohlcv
from mlcore.errors import ConfigError, FeatureError, MlcorePluginWarning
from mlcore.features.caching import IndicatorRunner
from mlcore.features.failures import FeatureFailure, report_failure
from mlcore.features.preprocessing import FeaturePreprocessor
from mlcore.features.regime_features import RegimeFeatures
from mlcore.features.resolve import ResolvedIndicator, resolve_indicators
from mlcore.features.selection import FeatureSelector
from mlcore.features.timeframes import asof_positions, completed_bars, timeframe_offset
from mlcore.host import PluginHost
from mlcore.sentiment.failures import SourceFailure
from mlcore.sentiment.features import BarSentiment, SentimentItems

__all__ = ["FeatureEngineeringPipeline", "Progress"]

#: ``progress(done, total, label)``: called once before the first indicator (``done=0``)
#: and after each indicator (``label`` names it, ``rsi(period=14)`` or ``rsi(period=14)@1W``).
Progress = Callable[[int, int, str], None]


class FeatureEngineeringPipeline:
    """Builds the feature frame the ``features`` config describes.

    Parameters
    ----------
    config
        The ``features`` section: a :class:`FeaturesConfig`, a mapping in its layout (the
        seed's ``feature_engineering`` keys included), a whole :class:`MlcoreConfig`, or
        None for the defaults (the default indicator set).
    host
        The plugin host whose indicator registry names resolve in; by default
        ``PluginHost.from_config(config).load()`` for an MlcoreConfig, else
        ``PluginHost().load()``.
    memory
        A joblib.Memory, or a directory for one, caching each indicator's result (see
        :mod:`mlcore.features.caching`); default ``config.cache_dir``, else no cache.
    strict
        Raise :class:`FeatureError` when an indicator cannot be imported, built or
        computed, instead of warning and skipping it.
    progress
        ``progress(done, total, label)`` called as indicators complete (for progress bars).
    sentiment
        The ``sentiment`` section; default the MlcoreConfig's when ``config`` is one. When
        ``enabled``, the features end with the sentiment columns of
        :mod:`mlcore.sentiment` (``sentiment_score``, ...), aligned point-in-time.
    sentiment_items
        Items to build them from (an item frame, SentimentItems or an item file); default
        ``sentiment.items_path``, else the items are collected from ``sentiment.sources``
        through ``host`` for each call's bars.
    regimes
        The ``regimes`` section; default the MlcoreConfig's when ``config`` is one. When
        ``enabled`` and ``as_features``, :meth:`fit` fits the detector ``regimes.detector``
        on the training bars only and :meth:`fit`/:meth:`transform` add its **filtered**
        probabilities (``regime_p_bull``, ``regime_p_bear``, ...; see
        :mod:`mlcore.features.regime_features`) before preprocessing and selection.
        ``generate_features`` has no training window and leaves them out.

    The indicators are resolved here, so an unknown name or a bad parameter fails at once
    (``UnknownComponentError`` / ``ConfigError`` naming the config key).
    """

    def __init__(
        self,
        config: FeaturesConfig | MlcoreConfig | Mapping[str, Any] | None = None,
        *,
        host: PluginHost | None = None,
        memory: str | os.PathLike[str] | joblib.Memory | None = None,
        strict: bool = False,
        progress: Progress | None = None,
        sentiment: SentimentConfig | None = None,
        sentiment_items: SentimentItems | None = None,
        regimes: RegimesConfig | None = None,
    ) -> None:
        self.config = _features_config(config)
        self.host = host if host is not None else _default_host(config)
        self.memory = memory
        self.strict = strict
        self.progress = progress
        self.sentiment = sentiment if sentiment is not None else _sentiment_config(config)
        self.sentiment_items = sentiment_items
        self._sentiment = (
            BarSentiment.build(self.sentiment, self.host, sentiment_items)
            if self.sentiment.enabled
            else None
        )
        self.sentiment_failures: list[SourceFailure] = []
        self.regimes = regimes if regimes is not None else _regimes_config(config)
        self._regime_features = (
            RegimeFeatures(self.regimes, self.host.regime_detectors)
            if self.regimes.enabled and self.regimes.as_features
            else None
        )
        self.timeframes = _checked_timeframes(self.config.timeframes)
        resolved, failures = resolve_indicators(self.config, self.host.indicators, strict=strict)
        self.resolved_indicators: list[ResolvedIndicator] = resolved
        self._resolution_failures = failures
        self._compute_failures: list[FeatureFailure] = []
        self._runner = IndicatorRunner(_memory(memory, self.config.cache_dir))
        self._declared = _declared_columns(resolved, self.timeframes)
        self._last_columns: list[str] | None = None

    # -- what it computes ------------------------------------------------------

    @property
    def indicators(self) -> list[Any]:
        """The resolved indicator instances, in column order."""
        return [item.indicator for item in self.resolved_indicators]

    @property
    def feature_names(self) -> list[str]:
        """The columns ``generate_features`` gives: after a call, exactly its columns (an
        indicator that failed is missing); before, every declared output."""
        if self._last_columns is not None:
            return list(self._last_columns)
        sentiment = self._sentiment.columns if self._sentiment is not None else []
        return [column for columns in self._declared for column in columns] + sentiment

    @property
    def failures(self) -> list[FeatureFailure]:
        """Indicators skipped while resolving the config, or in the latest computation."""
        return [*self._resolution_failures, *self._compute_failures]

    # -- generating ------------------------------------------------------------

    def generate_features(self, ohlcv: pd.DataFrame) -> pd.DataFrame:
        """Every feature for every row of ``ohlcv``: float64, on the validated index.

        The input must satisfy the OHLCV contract (``validate_ohlcv(policy="raise")``);
        columns follow the resolved indicators' order, then each timeframe's.

        Raises
        ------
        DataValidationError
            ``ohlcv`` breaks the OHLCV contract (the message names the rows and the rule).
        FeatureError
            With ``strict``, an indicator failed.
        """
        frame = validate_ohlcv(ohlcv, policy="raise")
        self._compute_failures = []
        self._runner.new_frame()
        width = sum(len(columns) for columns in self._declared)
        # every block is written below (or dropped); F order: contiguous columns, no copy
        matrix = np.empty((len(frame), width), order="F")
        ok = np.ones(width, dtype=bool)
        total = len(self.resolved_indicators) * (1 + len(self.timeframes))
        self._report(0, total, "")
        labels = self.progress is not None
        done = 0
        start = 0
        for item in self.resolved_indicators:
            stop = start + len(item.indicator.outputs)
            ok[start:stop] = self._fill(matrix[:, start:stop], item, frame, None, None)
            start, done = stop, done + 1
            self._report(done, total, item.label if labels else "")
        for timeframe in self.timeframes:
            bars = completed_bars(frame, timeframe)
            positions = asof_positions(bars.index, frame.index)
            for item in self.resolved_indicators:
                stop = start + len(item.indicator.outputs)
                block = matrix[:, start:stop]
                ok[start:stop] = self._fill(block, item, bars, timeframe, positions)
                start, done = stop, done + 1
                self._report(done, total, f"{item.label}@{timeframe}" if labels else "")
        columns = [column for columns in self._declared for column in columns]
        kept = [column for column, good in zip(columns, ok, strict=True) if good]
        values = matrix if ok.all() else matrix[:, ok]
        features = pd.DataFrame(values, index=frame.index, columns=kept, copy=False)
        if self._sentiment is not None:
            features = self._with_sentiment(features, self._sentiment)
        self._last_columns = list(features.columns)
        return features

    def _with_sentiment(self, features: pd.DataFrame, sentiment: BarSentiment) -> pd.DataFrame:
        """``features`` followed by the sentiment columns; a failing source is warned about
        and recorded in ``sentiment_failures``, the columns come from the other sources."""
        clash = sorted(set(sentiment.columns) & set(features.columns))
        if clash:
            raise FeatureError(f"an indicator's column(s) {clash[:3]} clash with sentiment's")
        computed = sentiment.features(features.index)
        self.sentiment_failures = list(computed.failures)
        for failure in computed.failures:
            warnings.warn(
                f"sentiment {failure}; the sentiment columns use the other sources",
                MlcorePluginWarning,
                stacklevel=3,
            )
        return pd.concat([features, computed.to_frame()], axis=1)

    def _fill(
        self,
        block: np.ndarray,
        item: ResolvedIndicator,
        frame: pd.DataFrame,
        timeframe: str | None,
        positions: np.ndarray | None,
    ) -> bool:
        """Write the indicator's values into ``block``; False (and a failure) when it fails."""
        if positions is not None and len(frame) == 0:
            block[:] = np.nan  # no completed higher bar yet
            return True
        try:
            values = self._runner.run(
                item.indicator, frame, distribution=item.distribution, version=item.version
            )
        except Exception as error:  # an indicator may raise anything; it must not stop the rest
            suffix = f"@{timeframe}" if timeframe else ""
            failure = item.failure("compute", error, suffix=suffix)
            report_failure(failure, strict=self.strict, error=error)
            self._compute_failures.append(failure)
            return False
        if positions is None and isinstance(values, list):
            for column, array in enumerate(values):  # the block's columns are contiguous
                block[:, column] = array
        elif positions is None:
            block[:] = values
        else:
            matrix = np.column_stack(values) if isinstance(values, list) else values
            seen = positions >= 0
            block[~seen] = np.nan
            block[seen] = matrix[positions[seen]]
        return True

    def _report(self, done: int, total: int, label: str) -> None:
        if self.progress is not None:
            self.progress(done, total, label)

    # -- selection -------------------------------------------------------------

    def select_features(
        self,
        features: pd.DataFrame,
        target: Any,
        method: str = "mutual_info",
        n_features: int | None = 30,
        threshold: float | None = None,
    ) -> pd.DataFrame:
        """The columns of ``features`` a :class:`FeatureSelector` chooses on these rows.

        Pass the training rows only (and their targets): the selector is fit on every row
        given, so test rows here would leak their targets into the choice.
        """
        selector = FeatureSelector(method=method, n_features=n_features, threshold=threshold)
        return selector.fit(features, target).transform(features)

    # -- scikit-learn style, for cross-validation ------------------------------

    def fit(self, ohlcv_train: pd.DataFrame, y: Any = None) -> Self:
        """Build features on the training bars, fit the preprocessor and the selector on them.

        ``y`` holds the training rows' targets (a Series on their index, or one value per
        row); it is needed by the ``mutual_info`` and ``anova_f`` selection methods.
        """
        features = self.generate_features(ohlcv_train)
        if self._regime_features is not None:
            self.regime_detector_ = self._regime_features.fit(ohlcv_train).detector_
            features = self._regime_features.add_to(features, ohlcv_train)
        preprocessor = FeaturePreprocessor.from_config(self.config.preprocessing)
        processed = preprocessor.fit(features).transform(features)
        target = _target_on(features.index, y)
        selector = FeatureSelector.from_config(self.config.feature_selection)
        selector.fit(processed, None if target is None else target.reindex(processed.index))
        self.feature_names_in_ = list(features.columns)
        self.preprocessor_ = preprocessor
        self.selector_ = selector
        self.selected_features_ = list(selector.selected_)
        return self

    def transform(self, ohlcv: pd.DataFrame) -> pd.DataFrame:
        """Features of ``ohlcv`` through the fitted preprocessor and selector."""
        if not hasattr(self, "selector_"):
            raise FeatureError("FeatureEngineeringPipeline is not fitted: call fit(ohlcv_train)")
        features = self.generate_features(ohlcv)
        if self._regime_features is not None:
            features = self._regime_features.add_to(features, ohlcv)
        missing = [c for c in self.feature_names_in_ if c not in features.columns]
        if missing:
            raise FeatureError(
                f"the feature column(s) {missing[:5]} were built in fit but not now (see "
                "pipeline.failures); the fitted preprocessor needs every one of them"
            )
        processed = self.preprocessor_.transform(features[self.feature_names_in_])
        return self.selector_.transform(processed)

    def fit_transform(self, ohlcv_train: pd.DataFrame, y: Any = None) -> pd.DataFrame:
        return self.fit(ohlcv_train, y).transform(ohlcv_train)

    def get_feature_names_out(self, input_features: Any = None) -> np.ndarray:
        """The columns ``transform`` returns."""
        return np.asarray(self.selected_features_, dtype=object)

    def get_params(self, deep: bool = False) -> dict[str, Any]:
        """Constructor parameters (scikit-learn's convention)."""
        return {
            "config": self.config,
            "host": self.host,
            "memory": self.memory,
            "strict": self.strict,
            "progress": self.progress,
            "sentiment": self.sentiment,
            "sentiment_items": self.sentiment_items,
            "regimes": self.regimes,
        }

    def __sklearn_clone__(self) -> FeatureEngineeringPipeline:
        """An unfitted copy sharing the host (``sklearn.base.clone`` calls this)."""
        return type(self)(**self.get_params())

    def __repr__(self) -> str:
        shown = len(self.resolved_indicators)
        return (
            f"FeatureEngineeringPipeline({shown} indicators, {len(self.feature_names)} "
            f"features, timeframes={list(self.timeframes)})"
        )


def _features_config(
    config: FeaturesConfig | MlcoreConfig | Mapping[str, Any] | None,
) -> FeaturesConfig:
    if config is None:
        return FeaturesConfig()
    if isinstance(config, FeaturesConfig):
        return config
    if isinstance(config, MlcoreConfig):
        return config.features
    if isinstance(config, Mapping):
        return config_from_dict({"features": dict(config)}).features
    raise TypeError(
        "config must be a FeaturesConfig, an MlcoreConfig, a mapping of the features "
        f"section or None, got {type(config).__name__}"
    )


def _sentiment_config(config: object) -> SentimentConfig:
    return config.sentiment if isinstance(config, MlcoreConfig) else SentimentConfig()


def _regimes_config(config: object) -> RegimesConfig:
    return config.regimes if isinstance(config, MlcoreConfig) else RegimesConfig()


def _default_host(config: object) -> PluginHost:
    if isinstance(config, MlcoreConfig):
        return PluginHost.from_config(config).load()
    return PluginHost().load()


def _memory(
    memory: str | os.PathLike[str] | joblib.Memory | None, cache_dir: str | None
) -> joblib.Memory | None:
    if isinstance(memory, joblib.Memory):
        return memory
    location = memory if memory is not None else cache_dir
    if location is None:
        return None
    return joblib.Memory(os.fspath(location), verbose=0)


def _checked_timeframes(timeframes: list[str]) -> tuple[str, ...]:
    seen: dict[str, int] = {}
    for index, timeframe in enumerate(timeframes):
        path = f"features.timeframes[{index}]"
        try:
            timeframe_offset(timeframe)
        except ValueError as error:
            raise ConfigError(str(error), key_path=path) from None
        if timeframe in seen:
            raise ConfigError(
                f"{timeframe!r} is listed twice (also at [{seen[timeframe]}]); keep one",
                key_path=path,
            )
        seen[timeframe] = index
    return tuple(timeframes)


def _declared_columns(
    resolved: list[ResolvedIndicator], timeframes: tuple[str, ...]
) -> list[list[str]]:
    base = [[str(c) for c in item.indicator.outputs] for item in resolved]
    higher = [[f"{c}_{tf}" for c in columns] for tf in timeframes for columns in base]
    declared = base + higher
    owners: dict[str, int] = {}
    for position, columns in enumerate(declared):
        for column in columns:
            if column in owners:
                raise FeatureError(
                    f"feature column {column!r} would be built twice (a timeframe suffix "
                    "collides with another indicator's column); rename or drop one"
                )
            owners[column] = position
    return declared


def _target_on(index: pd.Index, y: Any) -> pd.Series | None:
    if y is None or isinstance(y, pd.Series):
        return y
    if isinstance(y, pd.DataFrame):
        if y.shape[1] != 1:
            raise FeatureError(f"y must be one column of targets, got {y.shape[1]} columns")
        return y.iloc[:, 0]
    array = np.asarray(y)
    if array.ndim != 1 or len(array) != len(index):
        raise FeatureError(
            f"y has shape {array.shape}; it needs one value per training bar ({len(index)}), "
            "or be a Series on the bars' index"
        )
    return pd.Series(array, index=index)
