"""Tolerances, default check data sizes and the vocabularies the checks accept."""

from __future__ import annotations

from collections.abc import Callable
from typing import Final, get_args

from mlcore.protocols import ModelTask, NanPolicy

#: A conformance check: ``check(component, data=None)`` raises AssertionError on failure.
Check = Callable[..., None]

#: Relative and absolute tolerance for "the same number" (look-ahead, streaming).
RTOL: Final = 1e-9
ATOL: Final = 1e-9
#: Tolerance for probability rows summing to one (float32 models included).
PROBA_ATOL: Final = 1e-6
#: The default check data: ``synthetic_ohlcv(n=DEFAULT_BARS, seed=DEFAULT_SEED)``.
DEFAULT_BARS: Final = 600
DEFAULT_SEED: Final = 7
#: Rows of the feature frame that model checks fit on.
MODEL_ROWS: Final = 300

OHLCV_COLUMNS: Final = ("open", "high", "low", "close", "volume")
PRICE_COLUMNS: Final = ("open", "high", "low", "close")
NAN_POLICIES: Final[tuple[str, ...]] = get_args(NanPolicy)
MODEL_TASKS: Final[tuple[str, ...]] = get_args(ModelTask)
METRIC_NEEDS: Final = ("labels", "proba", "returns", "trades")
SENTIMENT_CAPABILITIES: Final = frozenset({"fetch", "score"})
