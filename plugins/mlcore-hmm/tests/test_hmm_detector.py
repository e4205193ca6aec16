"""HMMRegimeDetector on mlcore's synthetic regime-switching market (true states known)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hmmlearn.hmm import GaussianHMM
from mlcore.data import synthetic_ohlcv
from scipy.stats import multivariate_normal

from mlcore_hmm.detector import HMMRegimeDetector, hmm_parameter_count


@pytest.fixture(scope="module")
def market():
    # separation=20: drifts one to two standard deviations apart (see test_hmm_recovery.py).
    return synthetic_ohlcv(n=3000, seed=1, separation=20)


@pytest.fixture(scope="module")
def fitted(market):
    return HMMRegimeDetector(random_state=0).fit(market.ohlcv)


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


def test_hmm_filtered_row_is_the_smoothed_last_row_of_its_prefix(market, fitted):
    # Forward-backward on bars 0..t has nothing after t: its last row is P(state_t | <= t).
    filtered = fitted.predict_proba(market.ohlcv.iloc[:400])
    for t in (0, 1, 57, 250, 399):
        prefix = fitted.predict_proba(market.ohlcv.iloc[: t + 1], smoothed=True)
        np.testing.assert_allclose(filtered[t], prefix[-1], atol=1e-9)


def test_hmm_emission_densities_match_scipy(fitted):
    rng = np.random.default_rng(4)
    Z = rng.standard_normal((50, fitted.n_features_in_)) * 2
    ours = fitted.emissions_.log_density(Z)
    model = fitted.model_
    for k in range(fitted.n_components):
        expected = multivariate_normal(model.means_[k], model.covars_[k]).logpdf(Z)
        np.testing.assert_allclose(ours[:, k], expected, rtol=1e-10)


def test_hmm_update_takes_ohlcv_bars_as_mappings(market, fitted):
    bars = market.ohlcv.iloc[:100]
    batch = fitted.predict_proba(bars)
    fitted.reset()
    as_series = np.array([fitted.update(bars.iloc[i]) for i in range(100)])
    fitted.reset()
    as_dicts = np.array([fitted.update(row) for row in bars.to_dict("records")])
    fitted.reset()
    np.testing.assert_allclose(as_series, batch, rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(as_dicts, batch, rtol=1e-12, atol=1e-15)
    with pytest.raises(TypeError, match="fit on OHLCV bars"):
        fitted.update(bars.iloc[0].to_numpy())


def test_hmm_standardises_with_the_training_window_only(market):
    train = market.ohlcv.iloc[:1000]
    detector = HMMRegimeDetector(n_restarts=1, use_volume=True).fit(train)
    close = train["close"].to_numpy()
    returns = np.r_[0.0, np.log(close[1:] / close[:-1])]
    log_volume = np.log1p(train["volume"].to_numpy())
    assert detector.feature_names_in_ == ["log_return", "log_volume"]
    np.testing.assert_allclose(detector.center_, [returns.mean(), log_volume.mean()])
    np.testing.assert_allclose(detector.scale_, [returns.std(), log_volume.std()])
    assert (HMMRegimeDetector(n_restarts=1).fit(train).feature_names_in_) == ["log_return"]


def test_hmm_refuses_the_other_kind_of_input(market, fitted):
    returns = np.log(market.ohlcv["close"]).diff().fillna(0.0).to_frame("log_return")
    with pytest.raises(ValueError, match=r"fit on OHLCV .* but got features"):
        fitted.predict_proba(returns)
    on_features = HMMRegimeDetector(n_restarts=1).fit(returns.iloc[:500])
    with pytest.raises(ValueError, match="but got raw OHLCV bars"):
        on_features.predict_proba(market.ohlcv)


def test_hmm_fit_survives_bars_far_outside_every_state():
    # Two bars 10,000 sd out: hmmlearn's scaled recursion underflows on them.
    rng = np.random.default_rng(0)
    values = rng.normal(0.0, 1.0, 3000)
    values[1000], values[2000] = 1e4, -1e4
    frame = pd.DataFrame({"returns": values})
    detector = HMMRegimeDetector(n_components=2, n_restarts=2).fit(frame)
    probabilities = detector.predict_proba(frame)
    assert np.isfinite(probabilities).all()
    np.testing.assert_allclose(probabilities.sum(axis=1), 1.0)
    assert np.isfinite(detector.bic(frame))
