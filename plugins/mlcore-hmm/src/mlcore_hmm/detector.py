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

__all__ = ["HMMRegimeDetector", "hmm_parameter_count"]

COVARIANCE_TYPES = ("full", "diag", "spherical", "tied")
_RETURN_COLUMNS = ("log_return", "log_returns", "returns", "return")


def hmm_parameter_count(n_components: int, n_features: int, covariance_type: str) -> int:
    """Free parameters of a Gaussian HMM with K states and d features.

    ``(K - 1)`` start probabilities + ``K (K - 1)`` transition probabilities + ``K d`` means
    + covariances: ``K d (d + 1) / 2`` full, ``K d`` diag, ``K`` spherical,
    ``d (d + 1) / 2`` tied.
    """
    k, d = n_components, n_features
    covariances = {
        "full": k * d * (d + 1) // 2,
        "diag": k * d,
        "spherical": k,
        "tied": d * (d + 1) // 2,
    }
    if covariance_type not in covariances:
        raise ValueError(
            f"covariance_type must be one of {', '.join(COVARIANCE_TYPES)}, got {covariance_type!r}"
        )
    return (k - 1) + k * (k - 1) + k * d + covariances[covariance_type]


def _is_ohlcv(frame: pd.DataFrame) -> bool:
    return {"close", "volume"} <= set(frame.columns) and "log_return" not in frame.columns


