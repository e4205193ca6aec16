"""The forward filter: Gaussian emission densities and the scaled forward recursion.

Both run on numpy alone, so that filtering a bar costs microseconds and a fitted detector
needs no BLAS threads: the covariances are tiny (one per state, a few features wide).
"""

from __future__ import annotations

import math

import attrs
import numpy as np

__all__ = ["GaussianEmissions", "forward"]


@attrs.frozen(eq=False)
class GaussianEmissions:
    """Per-state Gaussian log densities: ``log N(z; means[k], covariances[k])``.

    Built once from the fitted means and full covariance matrices; ``log_density(Z)``
    gives one row per observation and one column per state.
    """

    means: np.ndarray
    whitening: np.ndarray  # inverse Cholesky factor of each state's covariance
    log_normaliser: np.ndarray

    @classmethod
    def from_moments(cls, means: np.ndarray, covariances: np.ndarray) -> GaussianEmissions:
        means = np.asarray(means, dtype=float)
        covariances = np.asarray(covariances, dtype=float)
        cholesky = np.linalg.cholesky(covariances)
        whitening = np.linalg.inv(cholesky)
        n_features = means.shape[1]
        log_det = 2.0 * np.log(np.diagonal(cholesky, axis1=1, axis2=2)).sum(axis=1)
        log_normaliser = -0.5 * (n_features * math.log(2.0 * math.pi) + log_det)
        return cls(means, whitening, log_normaliser)

    def log_density(self, Z: np.ndarray) -> np.ndarray:
        deviations = Z[:, None, :] - self.means[None, :, :]
        whitened = np.einsum("kij,nkj->nki", self.whitening, deviations)
        squared = np.einsum("nki,nki->nk", whitened, whitened)
        result: np.ndarray = self.log_normaliser - 0.5 * squared
        return result


def forward(
    log_emissions: np.ndarray,
    transmat: np.ndarray,
    startprob: np.ndarray,
    previous: np.ndarray | None = None,
) -> np.ndarray:
    """Filtered state probabilities: row ``t`` is P(state at t | observations up to t).

    ``previous`` is the filtered row before the first observation (None: start from
    ``startprob``). Each row is normalised as it is computed, so nothing underflows; a row
    whose every state is impossible at float precision falls back on the prior.
    """
    emissions = np.exp(log_emissions - log_emissions.max(axis=1, keepdims=True))
    out: np.ndarray = np.empty_like(emissions)
    alpha = previous
    for t in range(emissions.shape[0]):
        prior = startprob if alpha is None else alpha @ transmat
        joint = prior * emissions[t]
        total = joint.sum()
        alpha = joint / total if total > 0 else prior / prior.sum()
        out[t] = alpha
    return out
