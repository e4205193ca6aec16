"""The module the ``mlcore.plugins`` entry point names: hook implementations only.

mlcore imports this module at start-up, so it imports nothing heavy: the detector is
registered as a lazy ``"module:attr"`` string and hmmlearn is imported when it is built.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from mlcore import hookimpl

if TYPE_CHECKING:
    from mlcore import Registry


@hookimpl
def mlcore_register_regime_detectors(registry: Registry[Any]) -> None:
    registry.add(
        "hmm",
        "mlcore_hmm.detector:HMMRegimeDetector",
        aliases=("gaussian_hmm",),
        description="Gaussian HMM regimes (hmmlearn) with filtered probabilities and BIC.",
        tags={"regimes", "hmm", "filtered"},
    )