@attrs.define(slots=False)
class HMMRegimeDetector(RegimeDetectorBase):
    """Gaussian HMM regimes: 0 bull, 1 bear, 2 sideways, further states after.

    ``fit`` takes a feature frame (such as ``df[["log_return", "volume"]]``; a column named
    ``volume`` is used as ``log1p(volume)``) or raw OHLCV (``close`` and ``volume``), from
    which it builds the log return (0 on the first bar) and the log volume. Features are
    standardised with the training window's mean and standard deviation. Each fit runs
    ``n_restarts`` random initialisations and keeps the best log-likelihood, then renumbers
    the states canonically by their mean return (:func:`mlcore.regimes.canonical_order`),
    so labels are the same across refits and seeds.
    """

    n_components: int = attrs.field(default=3, validator=attrs.validators.ge(2))
    covariance_type: str = attrs.field(
        default="full", validator=attrs.validators.in_(COVARIANCE_TYPES)
    )
    n_iter: int = attrs.field(default=1000, validator=attrs.validators.ge(1))
    tol: float = attrs.field(default=1e-4, validator=attrs.validators.gt(0))
    n_restarts: int = attrs.field(default=5, validator=attrs.validators.ge(1))
    random_state: int = 0
    n_regimes: int = attrs.field(init=False, default=3)

    def __attrs_post_init__(self) -> None:
        self.n_regimes = self.n_components
        self._alpha: np.ndarray | None = None
        self._last_close: float | None = None

    # ------------------------------------------------------------------ features

    def _raw(self, X: Any, previous_close: float | None = None) -> np.ndarray:
        frame = X if isinstance(X, pd.DataFrame) else pd.DataFrame(np.asarray(X, dtype=float))
        if isinstance(X, pd.DataFrame) and _is_ohlcv(frame):
            close = frame["close"].to_numpy(dtype=float)
            before = np.r_[close[0] if previous_close is None else previous_close, close[:-1]]
            columns = [np.log(close / before), np.log1p(frame["volume"].to_numpy(dtype=float))]
            values = np.column_stack(columns)
        else:
            values = frame.to_numpy(dtype=float, copy=True)
            for j, name in enumerate(frame.columns):
                if str(name) == "volume":
                    values[:, j] = np.log1p(values[:, j])
        if values.ndim != 2 or values.shape[0] == 0:
            raise ValueError("features must be a non-empty 2-D frame or array")
        bad = ~np.isfinite(values)
        if bad.any():
            row, column = np.argwhere(bad)[0]
            label = frame.index[row] if row < len(frame.index) else row
            raise ValueError(
                f"{type(self).__name__}: feature {frame.columns[column]!r} at {label!r} is "
                "NaN or infinite; drop or repair those rows first"
            )
        return values

    def _standardised(self, X: Any, previous_close: float | None = None) -> np.ndarray:
        raw = self._raw(X, previous_close)
        if raw.shape[1] != self.n_features_in_:
            raise ValueError(
                f"{type(self).__name__} was fit on {self.n_features_in_} features, got "
                f"{raw.shape[1]}"
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
        names = [str(c) for c in frame.columns] if not self.ohlcv_input_ else None
        self.feature_names_in_ = names or ["log_return", "log_volume"]
        self.n_features_in_ = raw.shape[1]
        self.center_ = raw.mean(axis=0)
        scale = raw.std(axis=0)
        self.scale_ = np.where(scale > 0, scale, 1.0)
        Z = (raw - self.center_) / self.scale_
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
            model = GaussianHMM(
                n_components=self.n_components,
                covariance_type=self.covariance_type,
                n_iter=self.n_iter,
                tol=self.tol,
                random_state=int(seed),
                min_covar=1e-3,
            )
            model.fit(Z)
            score = float(model.score(Z))
            if np.isfinite(score) and (best is None or score > best[1]):
                best = (model, score)
        if best is None:
            raise RuntimeError(f"{type(self).__name__}: every restart gave a non-finite fit")
        return best

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
        self.regime_means_ = model.means_[:, r] * self.scale_[r] + self.center_[r]
        variances = np.asarray(model.covars_)[:, r, r] * self.scale_[r] ** 2
        self.regime_volatility_ = np.sqrt(variances)
        self.expected_durations_ = expected_durations(self.transmat_)

    # ------------------------------------------------------------------ inference

    def _log_emissions(self, Z: np.ndarray) -> np.ndarray:
        result: np.ndarray = self.model_._compute_log_likelihood(Z)
        return result

    def _check_fitted(self) -> None:
        if not hasattr(self, "model_"):
            raise ValueError(f"{type(self).__name__} is not fitted; call fit first")

    def _forward(self, log_b: np.ndarray, alpha: np.ndarray | None) -> np.ndarray:
        """Scaled forward recursion: row t is P(state_t | rows <= t)."""
        transmat = self.transmat_
        emissions = np.exp(log_b - log_b.max(axis=1, keepdims=True))
        out: np.ndarray = np.empty_like(emissions)
        for t in range(emissions.shape[0]):
            prior = self.startprob_ if alpha is None else alpha @ transmat
            joint = prior * emissions[t]
            total = joint.sum()
            # All states impossible at this float precision: fall back on the prior.
            alpha = joint / total if total > 0 else prior / prior.sum()
            out[t] = alpha
        return out

    def predict_proba(self, X: Any, smoothed: bool = False) -> np.ndarray:
        """Regime probabilities, one row per bar and one column per regime.

        By default filtered: row ``t`` is P(regime at t | bars up to t), the forward pass
        only, safe for backtests and live use. ``smoothed=True`` returns hmmlearn's
        forward-backward posteriors, which **look ahead** (row t uses every later bar):
        offline analysis only.
        """
        self._check_fitted()
        Z = self._standardised(X)
        if smoothed:
            result: np.ndarray = self.model_.predict_proba(Z)
            return result
        return self._forward(self._log_emissions(Z), None)

    def predict(self, X: Any, smoothed: bool = False) -> np.ndarray:
        """Regime labels: the arg-max of the filtered probabilities by default.

        ``smoothed=True`` returns the Viterbi path, which **looks ahead**: offline only.
        """
        if smoothed:
            self._check_fitted()
            path: np.ndarray = self.model_.decode(self._standardised(X), algorithm="viterbi")[1]
            return path
        labels: np.ndarray = self.predict_proba(X).argmax(axis=1)
        return labels

    def reset(self) -> None:
        """Forget the streaming state: the next :meth:`update` starts from ``startprob_``."""
        self._alpha = None
        self._last_close = None

    def update(self, x: Any) -> np.ndarray:
        """Filter one new bar in O(K^2) from the previous state; returns its probabilities.

        ``x`` is one row like those given to :meth:`fit` (a Series, a mapping, a 1-row frame
        or a 1-D array). Feeding the bars of ``X`` one by one after :meth:`reset` gives
        ``predict_proba(X)``.
        """
        self._check_fitted()
        if isinstance(x, pd.DataFrame):
            row = x
        elif isinstance(x, pd.Series | Mapping):
            row = pd.DataFrame([dict(x)])
        else:
            row = pd.DataFrame(np.asarray(x, dtype=float).reshape(1, -1))
        if self.ohlcv_input_:
            z = self._standardised(row, previous_close=self._last_close)
            self._last_close = float(row["close"].iloc[-1])
        else:
            if not isinstance(x, pd.DataFrame | pd.Series | Mapping):
                row.columns = pd.Index(self.feature_names_in_)
            z = self._standardised(row[self.feature_names_in_])
        probabilities = self._forward(self._log_emissions(z), self._alpha)
        self._alpha = probabilities[-1]
        latest: np.ndarray = np.array(probabilities[-1], dtype=float)
        return latest

    # ------------------------------------------------------------------ selection

    def bic(self, X: Any) -> float:
        """``-2 log L + p ln(n)`` with ``p`` from :func:`hmm_parameter_count`."""
        self._check_fitted()
        Z = self._standardised(X)
        p = hmm_parameter_count(self.n_components, Z.shape[1], self.covariance_type)
        return float(-2.0 * self.model_.score(Z) + p * math.log(Z.shape[0]))

    def optimize_hyperparameters(
        self,
        features: Any,
        n_components: Iterable[int] = range(2, 7),
        covariance_types: Iterable[str] = ("full", "diag"),
        n_restarts: int = 3,
    ) -> dict[str, Any]:
        """Choose the number of states and covariance type by the lowest BIC.

        Each candidate is fit with ``n_restarts`` random restarts (best log-likelihood).
        Returns ``{"n_components", "covariance_type", "bic", "candidates"}``, the last a
        frame with one row per candidate (log-likelihood, parameter count, BIC). The
        detector's own hyperparameters are not changed; pass the result to ``fit``.
        """
        rows: list[dict[str, Any]] = []
        for covariance_type in covariance_types:
            for k in n_components:
                candidate = attrs.evolve(
                    self, n_components=k, covariance_type=covariance_type, n_restarts=n_restarts
                ).fit(features)
                Z = candidate._standardised(features)
                rows.append(
                    {
                        "n_components": k,
                        "covariance_type": covariance_type,
                        "log_likelihood": float(candidate.model_.score(Z)),
                        "n_parameters": hmm_parameter_count(k, Z.shape[1], covariance_type),
                        "bic": candidate.bic(features),
                    }
                )
        table = pd.DataFrame(rows).sort_values("bic", kind="stable").reset_index(drop=True)
        best = table.iloc[0]
        return {
            "n_components": int(best["n_components"]),
            "covariance_type": str(best["covariance_type"]),
            "bic": float(best["bic"]),
            "candidates": table,
        }
