"""Conformance checks for mlcore components, in the spirit of scikit-learn's
``parametrize_with_checks``.

Every check is a plain function ``check_xxx(component, data=None)`` that returns None
when the component conforms and raises :class:`AssertionError` otherwise, with a message
that names the component, the check, what went wrong and how to fix it. ``data`` is an
OHLCV frame (or a :class:`mlcore.data.SyntheticMarket`) to run the check on; by default a
seeded synthetic market of 600 daily bars (``synthetic_ohlcv(n=600, seed=7)``).

Use :func:`parametrize_with_checks` in a pytest module, :func:`check_component` anywhere
else, and :func:`checks_for` to see which checks apply to a component.

Models declare what they predict with a class attribute ``task``: ``"classification"``
(the default when absent) or ``"regression"``. Classifiers are fit on next-bar direction
labels and compared on ``predict_proba``; regressors on the next bar's log return, and
compared on ``predict``.
"""

from __future__ import annotations

from mlcore.testing.checks._collection import (
    check_component,
    checks_for,
    parametrize_with_checks,
)
from mlcore.testing.checks._cross_kind import (
    check_clone,
    check_determinism,
    check_nan_handling,
    check_no_lookahead,
    check_pickle,
)
from mlcore.testing.checks._data_sources import (
    check_data_source_load,
)
from mlcore.testing.checks._defaults import (
    ATOL,
    DEFAULT_BARS,
    DEFAULT_SEED,
    RTOL,
    Check,
)
from mlcore.testing.checks._defaults import (
    METRIC_NEEDS as METRIC_NEEDS,
)
from mlcore.testing.checks._defaults import (
    MODEL_ROWS as MODEL_ROWS,
)
from mlcore.testing.checks._defaults import (
    MODEL_TASKS as MODEL_TASKS,
)
from mlcore.testing.checks._defaults import (
    NAN_POLICIES as NAN_POLICIES,
)
from mlcore.testing.checks._defaults import (
    OHLCV_COLUMNS as OHLCV_COLUMNS,
)
from mlcore.testing.checks._defaults import (
    PRICE_COLUMNS as PRICE_COLUMNS,
)
from mlcore.testing.checks._defaults import (
    PROBA_ATOL as PROBA_ATOL,
)
from mlcore.testing.checks._defaults import (
    SENTIMENT_CAPABILITIES as SENTIMENT_CAPABILITIES,
)
from mlcore.testing.checks._indicators import (
    check_compute_arrays_agrees as check_compute_arrays_agrees,
)
from mlcore.testing.checks._indicators import (
    check_compute_output,
    check_indicator_attributes,
    check_input_not_mutated,
    check_streaming_agrees,
)
from mlcore.testing.checks._kinds import (
    KINDS,
    check_kind,
    component_id,
)
from mlcore.testing.checks._metrics import (
    check_metric_attributes,
    check_metric_perfect_beats_random,
    check_metric_value,
)
from mlcore.testing.checks._models import (
    check_clone_is_unfitted,
    check_fit_returns_self,
    check_get_set_params,
    check_predict_shapes,
    check_regime_labels,
    check_save_load,
)
from mlcore.testing.checks._sentiment import (
    SENTIMENT_BATCH as SENTIMENT_BATCH,
)
from mlcore.testing.checks._sentiment import (
    check_sentiment_batch,
    check_sentiment_capabilities,
    check_sentiment_fetch,
    check_sentiment_score,
)
from mlcore.testing.checks._triggers import (
    check_trigger_decision,
)

__all__ = [
    "ATOL",
    "DEFAULT_BARS",
    "DEFAULT_SEED",
    "KINDS",
    "RTOL",
    "Check",
    "check_clone",
    "check_clone_is_unfitted",
    "check_component",
    "check_compute_output",
    "check_data_source_load",
    "check_determinism",
    "check_fit_returns_self",
    "check_get_set_params",
    "check_indicator_attributes",
    "check_input_not_mutated",
    "check_kind",
    "check_metric_attributes",
    "check_metric_perfect_beats_random",
    "check_metric_value",
    "check_nan_handling",
    "check_no_lookahead",
    "check_pickle",
    "check_predict_shapes",
    "check_regime_labels",
    "check_save_load",
    "check_sentiment_batch",
    "check_sentiment_capabilities",
    "check_sentiment_fetch",
    "check_sentiment_score",
    "check_streaming_agrees",
    "check_trigger_decision",
    "checks_for",
    "component_id",
    "parametrize_with_checks",
]
