"""Collecting the checks that apply to a component and running them."""

from __future__ import annotations

import functools
from collections.abc import Iterable
from typing import TYPE_CHECKING

import pandas as pd

from mlcore.protocols import (
    ArrayIndicator,
    StreamingIndicator,
)
from mlcore.testing.checks._cross_kind import (
    check_clone,
    check_determinism,
    check_nan_handling,
    check_no_lookahead,
    check_pickle,
)
from mlcore.testing.checks._data_sources import check_data_source_load
from mlcore.testing.checks._defaults import Check
from mlcore.testing.checks._indicators import (
    check_compute_arrays_agrees,
    check_compute_output,
    check_indicator_attributes,
    check_input_not_mutated,
    check_streaming_agrees,
)
from mlcore.testing.checks._kinds import _as_instance, check_kind, component_id
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
    check_sentiment_batch,
    check_sentiment_capabilities,
    check_sentiment_score,
)
from mlcore.testing.checks._triggers import check_trigger_decision

if TYPE_CHECKING:
    import pytest


def checks_for(component: object) -> list[Check]:
    """The checks that apply to ``component``, in the order they are best run."""
    instance = _as_instance(component)
    kind = check_kind(instance)
    checks: list[Check]
    if kind == "indicators":
        checks = [
            check_indicator_attributes,
            check_compute_output,
            check_determinism,
            check_input_not_mutated,
            check_no_lookahead,
            check_nan_handling,
            check_pickle,
            check_clone,
        ]
        if isinstance(instance, ArrayIndicator):
            checks.append(check_compute_arrays_agrees)
        if isinstance(instance, StreamingIndicator):
            checks.append(check_streaming_agrees)
    elif kind == "models":
        checks = [
            check_fit_returns_self,
            check_predict_shapes,
            check_determinism,
            check_clone_is_unfitted,
            check_get_set_params,
            check_pickle,
            check_save_load,
            check_nan_handling,
        ]
    elif kind == "regime_detectors":
        checks = [
            check_fit_returns_self,
            check_predict_shapes,
            check_regime_labels,
            check_determinism,
            check_clone_is_unfitted,
            check_pickle,
            check_no_lookahead,
        ]
    elif kind == "retrain_triggers":
        checks = [check_trigger_decision, check_determinism, check_pickle]
    elif kind == "metrics":
        checks = [check_metric_attributes, check_metric_value, check_determinism]
        if getattr(instance, "needs", None) in ("labels", "proba"):
            checks.append(check_metric_perfect_beats_random)
        checks.append(check_pickle)
    elif kind == "data_sources":
        checks = [check_data_source_load, check_determinism]
    else:
        checks = [check_sentiment_capabilities]
        capabilities = getattr(instance, "capabilities", ())
        if isinstance(capabilities, Iterable) and "score" in capabilities:
            checks += [check_sentiment_score, check_sentiment_batch, check_determinism]
    return checks


def _bind(check: Check, data: object) -> Check:
    if data is None:
        return check
    bound = functools.partial(check, data=data)
    return functools.update_wrapper(bound, check)


def check_component(component: object, data: pd.DataFrame | None = None) -> None:
    """Run every applicable check; raise one AssertionError listing every failed check.

    For use outside pytest (a notebook, a script); in a test module prefer
    :func:`parametrize_with_checks`, which reports each check as its own test.
    """
    instance = _as_instance(component)
    checks = checks_for(instance)
    failures: list[str] = []
    for check in checks:
        try:
            check(instance, data)
        except AssertionError as error:
            failures.append(f"- {check.__name__}: {error}")
        except Exception as error:
            failures.append(f"- {check.__name__}: raised {type(error).__name__}: {error}")
    if failures:
        raise AssertionError(
            f"{component_id(instance)} failed {len(failures)} of {len(checks)} checks:\n"
            + "\n".join(failures)
        )


def parametrize_with_checks(
    components: Iterable[object], *, data: pd.DataFrame | None = None
) -> pytest.MarkDecorator:
    """A ``pytest.mark.parametrize("component, check", ...)`` over every applicable check
    of every component, with ids like ``RSI(period=14)-check_no_lookahead``::

        @parametrize_with_checks([RSI(period=14), MyModel()])
        def test_conformance(component, check):
            check(component)

    ``components`` are instances (or registry entries and factories needing no
    arguments); ``data`` is an OHLCV frame the checks run on instead of the default
    synthetic market.
    """
    import pytest

    params = []
    for component in components:
        instance = _as_instance(component)
        for check in checks_for(instance):
            params.append(
                pytest.param(
                    instance, _bind(check, data), id=f"{component_id(instance)}-{check.__name__}"
                )
            )
    return pytest.mark.parametrize(("component", "check"), params)
