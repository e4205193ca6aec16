"""mlcore's conformance suite (including no look-ahead) on the HMM regime detector."""

from __future__ import annotations

from mlcore.testing import parametrize_with_checks

from mlcore_hmm.detector import HMMRegimeDetector


@parametrize_with_checks([HMMRegimeDetector(n_restarts=2, n_iter=100)])
def test_hmm_conformance(component, check):
    check(component)
