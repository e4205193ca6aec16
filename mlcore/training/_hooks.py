"""Models whose fits are announced to plugins (``mlcore_before_fit`` and friends)."""

from __future__ import annotations

import inspect
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from mlcore.config import MlcoreConfig

if TYPE_CHECKING:
    from mlcore.host import PluginHost


class HookedModel:
    """A model whose ``fit`` is announced to plugins: ``mlcore_before_fit`` before,
    ``mlcore_after_fit`` after (``result``: stage, fold, rows, seconds) or
    ``mlcore_on_fit_error`` when it raises (the error is re-raised). Everything else is the
    wrapped model's."""

    def __init__(
        self,
        model: Any,
        host: PluginHost,
        config: MlcoreConfig,
        run_id: str | None,
        stage: str,
        fold: int | None = None,
    ) -> None:
        self.model = model
        self._host = host
        self._config = config
        self._run_id = run_id
        self._stage = stage
        self._fold = fold

    def fit(self, X: Any, y: Any, **fit_params: Any) -> HookedModel:
        common = {"data": (X, y), "config": self._config, "run_id": self._run_id}
        self._host.notify("mlcore_before_fit", model=self.model, **common)
        started = time.perf_counter()
        try:
            self.model.fit(X, y, **fit_params)
        except Exception as error:
            self._host.notify("mlcore_on_fit_error", model=self.model, error=error, **common)
            raise
        result = {
            "stage": self._stage,
            "fold": self._fold,
            "n_rows": len(X),
            "fit_seconds": time.perf_counter() - started,
        }
        self._host.notify("mlcore_after_fit", model=self.model, result=result, **common)
        return self

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__") or name == "model":
            raise AttributeError(name)
        return getattr(self.model, name)


class _HookedFactory:
    """Builds fresh hooked models for cross-validation (numbering the folds) or tuning (trial
    folds, possibly in threads, are not numbered: ``fold`` is None)."""

    def __init__(
        self,
        build: Callable[..., Any],
        host: PluginHost,
        config: MlcoreConfig,
        run_id: str | None,
        stage: str,
    ) -> None:
        self.build = build
        self.host = host
        self.config = config
        self.run_id = run_id
        self.stage = stage
        self.count = 0
        #: The model's ``search_space(trial)``, for the tuner (None: the config must give one).
        self.search_space: Any = None

    def __call__(self, **params: Any) -> HookedModel:
        fold = self.count if self.stage == "cv" else None
        self.count += 1
        return HookedModel(
            self.build(**params), self.host, self.config, self.run_id, self.stage, fold
        )


def _takes_t1(model: Any) -> bool:
    try:
        return "t1" in inspect.signature(model.fit).parameters
    except (TypeError, ValueError):
        return False
