"""Values made JSON-ready for the model metadata and the tracked parameters."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np


def _jsonable(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if isinstance(value, np.generic):
        return value.item()
    if value is None or isinstance(value, bool | int | float | str):
        return value
    return repr(value)


def _model_params(model: Any) -> dict[str, Any]:
    get_params = getattr(model, "get_params", None)
    if not callable(get_params):
        return {}
    try:
        params = dict(get_params())
    except Exception:  # a model's get_params may need arguments or fail: nothing to log
        return {}
    return {k: _jsonable(v) for k, v in params.items()}
