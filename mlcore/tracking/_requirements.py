"""The pinned pip requirements of a logged model, read from ``importlib.metadata``."""

from __future__ import annotations

import functools
import importlib.metadata
import pickle
import re
import sys
import warnings
from collections.abc import Mapping
from typing import Any

from mlcore.errors import TrackingWarning


class _ModuleRecorder(pickle.Pickler):
    """Pickles into nothing, recording the module of every class and function it meets."""

    def __init__(self) -> None:
        super().__init__(_NullSink(), protocol=5, buffer_callback=lambda _: None)
        self.modules: set[str] = set()

    def reducer_override(self, obj: Any) -> Any:
        owner = obj if isinstance(obj, type) or callable(obj) else type(obj)
        module = getattr(owner, "__module__", None)
        if isinstance(module, str):
            self.modules.add(module)
        return NotImplemented


class _NullSink:
    def write(self, data: bytes) -> int:
        return len(data)


def _pickled_modules(obj: object) -> set[str]:
    recorder = _ModuleRecorder()
    recorder.dump(obj)
    return recorder.modules


@functools.cache
def _packages_distributions() -> Mapping[str, list[str]]:
    return importlib.metadata.packages_distributions()  # about a second: once per process


def _distributions_of(top_level: str) -> list[str]:
    """The distributions that provide the import package ``top_level``."""
    try:  # the common case, and editable installs (absent from packages_distributions)
        return [importlib.metadata.distribution(top_level).metadata["Name"]]
    except importlib.metadata.PackageNotFoundError:
        pass
    names = list(dict.fromkeys(_packages_distributions().get(top_level, [])))
    wanted = _canonical(top_level)
    same = [name for name in names if _canonical(name) == wanted]
    return same or names


def _canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _pin(distribution: str) -> str:
    return f"{distribution}=={importlib.metadata.version(distribution)}"


def default_pip_requirements(model: object | None = None) -> list[str]:
    """The pinned requirements that load ``model`` in another environment.

    mlcore, mlflow, numpy, pandas and joblib at their running versions, plus the distribution
    (at its running version) of every module whose classes or functions the pickled ``model``
    refers to: the mlcore plugins that built the pipeline and the libraries they use
    (scikit-learn, xgboost...). A module that belongs to no installed distribution is reported
    with a :class:`TrackingWarning`: the loading process must be able to import it.
    Requirements are read from ``importlib.metadata``, never inferred by MLflow.
    """
    distributions = ["mlcore", "mlflow", "numpy", "pandas", "joblib"]
    unpackaged: set[str] = set()
    if model is not None:
        for module in sorted(_pickled_modules(model)):
            top_level = module.partition(".")[0]
            if top_level in sys.stdlib_module_names or top_level == "builtins":
                continue
            found = _distributions_of(top_level)
            if found:
                distributions.extend(found)
            else:
                unpackaged.add(module)
    if unpackaged:
        warnings.warn(
            "the model refers to modules of no installed distribution "
            f"({', '.join(sorted(unpackaged))}); a process that loads it must be able to "
            "import them (PYTHONPATH), or pass pip_requirements= naming the packages that "
            "provide them",
            TrackingWarning,
            stacklevel=3,
        )
    unique: dict[str, str] = {}
    for name in distributions:
        unique.setdefault(_canonical(name), name)
    return [_pin(name) for name in unique.values()]
