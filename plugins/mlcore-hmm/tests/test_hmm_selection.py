"""Choosing the number of states: BIC over a grid, and an Optuna search.

BIC is consistent when the data is a Gaussian HMM, so these markets switch off the
generator's volatility clustering (``volatility_clustering=False``): each regime's returns
are then i.i.d. normal and the true number of states is the number of regimes.
"""

from __future__ import annotations

import sys

import numpy as np
import pandas as pd
import pytest
from mlcore.data import synthetic_ohlcv
from mlcore.errors import MissingExtraError
from scipy.stats import multivariate_normal

from mlcore_hmm.detector import HMMRegimeDetector, hmm_parameter_count


def _market(seed: int, regimes=("bull", "bear", "sideways"), n: int = 1500):
    return synthetic_ohlcv(
        n=n, seed=seed, separation=10, regimes=regimes, volatility_clustering=False
    ).ohlcv


@pytest.mark.parametrize(
    ("regimes", "seed"),
    [
        (("bull", "bear", "sideways"), 0),
        (("bull", "bear", "sideways"), 1),
        (("bull", "bear", "sideways"), 2),
        (("bull", "bear"), 0),
        (("bull", "bear"), 1),
    ],
)
def test_bic_selects_the_true_number_of_states(regimes, seed):
    result = HMMRegimeDetector(random_state=0).optimize_hyperparameters(_market(seed, regimes))
    assert result["n_components"] == len(regimes)
    table = result["candidates"]
    # 2..6 states x (full, tied): with one feature full, diag and spherical are one model.
    assert sorted(set(table["covariance_type"])) == ["full", "tied"]
    assert sorted(set(table["n_components"])) == [2, 3, 4, 5, 6]
    assert result["bic"] == table["bic"].min() == table["bic"].iloc[0]
    row = table.iloc[0]
    assert row["n_parameters"] == hmm_parameter_count(len(regimes), 1, row["covariance_type"])
    penalty = row["n_parameters"] * np.log(1500)
    assert row["bic"] == pytest.approx(-2 * row["log_likelihood"] + penalty)


def test_each_candidate_keeps_the_best_of_its_restarts():
    bars = _market(0).iloc[:800]
    result = HMMRegimeDetector(random_state=0).optimize_hyperparameters(
        bars, n_components=[5], covariance_types=["full"], n_restarts=4
    )
    # Restart seeds are drawn in sequence from random_state, so n restarts run the first
    # n - 1 restarts' EM and one more: the kept likelihood can only grow.
    fits = [
        HMMRegimeDetector(n_components=5, n_restarts=n, random_state=0).fit(bars)
        for n in (1, 2, 3, 4)
    ]
    likelihoods = [fit.log_likelihood_ for fit in fits]
    assert likelihoods == sorted(likelihoods)
    assert result["candidates"]["log_likelihood"].iloc[0] == pytest.approx(likelihoods[-1])


def test_two_features_try_every_covariance_type():
    bars = _market(3).iloc[:600]
    returns = np.log(bars["close"]).diff().fillna(0.0)
    features = pd.DataFrame({"log_return": returns, "volume": bars["volume"]})
    result = HMMRegimeDetector(random_state=0).optimize_hyperparameters(
        features, n_components=[2, 3], n_restarts=1
    )
    table = result["candidates"]
    assert sorted(set(table["covariance_type"])) == ["diag", "full", "spherical", "tied"]
    for _, row in table.iterrows():
        assert row["n_parameters"] == hmm_parameter_count(
            row["n_components"], 2, row["covariance_type"]
        )


def test_bad_search_arguments_name_the_fix():
    bars = _market(0).iloc[:300]
    detector = HMMRegimeDetector()
    with pytest.raises(ValueError, match="method must be one of bic, optuna"):
        detector.optimize_hyperparameters(bars, method="grid")
    with pytest.raises(ValueError, match="use method='optuna'"):
        detector.optimize_hyperparameters(bars, objective="held_out")
    with pytest.raises(ValueError, match="covariance_types"):
        detector.optimize_hyperparameters(bars, covariance_types=["banded"])


# ------------------------------------------------------------------------------ Optuna


@pytest.fixture(scope="module")
def optuna():
    module = pytest.importorskip("optuna")
    module.logging.set_verbosity(module.logging.WARNING)
    return module


def test_optuna_bic_search_finds_the_true_states_and_is_seeded(optuna):
    bars = _market(1)
    first = HMMRegimeDetector(random_state=3).optimize_hyperparameters(
        bars, method="optuna", n_trials=12, n_restarts=2
    )
    again = HMMRegimeDetector(random_state=3).optimize_hyperparameters(
        bars, method="optuna", n_trials=12, n_restarts=2
    )
    assert first["n_components"] == 3
    assert first["objective"] == "bic"
    assert first["value"] == first["bic"] == first["candidates"]["bic"].min()
    params = [t.params for t in first["study"].trials]
    assert params == [t.params for t in again["study"].trials]
    assert len(params) == 12


def test_optuna_held_out_objective_is_the_predictive_log_likelihood(optuna):
    bars = _market(2, n=1000)
    result = HMMRegimeDetector(random_state=0).optimize_hyperparameters(
        bars,
        method="optuna",
        objective="held_out",
        n_trials=6,
        n_restarts=2,
        n_components=[2, 3],
        covariance_types=["full"],
        validation_fraction=0.25,
    )
    assert result["objective"] == "held_out"
    # Refit the winner on the first 750 bars and score the last 250 independently:
    # log p(z_t | z_<t) = log sum_j P(state_t = j | z_<t) N(z_t; mean_j, cov_j).
    detector = HMMRegimeDetector(
        n_components=result["n_components"], covariance_type="full", n_restarts=2
    ).fit(bars.iloc[:750])
    returns = np.log(bars["close"]).diff().fillna(0.0).to_numpy()[:, None]
    Z = (returns - detector.center_) / detector.scale_
    filtered = detector.predict_proba(bars)
    model = detector.model_
    predictive = 0.0
    for t in range(750, 1000):
        prior = filtered[t - 1] @ detector.transmat_
        density = [
            multivariate_normal(model.means_[j], model.covars_[j]).pdf(Z[t])
            for j in range(detector.n_components)
        ]
        predictive += np.log(prior @ np.array(density))
    assert result["value"] == pytest.approx(predictive / 250, rel=1e-6)


def test_optuna_study_in_sqlite_resumes(optuna, tmp_path):
    bars = _market(0, n=600)
    storage = f"sqlite:///{tmp_path / 'hmm.db'}"
    options = {"method": "optuna", "n_trials": 3, "n_restarts": 1, "n_components": [2, 3]}
    detector = HMMRegimeDetector(random_state=0)
    detector.optimize_hyperparameters(bars, storage=storage, study_name="hmm", **options)
    result = detector.optimize_hyperparameters(bars, storage=storage, study_name="hmm", **options)
    stored = optuna.load_study(study_name="hmm", storage=storage)
    assert len(stored.trials) == 6
    assert result["value"] == pytest.approx(stored.best_value)
    assert result["n_components"] == stored.best_params["n_components"]


def test_optuna_missing_names_the_extra(monkeypatch):
    monkeypatch.setitem(sys.modules, "optuna", None)  # makes `import optuna` fail
    with pytest.raises(MissingExtraError, match=r"pip install 'mlcore\[hpo\]'"):
        HMMRegimeDetector().optimize_hyperparameters(_market(0, n=300), method="optuna")
