"""Checks that apply to several kinds, each dispatching to the kind's own version."""

from __future__ import annotations

import pandas as pd

from mlcore.testing.checks._data_sources import _data_source_determinism
from mlcore.testing.checks._indicators import (
    _indicator_clone,
    _indicator_determinism,
    _indicator_nan_handling,
    _indicator_no_lookahead,
    _indicator_pickle,
)
from mlcore.testing.checks._kinds import _as_instance, _dispatch
from mlcore.testing.checks._metrics import _metric_determinism, _metric_pickle
from mlcore.testing.checks._models import (
    _clone_is_unfitted,
    _fitted_determinism,
    _fitted_pickle,
    _model_nan_handling,
    _regime_no_lookahead,
)
from mlcore.testing.checks._sentiment import _sentiment_determinism
from mlcore.testing.checks._triggers import _trigger_determinism, _trigger_pickle


def check_determinism(component: object, data: pd.DataFrame | None = None) -> None:
    """The same inputs give the same outputs, bit for bit.

    Indicators: two computes, and one on a copy of the data. Models and regime detectors:
    two fresh clones fit on the same data predict the same probabilities (regressors: the
    same ``predict``), and predicting twice gives the same. Triggers,
    metrics, data sources and sentiment scorers: two calls agree.
    """
    instance = _as_instance(component)
    _dispatch(
        "check_determinism",
        instance,
        {
            "indicators": _indicator_determinism,
            "models": _fitted_determinism,
            "regime_detectors": _fitted_determinism,
            "retrain_triggers": _trigger_determinism,
            "metrics": _metric_determinism,
            "data_sources": _data_source_determinism,
            "sentiment_adapters": _sentiment_determinism,
        },
    )(instance, data)


def check_no_lookahead(component: object, data: pd.DataFrame | None = None) -> None:
    """No value uses the future (DESIGN invariant 1).

    Indicators: for several cut points t, computing on the rows up to t gives the same
    rows (from ``warmup`` on, to 1e-9) as computing on the full data; and multiplying every
    row after t by random factors (OHLC kept consistent) changes no row up to t.
    Regime detectors: fit once on the full data; ``predict_proba`` on the first t+1 rows
    equals the first t+1 rows of ``predict_proba`` on all rows, and so does
    ``predict_proba`` on data whose rows after t were perturbed.
    """
    instance = _as_instance(component)
    _dispatch(
        "check_no_lookahead",
        instance,
        {"indicators": _indicator_no_lookahead, "regime_detectors": _regime_no_lookahead},
    )(instance, data)


def check_nan_handling(component: object, data: pd.DataFrame | None = None) -> None:
    """The component treats NaN input as its declared ``nan_policy`` says.

    Indicators (a NaN put in each input column in turn, mid-series): ``raise`` raises
    ValueError (or an MlcoreError); ``propagate`` and ``ignore`` raise nothing and leave
    every earlier row as on clean data; ``ignore`` also gives finite values from warmup on
    except at the NaN row. Models (class attribute ``nan_policy``, default ``raise``): with
    a NaN in X, ``raise`` makes fit and predict raise ValueError; ``ignore`` and
    ``propagate`` raise nothing in fit, predict and (classifiers only) predict_proba.
    """
    instance = _as_instance(component)
    _dispatch(
        "check_nan_handling",
        instance,
        {"indicators": _indicator_nan_handling, "models": _model_nan_handling},
    )(instance, data)


def check_pickle(component: object, data: pd.DataFrame | None = None) -> None:
    """A pickle round trip gives a component with the same outputs (bit for bit): computes
    for indicators, ``predict_proba`` of fitted classifiers and regime detectors, ``predict``
    of fitted regressors, scores and decisions for metrics and triggers."""
    instance = _as_instance(component)
    _dispatch(
        "check_pickle",
        instance,
        {
            "indicators": _indicator_pickle,
            "models": _fitted_pickle,
            "regime_detectors": _fitted_pickle,
            "retrain_triggers": _trigger_pickle,
            "metrics": _metric_pickle,
        },
    )(instance, data)


def check_clone(component: object, data: pd.DataFrame | None = None) -> None:
    """Indicators: every round trip the component supports (``clone()``, ``attrs.evolve``,
    ``type(c)(**c.get_params())``) gives an equal component that computes the same.
    Models and regime detectors: as :func:`check_clone_is_unfitted`."""
    instance = _as_instance(component)
    _dispatch(
        "check_clone",
        instance,
        {
            "indicators": _indicator_clone,
            "models": _clone_is_unfitted,
            "regime_detectors": _clone_is_unfitted,
        },
    )(instance, data)
