"""The declarative table against the installed ``ta`` library itself.

A ``ta`` release that adds an indicator class, a parameter or an output method fails here
until the table handles it (or documents why not).
"""

from __future__ import annotations

import functools
import importlib
import inspect
import pickle

import attrs
import pandas as pd
import pytest
from mlcore_ta._table import EXCLUDED, FIXED_ARGUMENTS, REQUIRED, TA_INDICATORS, TaSpec
from mlcore_ta.indicators import WRAPPERS, TaIndicator, wrapper_for

from mlcore.protocols import IndicatorBase

ta_utils = pytest.importorskip("ta.utils")

TA_MODULES = ("ta.momentum", "ta.trend", "ta.volatility", "ta.volume", "ta.others")
OHLCV = {"open", "high", "low", "close", "volume"}


@functools.cache
def ta_indicator_classes() -> dict[str, type]:
    """Every indicator class ``ta`` defines, as ``"ta.<module>:<Class>"``."""
    found = {}
    for module_name in TA_MODULES:
        module = importlib.import_module(module_name)
        for name, cls in inspect.getmembers(module, inspect.isclass):
            if cls.__module__ == module_name and issubclass(cls, ta_utils.IndicatorMixin):
                found[f"{module_name}:{name}"] = cls
    return found


def ta_class(spec: TaSpec) -> type:
    return ta_indicator_classes()[spec.ta_class]


def test_every_ta_indicator_class_is_wrapped_or_excluded_with_a_reason():
    wrapped = {spec.ta_class for spec in TA_INDICATORS}
    assert len(wrapped) == len(TA_INDICATORS), "a ta class appears twice in the table"
    assert set(EXCLUDED).isdisjoint(wrapped)
    assert all(reason.strip() for reason in EXCLUDED.values())
    assert wrapped | set(EXCLUDED) == set(ta_indicator_classes())
    assert len(ta_indicator_classes()) == 43  # ta 0.11


def test_registered_names_are_unique_snake_case():
    names = [spec.name for spec in TA_INDICATORS]
    assert len(set(names)) == len(names)
    assert all(name.isidentifier() and name == name.lower() for name in names)
    assert list(WRAPPERS) == names


@pytest.mark.parametrize("spec", TA_INDICATORS, ids=lambda spec: spec.name)
def test_parameters_are_tas_own_names_and_defaults(spec):
    signature = inspect.signature(ta_class(spec).__init__)
    series = [
        name
        for name, p in signature.parameters.items()
        if p.annotation in (pd.Series, "pd.Series", "pandas.Series")
    ]
    assert spec.inputs == tuple(series), "inputs are the ta class's series arguments"
    assert set(spec.inputs) <= OHLCV
    expected = [
        (name, REQUIRED if p.default is inspect.Parameter.empty else p.default)
        for name, p in signature.parameters.items()
        if name not in ("self", *series, *FIXED_ARGUMENTS, *spec.fixed)
    ]
    assert [(p.name, p.default) for p in spec.params] == expected
    assert set(spec.fixed) <= set(signature.parameters), "fixed arguments exist in ta"
    assert set(FIXED_ARGUMENTS) <= set(signature.parameters)


@pytest.mark.parametrize("spec", TA_INDICATORS, ids=lambda spec: spec.name)
def test_every_output_method_is_exposed_or_dropped_with_a_reason(spec):
    cls = ta_class(spec)
    methods = {
        name
        for name, member in vars(cls).items()
        if inspect.isfunction(member) and not name.startswith("_")
    }
    exposed = [method for _, method in spec.outputs]
    assert len(set(exposed)) == len(exposed)
    assert set(exposed) | set(spec.dropped_outputs) == methods
    assert set(exposed).isdisjoint(spec.dropped_outputs)
    assert all(reason.strip() for reason in spec.dropped_outputs.values())
    suffixes = [suffix for suffix, _ in spec.outputs]
    assert len(set(suffixes)) == len(suffixes)


