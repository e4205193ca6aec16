"""The committed catalog against the installed TA-Lib, and what is exposed from it."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest
from mlcore_talib import MISSING_TALIB
from mlcore_talib._catalog import FUNCTIONS
from mlcore_talib._metadata import (
    EXCLUDED_FUNCTIONS,
    EXCLUDED_GROUPS,
    FAMILIES,
    exclusion_reason,
)

talib = pytest.importorskip("talib", reason=MISSING_TALIB)

from mlcore_talib._metadata import read_installed  # noqa: E402
from mlcore_talib.indicators import WRAPPERS  # noqa: E402

SCRIPT = Path(__file__).resolve().parents[1] / "scripts" / "generate_catalog.py"


def test_the_catalog_equals_the_installed_talib_metadata():
    assert read_installed() == FUNCTIONS, (
        "src/mlcore_talib/_catalog.py is out of date: run scripts/generate_catalog.py"
    )


def test_the_generator_script_agrees_that_the_catalog_is_current(capsys):
    spec = importlib.util.spec_from_file_location("generate_catalog", SCRIPT)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    assert module.main(["--check"]) == 0
    assert "is current" in capsys.readouterr().out


def test_the_catalog_lists_every_talib_function():
    assert {f.name for f in FUNCTIONS} == set(talib.get_functions())
    groups = talib.get_function_groups()
    assert {f.name: f.group for f in FUNCTIONS} == {
        name: group for group, names in groups.items() for name in names
    }


def test_every_group_is_exposed_with_a_family_or_excluded_with_a_reason():
    groups = {f.group for f in FUNCTIONS}
    assert groups == set(FAMILIES) | set(EXCLUDED_GROUPS)
    assert set(FAMILIES).isdisjoint(EXCLUDED_GROUPS)
    assert all(
        reason.strip() for reason in (*EXCLUDED_GROUPS.values(), *EXCLUDED_FUNCTIONS.values())
    )
    assert set(EXCLUDED_FUNCTIONS) <= {f.name for f in FUNCTIONS if f.group in FAMILIES}


def test_exactly_the_functions_not_excluded_are_wrapped():
    exposed = {f.registered_name for f in FUNCTIONS if exclusion_reason(f) is None}
    assert set(WRAPPERS) == exposed
    assert len(WRAPPERS) == 173  # TA-Lib 0.8.2: 201 functions - 27 math - MAVP


def test_all_61_candlestick_patterns_are_wrapped():
    patterns = talib.get_function_groups()["Pattern Recognition"]
    assert len(patterns) == 61
    assert {name.lower() for name in patterns} <= set(WRAPPERS)
    assert sum(cls.family == "pattern" for cls in WRAPPERS.values()) == 61


def test_every_input_is_an_ohlcv_column():
    for function in FUNCTIONS:
        if exclusion_reason(function) is None:
            assert set(function.inputs) <= {"open", "high", "low", "close", "volume"}, function
