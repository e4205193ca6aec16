"""``HMMRegimeDetector``: a Gaussian HMM (hmmlearn) with filtered, causal probabilities.

``predict_proba`` and ``predict`` run the forward recursion only, so row ``t`` uses rows up
to ``t``: a backtest or a live system cannot leak. ``smoothed=True`` gives hmmlearn's
forward-backward (and Viterbi for ``predict``), which look ahead; use it offline only.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from typing import Any

import attrs
import numpy as np
import pandas as pd
from hmmlearn.hmm import GaussianHMM
from mlcore import RegimeDetectorBase
from mlcore.regimes import canonical_order, expected_durations
from sklearn.cluster import KMeans
from threadpoolctl import threadpool_limits

from mlcore_hmm.filtering import GaussianEmissions, forward
from mlcore_hmm.selection import COVARIANCE_TYPES, hmm_parameter_count, select_model

__all__ = ["HMMRegimeDetector", "hmm_parameter_count"]

_RETURN_COLUMNS = ("log_return", "log_returns", "returns", "return")
_MIN_COVAR = 1e-3
#: EM starts from states that persist (P(stay) = 0.95): regimes last many bars, and a
#: sticky start keeps EM away from optima that flip state every bar.
_INITIAL_STAY = 0.95
#: K-means picks the initial means on at most this many rows (a random subset per restart).
_KMEANS_ROWS = 10_000


def _is_ohlcv(frame: pd.DataFrame) -> bool:
    return {"close", "volume"} <= set(frame.columns) and "log_return" not in frame.columns


def _log_volume(values: np.ndarray, names: list[str]) -> np.ndarray:
    """``values`` with a column named ``volume`` replaced by ``log1p(volume)``."""
    for j, name in enumerate(names):
        if name == "volume":
            values[:, j] = np.log1p(values[:, j])
    return values


def _checked(values: np.ndarray, names: list[str], index: Any, owner: object) -> np.ndarray:
    bad = ~np.isfinite(values)
    if bad.any():
        row, column = np.argwhere(bad)[0]
        name = names[min(int(column), len(names) - 1)]
        where = index[row] if row < len(index) else row
        raise ValueError(
            f"{type(owner).__name__}: feature {name!r} at {where!r} is NaN or infinite (or "
            "gives a non-finite log); drop or repair those rows first"
        )
    return values


def _score(model: GaussianHMM, Z: np.ndarray) -> float:
    """Log-likelihood by the model's recursion, or in log space where the scaled one
    underflows."""
    try:
        return float(model.score(Z))
    except ValueError:
        model.implementation = "log"
        return float(model.score(Z))


def _sticky_transitions(k: int) -> np.ndarray:
    leave = (1.0 - _INITIAL_STAY) / (k - 1)
    return np.full((k, k), leave) + np.eye(k) * (_INITIAL_STAY - leave)


@attrs.define(slots=False)
class HMMRegimeDetector(RegimeDetectorBase):
    """Gaussian HMM regimes: 0 bull, 1 bear, 2 sideways, further states after.

    ``fit`` takes a feature frame (such as ``df[["log_return", "volume"]]``; a column named
    ``volume`` is used as ``log1p(volume)``) or raw OHLCV (``close`` and ``volume``), from
    which it builds the close-to-close log return (0 on the first bar) and, with
    ``use_volume=True``, the log volume. Features are standardised with the training
    window's mean and standard deviation.

    Each fit runs ``n_restarts`` EM runs from sticky transitions and k-means means (seeded
    from ``random_state``) and keeps the best log-likelihood; EM stops when the
    log-likelihood per bar gains less than ``tol``. The states are then renumbered
    canonically by their mean return (:func:`mlcore.regimes.canonical_order`), so labels
    are the same across refits and seeds.
    """

    n_components: int = attrs.field(default=3, validator=attrs.validators.ge(2))
    covariance_type: str = attrs.field(
        default="full", validator=attrs.validators.in_(COVARIANCE_TYPES)
    )
    n_iter: int = attrs.field(default=1000, validator=attrs.validators.ge(1))
    tol: float = attrs.field(default=1e-4, validator=attrs.validators.gt(0))
    n_restarts: int = attrs.field(default=5, validator=attrs.validators.ge(1))
    random_state: int = 0
    use_volume: bool = False
    n_regimes: int = attrs.field(init=False, default=3)

    def __attrs_post_init__(self) -> None:
        self.n_regimes = self.n_components
        self._alpha: np.ndarray | None = None
        self._last_close: float | None = None

    # ------------------------------------------------------------------ features

    def _raw(self, X: Any, previous_close: float | None = None) -> np.ndarray:
        frame = X if isinstance(X, pd.DataFrame) else pd.DataFrame(np.asarray(X, dtype=float))
        if frame.ndim != 2 or frame.shape[0] == 0:
            raise ValueError("features must be a non-empty 2-D frame or array")
        ohlcv = isinstance(X, pd.DataFrame) and _is_ohlcv(frame)
        fitted_on = getattr(self, "ohlcv_input_", ohlcv)
        if ohlcv != fitted_on:
            given, fitted = ("raw OHLCV bars", "features") if ohlcv else ("features", "OHLCV")
            raise ValueError(
                f"{type(self).__name__} was fit on {fitted} ({', '.join(self.feature_names_in_)})"
                f" but got {given}; pass the same kind of input as to fit"
            )
        if ohlcv:
            close = frame["close"].to_numpy(dtype=float)
            before = np.r_[close[0] if previous_close is None else previous_close, close[:-1]]
            columns = [np.log(close / before)]
            if self.use_volume:
                columns.append(np.log1p(frame["volume"].to_numpy(dtype=float)))
            return _checked(np.column_stack(columns), ["close", "volume"], frame.index, self)
        names = [str(c) for c in frame.columns]
        values = _log_volume(frame.to_numpy(dtype=float, copy=True), names)
        return _checked(values, names, frame.index, self)

    def _raw_row(self, x: Any) -> np.ndarray:
        """One bar for :meth:`update`, without building a frame (the streaming fast path)."""
        if self.ohlcv_input_:
            return self._ohlcv_row(x)
        names = self.feature_names_in_
        if isinstance(x, pd.Series | Mapping):
            values = np.array([[float(x[name]) for name in names]])
        else:
            values = np.asarray(x, dtype=float).reshape(1, -1)
        return _checked(_log_volume(values, names), names, ["the new bar"], self)

    def _ohlcv_row(self, bar: Any) -> np.ndarray:
        if not isinstance(bar, pd.Series | Mapping):
            raise TypeError(
                f"{type(self).__name__} was fit on OHLCV bars: pass each bar as a Series, "
                "a mapping or a 1-row frame with 'close' and 'volume'"
            )
        close = float(bar["close"])
        previous = close if self._last_close is None else self._last_close
        values = [math.log(close / previous) if close > 0 and previous > 0 else math.nan]
        if self.use_volume:
            values.append(math.log1p(float(bar["volume"])))
        row = _checked(np.array([values]), ["close", "volume"], ["the new bar"], self)
        self._last_close = close
        return row

    def _features(self, X: Any) -> np.ndarray:
        return self._standardised(self._raw(X))

    def _standardised(self, raw: np.ndarray) -> np.ndarray:
        if raw.shape[1] != self.n_features_in_:
            raise ValueError(
                f"{type(self).__name__} was fit on {self.n_features_in_} features "
                f"({', '.join(self.feature_names_in_)}), got {raw.shape[1]}"
            )
        result: np.ndarray = (raw - self.center_) / self.scale_
        return result

    # ------------------------------------------------------------------ fitting

    def fit(self, X: Any, **params: Any) -> HMMRegimeDetector:
        """Fit on the training window; ``params`` update hyperparameters first."""
        if params:
            self.set_params(**params)
            self.n_regimes = self.n_components
        frame = X if isinstance(X, pd.DataFrame) else pd.DataFrame(np.asarray(X, dtype=float))
        self.ohlcv_input_ = bool(_is_ohlcv(frame))
        raw = self._raw(X)
        if raw.shape[0] < 2 * self.n_components:
            raise ValueError(
                f"{type(self).__name__} needs at least {2 * self.n_components} rows to fit "
                f"{self.n_components} states, got {raw.shape[0]}"
            )
        if self.ohlcv_input_:
            self.feature_names_in_ = ["log_return", "log_volume"][: raw.shape[1]]
        else:
            self.feature_names_in_ = [str(c) for c in frame.columns]
        self.n_features_in_ = raw.shape[1]
        self.center_ = raw.mean(axis=0)
        scale = raw.std(axis=0)
        self.scale_ = np.where(scale > 0, scale, 1.0)
        Z = (raw - self.center_) / self.scale_
        # The matrices are a few features wide: BLAS threads only add waiting.
        with threadpool_limits(limits=1):
            model, log_likelihood = self._best_model(Z)
        self.return_column_ = next(
            (i for i, n in enumerate(self.feature_names_in_) if n in _RETURN_COLUMNS), 0
        )
        self.model_ = model
        self.log_likelihood_ = log_likelihood
        self.n_samples_fit_ = Z.shape[0]
        self._canonicalise()
        self.reset()
        return self

    def _best_model(self, Z: np.ndarray) -> tuple[GaussianHMM, float]:
        seeds = np.random.RandomState(self.random_state).randint(0, 2**31 - 1, self.n_restarts)
        best: tuple[GaussianHMM, float] | None = None
        for seed in seeds:
            model = self._em(Z, int(seed))
            score = _score(model, Z)
            if np.isfinite(score) and (best is None or score > best[1]):
                best = (model, score)
        if best is None:
            raise RuntimeError(f"{type(self).__name__}: every restart gave a non-finite fit")
        best[0].implementation = "log"  # later scoring must survive outlying bars too
        return best

    def _em(self, Z: np.ndarray, seed: int) -> GaussianHMM:
        """One EM run from a seeded start; the fast scaled recursion, or the log-space one
        when an outlying bar underflows it."""
        try:
            return self._initial_model(Z, seed, "scaling").fit(Z)
        except ValueError:
            return self._initial_model(Z, seed, "log").fit(Z)

    def _initial_model(self, Z: np.ndarray, seed: int, implementation: str) -> GaussianHMM:
        k = self.n_components
        model = GaussianHMM(
            n_components=k,
            covariance_type=self.covariance_type,
            n_iter=self.n_iter,
            tol=self.tol * Z.shape[0],  # hmmlearn's tol is on the total log-likelihood
            random_state=seed,
            min_covar=_MIN_COVAR,
            init_params="c",
            implementation=implementation,
        )
        rng = np.random.RandomState(seed)
        rows = Z
        if Z.shape[0] > _KMEANS_ROWS:
            rows = Z[np.sort(rng.choice(Z.shape[0], _KMEANS_ROWS, replace=False))]
        model.means_ = KMeans(n_clusters=k, n_init=1, random_state=seed).fit(rows).cluster_centers_
        model.startprob_ = np.full(k, 1.0 / k)
        model.transmat_ = _sticky_transitions(k)
        return model

    def _canonicalise(self) -> None:
        model = self.model_
        r = self.return_column_
        means = model.means_[:, r] * self.scale_[r] + self.center_[r]
        order = canonical_order(means)
        model.startprob_ = model.startprob_[order]
        model.transmat_ = model.transmat_[np.ix_(order, order)]
        model.means_ = model.means_[order]
        if self.covariance_type != "tied":
            model._covars_ = model._covars_[order]
        self.transmat_ = model.transmat_.copy()
        self.startprob_ = model.startprob_.copy()
        covariances = np.asarray(model.covars_)
        self.emissions_ = GaussianEmissions.from_moments(model.means_, covariances)
        self.regime_means_ = model.means_[:, r] * self.scale_[r] + self.center_[r]
        self.regime_volatility_ = np.sqrt(covariances[:, r, r]) * self.scale_[r]
        self.expected_durations_ = expected_durations(self.transmat_)

    # ------------------------------------------------------------------ inference

    def _check_fitted(self) -> None:
        if not hasattr(self, "model_"):
            raise ValueError(f"{type(self).__name__} is not fitted; call fit first")

    def _filter(self, Z: np.ndarray, previous: np.ndarray | None) -> np.ndarray:
        log_b = self.emissions_.log_density(Z)
        return forward(log_b, self.transmat_, self.startprob_, previous)

    def predict_proba(self, X: Any, smoothed: bool = False) -> np.ndarray:
        """Regime probabilities, one row per bar and one column per regime.

        By default filtered: row ``t`` is P(regime at t | bars up to t), the forward pass
        only, safe for backtests and live use. ``smoothed=True`` returns hmmlearn's
        forward-backward posteriors, which **look ahead** (row t uses every later bar):
        offline analysis only.
        """
        self._check_fitted()
        Z = self._features(X)
        if smoothed:
            result: np.ndarray = self.model_.predict_proba(Z)
            return result
        return self._filter(Z, None)

    def predict(self, X: Any, smoothed: bool = False) -> np.ndarray:
        """Regime labels: the arg-max of the filtered probabilities by default.

        ``smoothed=True`` returns the Viterbi path, which **looks ahead**: offline only.
        """
        if smoothed:
            self._check_fitted()
            path: np.ndarray = self.model_.decode(self._features(X), algorithm="viterbi")[1]
            return path
        labels: np.ndarray = self.predict_proba(X).argmax(axis=1)
        return labels

    def reset(self) -> None:
        """Forget the streaming state: the next :meth:`update` starts from ``startprob_``."""
        self._alpha = None
        self._last_close = None

    def update(self, x: Any) -> np.ndarray:
        """Filter one new bar in O(K^2) from the previous state; returns its probabilities.

        ``x`` is one row like those given to :meth:`fit`: a Series or a mapping (by column
        name), a 1-D array (in the fitted feature order; feature frames only) or a frame
        (its rows are filtered in turn and the last row's probabilities returned). Feeding
        the bars of ``X`` one by one after :meth:`reset` gives ``predict_proba(X)``.
        """
        self._check_fitted()
        if isinstance(x, pd.DataFrame):
            z = self._standardised(self._raw(x, previous_close=self._last_close))
            if self.ohlcv_input_:
                self._last_close = float(x["close"].iloc[-1])
        else:
            z = self._standardised(self._raw_row(x))
        probabilities = self._filter(z, self._alpha)
        self._alpha = probabilities[-1]
        latest: np.ndarray = np.array(probabilities[-1], dtype=float)
        return latest

    # ------------------------------------------------------------------ selection

    def bic(self, X: Any) -> float:
        """``-2 log L + p ln(n)`` with ``p`` from :func:`hmm_parameter_count`."""
        self._check_fitted()
        Z = self._features(X)
        p = hmm_parameter_count(self.n_components, Z.shape[1], self.covariance_type)
        return float(-2.0 * self.model_.score(Z) + p * np.log(Z.shape[0]))

    def log_likelihood(self, X: Any) -> float:
        """Total log-likelihood of ``X`` (standardised with the training statistics)."""
        self._check_fitted()
        return float(self.model_.score(self._features(X)))

    def optimize_hyperparameters(
        self,
        features: Any,
        method: str = "bic",
        n_components: Iterable[int] = range(2, 7),
        covariance_types: Iterable[str] = COVARIANCE_TYPES,
        n_restarts: int = 3,
        **options: Any,
    ) -> dict[str, Any]:
        """Choose the number of states and the covariance type; see
        :func:`mlcore_hmm.selection.select_model` for ``method`` and ``options``.

        The detector's own hyperparameters are not changed; pass the result to ``fit``.
        """
        return select_model(
            self,
            features,
            method=method,
            n_components=n_components,
            covariance_types=covariance_types,
            n_restarts=n_restarts,
            **options,
        )
