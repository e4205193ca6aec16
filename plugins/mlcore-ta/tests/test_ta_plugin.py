"""The installed plugin as the kernel sees it: entry point, qualified names, laziness."""

from __future__ import annotations

import subprocess
import sys
import textwrap

import pytest
from mlcore_ta import DISTRIBUTION, ENTRY_POINT
from mlcore_ta._table import TA_INDICATORS
from mlcore_ta.indicators import WRAPPERS

from mlcore import PluginHost


@pytest.fixture
def host(monkeypatch):
    """A host that loads this plugin only: other installed plugins cannot interfere."""
    monkeypatch.setenv("MLCORE_LOAD_PLUGINS", DISTRIBUTION)
    return PluginHost.from_config().load()


def test_every_ta_indicator_is_registered_under_its_qualified_names_only(host):
    assert host.failures == [], host.failures
    components = host.indicators.by_distribution(DISTRIBUTION)
    assert sorted(c.name for c in components) == sorted(spec.name for spec in TA_INDICATORS)
    assert len(components) == 43
    for spec in TA_INDICATORS:
        component = host.indicators.get(f"ta:{spec.name}")
        assert component.qualified_only
        assert component.qualified_name == f"{ENTRY_POINT}:{spec.name}"
        assert host.indicators.get(f"{DISTRIBUTION}:{spec.name}") is component
        assert component.distribution == DISTRIBUTION
        assert component.description == spec.description
        assert {"ta", spec.family} <= component.tags
        assert component.load() is WRAPPERS[spec.name]
    assert not set(host.indicators.names()) & {spec.name for spec in TA_INDICATORS}


def test_the_host_builds_wrappers_with_parameters(host):
    bands = host.create("indicators", "ta:bollinger_bands", window=10, window_dev=3)
    assert type(bands) is WRAPPERS["bollinger_bands"]
    assert bands.get_params() == {"window": 10, "window_dev": 3}
    parameters = host.indicators.get("ta:keltner_channel").parameters()
    assert [p["name"] for p in parameters] == [
        "window",
        "window_atr",
        "original_version",
        "multiplier",
    ]
    assert parameters[2] == {
        "name": "original_version",
        "default": "True",
        "required": False,
        "type": "bool",
    }


def test_loading_the_plugin_imports_neither_ta_nor_the_wrappers():
    code = textwrap.dedent(
        f"""
        import os, sys
        os.environ["MLCORE_LOAD_PLUGINS"] = {DISTRIBUTION!r}
        from mlcore import PluginHost
        host = PluginHost.from_config().load()
        assert host.indicators.get("ta:rsi").distribution == {DISTRIBUTION!r}
        heavy = ("ta.", "mlcore_ta.indicators")
        print(sorted(m for m in sys.modules if m == "ta" or m.startswith(heavy)))
        """
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=120
    )
    assert result.stdout.strip() == "[]"


def test_ta_names_never_clash_with_other_plugins(monkeypatch, request):
    monkeypatch.delenv("MLCORE_LOAD_PLUGINS", raising=False)
    monkeypatch.delenv("MLCORE_DISABLE_PLUGIN_AUTOLOAD", raising=False)
    everything = request.getfixturevalue("mlcore_host")  # every installed plugin
    assert not [f for f in everything.failures if f.distribution == DISTRIBUTION]
    assert everything.indicators.get("ta:rsi").distribution == DISTRIBUTION
    if "rsi" in everything.indicators.names():  # a native rsi keeps its plain name
        assert everything.indicators.get("rsi").distribution != DISTRIBUTION
