"""The compiled forward recursion against the numpy loop it replaced and a log-space pass."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.special import logsumexp

from mlcore_hmm.filtering import forward


def numpy_forward(log_emissions, transmat, startprob, previous=None):
    """The pure-numpy scaled recursion the compiled one replaced (its reference)."""
    emissions = np.exp(log_emissions - log_emissions.max(axis=1, keepdims=True))
    out = np.empty_like(emissions)
    alpha = previous
    for t in range(emissions.shape[0]):
        prior = startprob if alpha is None else alpha @ transmat
        joint = prior * emissions[t]
        total = joint.sum()
        alpha = joint / total if total > 0 else prior / prior.sum()
        out[t] = alpha
    return out


def log_space_forward(log_emissions, transmat, startprob):
    """The forward recursion carried in log space throughout, normalised per row."""
    with np.errstate(divide="ignore"):
        log_transmat = np.log(transmat)
        log_alpha = np.log(startprob) + log_emissions[0]
    rows = []
    for t in range(log_emissions.shape[0]):
        if t > 0:
            log_alpha = logsumexp(log_alpha[:, None] + log_transmat, axis=0) + log_emissions[t]
        log_alpha = log_alpha - logsumexp(log_alpha)
        rows.append(np.exp(log_alpha))
    return np.array(rows)


def random_model(rng, n, k, spread):
    transmat = rng.dirichlet(np.full(k, 0.5), size=k) + np.eye(k) * 2.0
    transmat /= transmat.sum(axis=1, keepdims=True)
    startprob = rng.dirichlet(np.ones(k))
    log_emissions = -spread * rng.random((n, k)) ** 2
    return log_emissions, transmat, startprob


@settings(max_examples=40, deadline=None)
@given(
    seed=st.integers(0, 2**32 - 1),
    n=st.integers(1, 300),
    k=st.integers(2, 6),
    spread=st.sampled_from([1.0, 50.0, 2_000.0]),
)
def test_compiled_forward_equals_the_numpy_loop_and_log_space(seed, n, k, spread):
    log_emissions, transmat, startprob = random_model(np.random.default_rng(seed), n, k, spread)
    compiled = forward(log_emissions, transmat, startprob)
    np.testing.assert_allclose(
        compiled, numpy_forward(log_emissions, transmat, startprob), rtol=0, atol=1e-12
    )
    np.testing.assert_allclose(
        compiled, log_space_forward(log_emissions, transmat, startprob), rtol=0, atol=1e-12
    )


def test_compiled_forward_continues_from_a_previous_row():
    log_emissions, transmat, startprob = random_model(np.random.default_rng(7), 400, 3, 30.0)
    whole = forward(log_emissions, transmat, startprob)
    second_half = forward(log_emissions[200:], transmat, startprob, previous=whole[199])
    np.testing.assert_array_equal(second_half, whole[200:])
    reference = numpy_forward(log_emissions[200:], transmat, startprob, previous=whole[199])
    np.testing.assert_allclose(second_half, reference, rtol=0, atol=1e-12)


def test_forward_takes_non_contiguous_inputs():
    log_emissions, transmat, startprob = random_model(np.random.default_rng(3), 50, 3, 5.0)
    strided = forward(np.asfortranarray(log_emissions), np.asfortranarray(transmat), startprob)
    np.testing.assert_array_equal(strided, forward(log_emissions, transmat, startprob))


def test_a_bar_that_underflows_every_scaled_state_is_filtered_in_log_space():
    # State 2 cannot follow states 0 or 1, and the bar fits state 2 by e^800 over the others:
    # prior * exp(log emission - peak) is 0 in every state, so the row is done in log space.
    transmat = np.array([[0.5, 0.5, 0.0], [0.5, 0.5, 0.0], [0.0, 0.0, 1.0]])
    startprob = np.array([0.5, 0.5, 0.0])
    log_emissions = np.array([[0.0, 0.0, 0.0], [-800.0, -805.0, 0.0], [0.0, -1.0, 0.0]])
    compiled = forward(log_emissions, transmat, startprob)
    expected = log_space_forward(log_emissions, transmat, startprob)
    np.testing.assert_allclose(compiled, expected, rtol=0, atol=1e-12)
    # Bayes' rule on the two reachable states: odds e^5 for state 0 over state 1.
    assert compiled[1, 0] / compiled[1, 1] == pytest.approx(np.exp(5.0), rel=1e-12)
    assert np.isfinite(compiled).all()