@pytest.mark.parametrize("spec", TA_INDICATORS, ids=lambda spec: spec.name)
def test_each_wrapper_is_a_real_frozen_attrs_indicator(spec):
    cls = wrapper_for(spec.name)
    assert cls.__name__ == spec.wrapper_name
    assert cls.__module__ == "mlcore_ta.indicators"
    assert getattr(importlib.import_module("mlcore_ta.indicators"), cls.__name__) is cls
    assert issubclass(cls, TaIndicator)
    assert issubclass(cls, IndicatorBase)
    assert [f.name for f in attrs.fields(cls)] == [p.name for p in spec.params]
    assert cls.family == spec.module.rsplit(".", 1)[1]
    assert cls.family in ("momentum", "trend", "volatility", "volume", "others")
    indicator = cls(**cls.default_parameters[0])
    assert indicator.inputs == spec.inputs
    assert len(indicator.outputs) == len(spec.outputs)
    assert all(name.startswith(f"ta_{spec.name}") for name in indicator.outputs)
    assert isinstance(indicator.warmup, int)
    assert indicator.warmup >= 0
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        indicator.anything = 1  # type: ignore[attr-defined]
    restored = pickle.loads(pickle.dumps(indicator))
    assert restored == indicator
    assert type(restored) is cls
    assert indicator.clone() == indicator


def test_feature_names_follow_the_ta_prefix_convention():
    assert wrapper_for("rsi")().outputs == ("ta_rsi_14",)
    assert wrapper_for("macd")().outputs == (
        "ta_macd_26_12_9",
        "ta_macd_signal_26_12_9",
        "ta_macd_diff_26_12_9",
    )
    assert wrapper_for("bollinger_bands")(window=10).outputs == (
        "ta_bollinger_bands_mavg_10_2",
        "ta_bollinger_bands_hband_10_2",
        "ta_bollinger_bands_lband_10_2",
        "ta_bollinger_bands_wband_10_2",
        "ta_bollinger_bands_pband_10_2",
        "ta_bollinger_bands_hband_indicator_10_2",
        "ta_bollinger_bands_lband_indicator_10_2",
    )
    assert wrapper_for("psar")().outputs == (
        "ta_psar_0p02_0p2",
        "ta_psar_up_indicator_0p02_0p2",
        "ta_psar_down_indicator_0p02_0p2",
    )


def test_the_chikou_span_and_display_shifts_are_not_exposed():
    ichimoku = wrapper_for("ichimoku")
    assert "visual" not in attrs.fields_dict(ichimoku)
    assert ichimoku.spec.fixed == {"visual": False}
    assert not any("chikou" in name or "lagging" in name for name in ichimoku().outputs)
    assert "dropnans" not in attrs.fields_dict(wrapper_for("vpt"))
    assert "fillna" not in {f.name for cls in WRAPPERS.values() for f in attrs.fields(cls)}


def test_the_sma_window_is_required_as_in_ta():
    with pytest.raises(TypeError, match="window"):
        wrapper_for("sma")()


@pytest.mark.parametrize(
    ("name", "params", "error"),
    [
        ("rsi", {"window": 0}, ValueError),
        ("rsi", {"window": 14.0}, TypeError),
        ("rsi", {"window": True}, TypeError),
        ("rsi", {"window": "14"}, TypeError),
        ("bollinger_bands", {"window_dev": -1}, ValueError),
        ("bollinger_bands", {"window_dev": float("nan")}, ValueError),
        ("bollinger_bands", {"window_dev": "2"}, TypeError),
        ("psar", {"step": 0}, ValueError),
        ("donchian_channel", {"offset": -1}, ValueError),  # a negative shift looks ahead
        ("keltner_channel", {"original_version": 1}, TypeError),
        ("vpt", {"smoothing_factor": 0}, ValueError),
        ("vpt", {"smoothing_factor": 2.0}, TypeError),
    ],
)
def test_invalid_parameters_are_refused_naming_the_field(name, params, error):
    (field,) = params
    with pytest.raises(error, match=field):
        wrapper_for(name)(**params)


def test_valid_non_default_parameters_are_accepted():
    assert wrapper_for("bollinger_bands")(window_dev=2.5).window_dev == 2.5
    assert wrapper_for("donchian_channel")(offset=3).warmup == 19 + 3
    assert wrapper_for("vpt")(smoothing_factor=5).warmup == 5
    assert wrapper_for("keltner_channel")(original_version=False, window_atr=30).warmup == 29
    assert wrapper_for("keltner_channel")(window_atr=30).warmup == 19


def test_unknown_names_say_what_exists():
    with pytest.raises(KeyError, match="bollinger_bands"):
        wrapper_for("bollinger")
