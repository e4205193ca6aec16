"""Conformance checks for mlcore components, and a pytest plugin with fixtures.

Plugin authors run every applicable check on their components with::

    from mlcore.testing import parametrize_with_checks

    @parametrize_with_checks([MyIndicator(period=14), MyModel()])
    def test_conformance(component, check):
        check(component)

The names below are imported on first use, so that the pytest plugin
(:mod:`mlcore.testing.pytest_plugin`, loaded in every pytest session where mlcore is
installed) stays cheap to import.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from mlcore.testing.checks import (
        Check,
        check_clone,
        check_clone_is_unfitted,
        check_component,
        check_compute_arrays_agrees,
        check_compute_output,
        check_data_source_load,
        check_determinism,
        check_fit_returns_self,
        check_get_set_params,
        check_indicator_attributes,
        check_input_not_mutated,
        check_kind,
        check_metric_attributes,
        check_metric_perfect_beats_random,
        check_metric_value,
        check_nan_handling,
        check_no_lookahead,
        check_pickle,
        check_predict_shapes,
        check_regime_labels,
        check_save_load,
        check_sentiment_batch,
        check_sentiment_capabilities,
        check_sentiment_fetch,
        check_sentiment_score,
        check_streaming_agrees,
        check_trigger_decision,
        checks_for,
        component_id,
        parametrize_with_checks,
    )

__all__ = [
    "Check",
    "check_clone",
    "check_clone_is_unfitted",
    "check_component",
    "check_compute_arrays_agrees",
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


def __getattr__(name: str) -> Any:
    if name in __all__:
        value = getattr(importlib.import_module("mlcore.testing.checks"), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'mlcore.testing' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted([*globals(), *__all__])
