"""mlcore's conformance suite (including no look-ahead) on the HMM regime detector."""

from __future__ import annotations

from mlcore.testing import parametrize_with_checks

from mlcore_hmm.detector import HMMRegimeDetector


@parametrize_with_checks(
    [
        HMMRegimeDetector(),
        HMMRegimeDetector(n_components=2, covariance_type="tied", use_volume=True),
    ]
)
def test_hmm_conformance(component, check):
    check(component)
