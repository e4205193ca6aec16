"""Choosing the number of states and the covariance type of an HMM regime detector.

Two searches over the same candidates (states x covariance types), each candidate fit with
several random restarts keeping the best log-likelihood:

- ``method="bic"``: every candidate, the lowest BIC = ``-2 log L + p ln n`` wins;
- ``method="optuna"``: an Optuna study (seeded TPE sampler, in memory or in a shared
  storage) scoring each trial by ``objective="bic"`` or by ``"held_out"``: the
  log-likelihood per bar of the latest ``validation_fraction`` of the rows, given the
  earlier rows, under a model fit on the earlier rows only.

BIC finds the true number of states when the data is a Gaussian HMM. Returns with
volatility clustering inside regimes (GARCH) are not: there BIC also spends states on
calm and turbulent stretches of one regime, and picks more states than regimes.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any, Final

import attrs
import pandas as pd

if TYPE_CHECKING:
    from mlcore_hmm.detector import HMMRegimeDetector

__all__ = ["COVARIANCE_TYPES", "METHODS", "OBJECTIVES", "hmm_parameter_count", "select_model"]

COVARIANCE_TYPES: Final = ("full", "diag", "spherical", "tied")
METHODS: Final = ("bic", "optuna")
OBJECTIVES: Final = ("bic", "held_out")
#: With one feature these covariance types are the same model.
_ONE_FEATURE_ALIKE: Final = ("full", "diag", "spherical")


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


def select_model(
    detector: HMMRegimeDetector,
    features: Any,
    method: str = "bic",
    n_components: Iterable[int] = range(2, 7),
    covariance_types: Iterable[str] = COVARIANCE_TYPES,
    n_restarts: int = 3,
    *,
    objective: str = "bic",
    n_trials: int = 20,
    validation_fraction: float = 0.3,
    storage: Any = None,
    study_name: str | None = None,
) -> dict[str, Any]:
    """The best number of states and covariance type for ``detector`` on ``features``.

    ``method="bic"`` fits every candidate on all rows and keeps the lowest BIC.
    ``method="optuna"`` runs ``n_trials`` Optuna trials (TPE seeded with the detector's
    ``random_state``; ``storage`` is None for memory, a URL such as ``"sqlite:///hmm.db"``
    or an Optuna storage; ``study_name`` resumes a stored study) scored by ``objective``:
    ``"bic"`` (minimised) or ``"held_out"`` (the held-out log-likelihood per bar,
    maximised; the latest ``validation_fraction`` of the rows are held out). With a single
    feature, ``full``, ``diag`` and ``spherical`` are one model and only the first listed
    is tried.

    Returns ``{"n_components", "covariance_type", "objective", "value", "bic",
    "candidates"}`` (plus ``"study"`` for Optuna): ``candidates`` is a frame with one row
    per candidate fit in this call (log-likelihood, parameter count, BIC, and the held-out
    log-likelihood per bar when it is the objective), best first. A stored Optuna study's
    best trial may come from an earlier run; it is refit here so that its row is present.
    """
    if method not in METHODS:
        raise ValueError(f"method must be one of {', '.join(METHODS)}, got {method!r}")
    if objective not in OBJECTIVES:
        raise ValueError(f"objective must be one of {', '.join(OBJECTIVES)}, got {objective!r}")
    if method == "bic" and objective != "bic":
        raise ValueError("method='bic' scores by BIC; use method='optuna' for objective='held_out'")
    if not 0 < validation_fraction < 1:
        raise ValueError(f"validation_fraction must be in (0, 1), got {validation_fraction!r}")
    states = sorted({int(k) for k in n_components})
    if not states or states[0] < 2:
        raise ValueError(f"n_components must hold state counts >= 2, got {states}")
    scorer = _Scorer(detector, features, n_restarts, objective, validation_fraction)
    types = _distinct_types(list(covariance_types), scorer.n_features)
    extra: dict[str, Any] = {}
    if method == "bic":
        for covariance_type in types:
            for k in states:
                scorer.score(k, covariance_type)
        best: dict[Any, Any] = scorer.table().iloc[0].to_dict()
    else:
        study = _optuna_search(scorer, states, types, n_trials, storage, study_name)
        # A stored study may hold better trials from earlier runs or other workers.
        k, covariance_type = study.best_params["n_components"], study.best_params["covariance_type"]
        scorer.score(int(k), str(covariance_type))
        best = scorer.rows[(int(k), str(covariance_type))]
        extra["study"] = study
    return {
        "n_components": int(best["n_components"]),
        "covariance_type": str(best["covariance_type"]),
        "objective": objective,
        "value": float(best[_COLUMN[objective]]),
        "bic": float(best["bic"]),
        "candidates": scorer.table(),
        **extra,
    }


_COLUMN: Final = {"bic": "bic", "held_out": "held_out_log_likelihood"}


def _distinct_types(types: list[str], n_features: int) -> list[str]:
    unknown = [t for t in types if t not in COVARIANCE_TYPES]
    if unknown or not types:
        raise ValueError(
            f"covariance_types must name some of {', '.join(COVARIANCE_TYPES)}, got {types}"
        )
    distinct: list[str] = []
    for covariance_type in dict.fromkeys(types):
        alike = n_features == 1 and covariance_type in _ONE_FEATURE_ALIKE
        if alike and any(t in _ONE_FEATURE_ALIKE for t in distinct):
            continue
        distinct.append(covariance_type)
    return distinct


class _Scorer:
    """Fits and scores candidates, each once (Optuna may propose one several times)."""

    def __init__(
        self,
        detector: HMMRegimeDetector,
        features: Any,
        n_restarts: int,
        objective: str,
        validation_fraction: float,
    ) -> None:
        self.detector = detector
        self.features = features
        self.n_restarts = n_restarts
        self.objective = objective
        rows = len(features)
        self.n_fit = rows if objective == "bic" else rows - math.ceil(validation_fraction * rows)
        if self.n_fit < 1:  # validation_fraction < 1 always holds out at least one row
            raise ValueError(
                f"{rows} rows leave none to fit on after holding out {validation_fraction:.0%}; "
                "pass more rows or a smaller validation_fraction"
            )
        self.n_features = attrs.evolve(detector)._raw(self._fit_rows()).shape[1]
        self.rows: dict[tuple[int, str], dict[str, Any]] = {}

    def _fit_rows(self) -> Any:
        return self.features[: self.n_fit] if self.n_fit < len(self.features) else self.features

    def score(self, k: int, covariance_type: str) -> float:
        key = (k, covariance_type)
        if key not in self.rows:
            self.rows[key] = self._fit(k, covariance_type)
        return float(self.rows[key][_COLUMN[self.objective]])

    def _fit(self, k: int, covariance_type: str) -> dict[str, Any]:
        candidate = attrs.evolve(
            self.detector,
            n_components=k,
            covariance_type=covariance_type,
            n_restarts=self.n_restarts,
        ).fit(self._fit_rows())
        n_parameters = hmm_parameter_count(k, candidate.n_features_in_, covariance_type)
        log_likelihood = candidate.log_likelihood_
        row = {
            "n_components": k,
            "covariance_type": covariance_type,
            "log_likelihood": log_likelihood,
            "n_parameters": n_parameters,
            "bic": -2.0 * log_likelihood + n_parameters * math.log(self.n_fit),
        }
        if self.objective == "held_out":
            # log p(later rows | earlier rows) = log p(all rows) - log p(earlier rows)
            later = len(self.features) - self.n_fit
            gain = candidate.log_likelihood(self.features) - log_likelihood
            row["held_out_log_likelihood"] = gain / later
        return row

    def table(self) -> pd.DataFrame:
        ascending = self.objective == "bic"
        frame = pd.DataFrame(list(self.rows.values()))
        ordered = frame.sort_values(_COLUMN[self.objective], ascending=ascending, kind="stable")
        return ordered.reset_index(drop=True)


def _import_optuna() -> Any:
    try:
        import optuna
    except ImportError:
        from mlcore.errors import MissingExtraError

        raise MissingExtraError(
            "optuna",
            "hpo",
            "HMMRegimeDetector.optimize_hyperparameters(method='optuna') (or install "
            "'mlcore-hmm[optuna]')",
        ) from None
    return optuna


def _optuna_search(
    scorer: _Scorer,
    states: list[int],
    types: list[str],
    n_trials: int,
    storage: Any,
    study_name: str | None,
) -> Any:
    optuna = _import_optuna()
    from mlcore.hpo import open_storage

    study = optuna.create_study(
        storage=open_storage(storage),
        study_name=study_name,
        load_if_exists=study_name is not None,
        direction="minimize" if scorer.objective == "bic" else "maximize",
        sampler=optuna.samplers.TPESampler(seed=scorer.detector.random_state),
    )

    def objective(trial: Any) -> float:
        k = trial.suggest_categorical("n_components", states)
        covariance_type = trial.suggest_categorical("covariance_type", types)
        return scorer.score(int(k), str(covariance_type))

    study.optimize(objective, n_trials=n_trials)
    return study
