"""HMMRegimeDetector on mlcore's synthetic regime-switching market (true states known)."""

from __future__ import annotations

import numpy as np
import pytest
from hmmlearn.hmm import GaussianHMM
from mlcore.data import synthetic_ohlcv

from mlcore_hmm.detector import HMMRegimeDetector, hmm_parameter_count


@pytest.fixture(scope="module")
def market():
    # separation=20: with the default drifts the regimes differ mostly in volatility.
    return synthetic_ohlcv(n=3000, seed=1, separation=20)


@pytest.fixture(scope="module")
def fitted(market):
    return HMMRegimeDetector(random_state=0).fit(market.ohlcv)


def test_hmm_recovers_true_regimes_with_filtered_probabilities(market, fitted):
    accuracy = (fitted.predict(market.ohlcv) == market.regimes.to_numpy()).mean()
    assert accuracy >= 0.9
    assert fitted.regime_means_[0] > 0 > fitted.regime_means_[1]
    assert abs(fitted.regime_means_[2]) < min(fitted.regime_means_[0], -fitted.regime_means_[1])


def test_hmm_labels_are_stable_across_seeds(market, fitted):
    other = HMMRegimeDetector(random_state=7).fit(market.ohlcv)
    agreement = (other.predict(market.ohlcv) == fitted.predict(market.ohlcv)).mean()
    assert agreement >= 0.99


def test_hmm_filtered_probabilities_are_causal(market, fitted):
    full = fitted.predict_proba(market.ohlcv)
    for t in (10, 500, 2000):
        np.testing.assert_array_equal(
            fitted.predict_proba(market.ohlcv.iloc[: t + 1]), full[: t + 1]
        )
    np.testing.assert_allclose(full.sum(axis=1), 1.0)


def test_hmm_smoothed_probabilities_look_ahead(market, fitted):
    filtered = fitted.predict_proba(market.ohlcv)
    smoothed = fitted.predict_proba(market.ohlcv, smoothed=True)
    assert np.abs(filtered - smoothed).max() > 0.1
    part = fitted.predict_proba(market.ohlcv.iloc[:1000], smoothed=True)
    assert not np.allclose(part, smoothed[:1000])
    # The last row of a filtered pass equals the smoothed last row (nothing is after it).
    np.testing.assert_allclose(filtered[-1], smoothed[-1], atol=1e-8)
    assert set(np.unique(fitted.predict(market.ohlcv, smoothed=True))) <= {0, 1, 2}


def test_hmm_update_streams_the_batch_filter(market, fitted):
    bars = market.ohlcv.iloc[:200]
    batch = fitted.predict_proba(bars)
    fitted.reset()
    streamed = np.array([fitted.update(bars.iloc[[i]]) for i in range(len(bars))])
    np.testing.assert_allclose(streamed, batch, rtol=1e-12, atol=1e-15)
    fitted.reset()


def test_hmm_update_on_feature_rows(market):
    close = market.ohlcv["close"]
    frame = np.log(close).diff().fillna(0.0).to_frame("log_return")
    frame["volume"] = market.ohlcv["volume"]
    detector = HMMRegimeDetector(n_restarts=1).fit(frame.iloc[:1000])
    batch = detector.predict_proba(frame.iloc[:50])
    streamed = np.array([detector.update(frame.iloc[i]) for i in range(50)])
    np.testing.assert_allclose(streamed, batch, rtol=1e-12, atol=1e-15)


def test_hmm_fitted_attributes_match_the_transition_matrix(fitted):
    assert fitted.n_regimes == 3
    np.testing.assert_allclose(fitted.transmat_.sum(axis=1), 1.0)
    np.testing.assert_allclose(fitted.expected_durations_, 1 / (1 - np.diag(fitted.transmat_)))
    assert (fitted.regime_volatility_ > 0).all()


@pytest.mark.parametrize("covariance_type", ["full", "diag", "spherical", "tied"])
def test_hmm_parameter_count_matches_hmmlearn(covariance_type):
    rng = np.random.default_rng(0)
    X = rng.standard_normal((300, 2))
    model = GaussianHMM(3, covariance_type=covariance_type, n_iter=5, random_state=0).fit(X)
    ours = -2 * model.score(X) + hmm_parameter_count(3, 2, covariance_type) * np.log(300)
    assert ours == pytest.approx(model.bic(X))


def test_hmm_optimize_hyperparameters_returns_the_lowest_bic(market):
    detector = HMMRegimeDetector(n_iter=100)
    result = detector.optimize_hyperparameters(
        market.ohlcv.iloc[:1500], n_components=range(2, 4), n_restarts=1
    )
    table = result["candidates"]
    assert len(table) == 4
    assert result["bic"] == table["bic"].min()
    assert detector.n_components == 3  # unchanged


def test_hmm_save_load_roundtrip(tmp_path, market, fitted):
    path = tmp_path / "hmm.joblib"
    fitted.save(path)
    loaded = HMMRegimeDetector.load(path)
    np.testing.assert_array_equal(
        loaded.predict_proba(market.ohlcv), fitted.predict_proba(market.ohlcv)
    )


def test_hmm_rejects_nan_naming_the_column(market):
    frame = market.ohlcv[["close", "volume"]].copy()
    frame.iloc[5, 0] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        HMMRegimeDetector().fit(frame)
