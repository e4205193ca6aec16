"""The installed plugin as the kernel sees it, with and without TA-Lib."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
import textwrap

import pytest
from mlcore_talib import DISTRIBUTION, ENTRY_POINT, MISSING_TALIB
from mlcore_talib._catalog import FUNCTIONS
from mlcore_talib._metadata import exclusion_reason

from mlcore import MlcorePluginWarning, PluginHost

EXPOSED = [f for f in FUNCTIONS if exclusion_reason(f) is None]


@pytest.fixture
def only_this_plugin(monkeypatch):
    monkeypatch.setenv("MLCORE_LOAD_PLUGINS", DISTRIBUTION)


def test_every_exposed_function_is_registered_under_qualified_names_only(only_this_plugin):
    pytest.importorskip("talib", reason=MISSING_TALIB)
    host = PluginHost.from_config().load()
    assert host.failures == [], host.failures
    components = host.indicators.by_distribution(DISTRIBUTION)
    assert sorted(c.name for c in components) == sorted(f.registered_name for f in EXPOSED)
    assert len(components) == 173
    for function in EXPOSED:
        component = host.indicators.get(f"talib:{function.registered_name}")
        assert component.qualified_only
        assert component.qualified_name == f"{ENTRY_POINT}:{function.registered_name}"
        assert host.indicators.get(f"{DISTRIBUTION}:{function.registered_name}") is component
        assert {"talib", function.family} <= component.tags
    assert not set(host.indicators.names()) & {f.registered_name for f in EXPOSED}
    assert "talib:add" not in host.indicators  # Math Operators are not exposed
    assert "talib:mavp" not in host.indicators


def test_the_host_builds_wrappers_with_parameters(only_this_plugin):
    pytest.importorskip("talib", reason=MISSING_TALIB)
    host = PluginHost.from_config().load()
    bbands = host.create("indicators", "talib:bbands", timeperiod=10, nbdevup=1.5)
    assert bbands.get_params() == {"timeperiod": 10, "nbdevup": 1.5, "nbdevdn": 2.0, "matype": 0}
    assert [p["name"] for p in host.indicators.get("talib:cdlmorningstar").parameters()] == [
        "penetration"
    ]


def test_loading_the_plugin_does_not_import_talib():
    pytest.importorskip("talib", reason=MISSING_TALIB)
    code = textwrap.dedent(
        f"""
        import os, sys
        os.environ["MLCORE_LOAD_PLUGINS"] = {DISTRIBUTION!r}
        from mlcore import PluginHost
        host = PluginHost.from_config().load()
        assert host.indicators.get("talib:cdldoji").distribution == {DISTRIBUTION!r}
        print(sorted(m for m in sys.modules if m.startswith(("talib", "mlcore_talib.indicators"))))
        """
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=120
    )
    assert result.stdout.strip() == "[]"


def test_without_talib_the_plugin_is_a_recorded_failure_with_one_clear_cause(
    only_this_plugin, monkeypatch
):
    real_find_spec = importlib.util.find_spec

    def find_spec(name, *args, **kwargs):
        return None if name == "talib" else real_find_spec(name, *args, **kwargs)

    monkeypatch.setattr(importlib.util, "find_spec", find_spec)
    with pytest.warns(MlcorePluginWarning, match="pip install TA-Lib") as caught:
        host = PluginHost.from_config().load()
    assert len([w for w in caught if issubclass(w.category, MlcorePluginWarning)]) == 1
    (failure,) = host.failures
    assert failure.distribution == DISTRIBUTION
    assert failure.stage == "register"
    assert failure.cause == f"ImportError: {MISSING_TALIB}"
    assert host.indicators.by_distribution(DISTRIBUTION) == []
    assert "talib:rsi" not in host.indicators
    # `mlcore plugins --json` shows the same record
    described = host.describe()
    assert [f["cause"] for f in described["failures"]] == [f"ImportError: {MISSING_TALIB}"]
