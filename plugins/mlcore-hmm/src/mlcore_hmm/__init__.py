"""mlcore-hmm: a Gaussian hidden Markov model regime detector for mlcore.

Importing this package is cheap: it never imports hmmlearn. The detector lives in
:mod:`mlcore_hmm.detector`, imported the first time it is built (through the registry)
or named here (``from mlcore_hmm import HMMRegimeDetector``).
"""

from __future__ import annotations

import importlib
from importlib.metadata import PackageNotFoundError, version
from typing import TYPE_CHECKING, Any

try:
    __version__ = version("mlcore-hmm")
except PackageNotFoundError:  # running from a source checkout that is not installed
    __version__ = "0.0.0"

if TYPE_CHECKING:
    from mlcore_hmm.detector import HMMRegimeDetector

__all__ = ["DISTRIBUTION", "HMMRegimeDetector", "__version__"]

#: The distribution name: the key of this plugin's settings (``plugins.config.<name>``).
DISTRIBUTION = "mlcore-hmm"


def __getattr__(name: str) -> Any:
    if name == "HMMRegimeDetector":
        value = getattr(importlib.import_module("mlcore_hmm.detector"), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'mlcore_hmm' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted([*globals(), *__all__])
