"""The installed plugin, as the kernel sees it."""

from __future__ import annotations

import subprocess
import sys

import pytest
from mlcore import PluginHost

from mlcore_microstructure import DISTRIBUTION
from mlcore_microstructure.plugin import INDICATORS


@pytest.fixture
def host(monkeypatch):
    """A host that loads this plugin only: other installed plugins cannot interfere."""
    monkeypatch.setenv("MLCORE_LOAD_PLUGINS", DISTRIBUTION)
    return PluginHost.from_config().load()


def test_the_host_registers_every_component_of_this_distribution(host):
    assert host.failures == [], host.failures
    registered = {c.name: c for c in host.indicators.by_distribution(DISTRIBUTION)}
    assert set(registered) == set(INDICATORS)
    for name, component in registered.items():
        assert component.distribution == DISTRIBUTION
        assert component.qualified_name == f"microstructure:{name}"
        assert host.indicators.get(f"{DISTRIBUTION}:{name}") is component
        assert "microstructure" in component.tags
        assert "default" not in component.tags  # the default set is mlcore-indicators'
        assert component.summary()


def test_the_host_builds_working_components(host):
    for name in INDICATORS:
        indicator = host.create("indicators", f"microstructure:{name}")
        assert indicator.family == "microstructure"
        assert indicator.outputs[0].startswith(name)
    garch = host.create("indicators", "garch_vol", fit_bars=250, mean="zero")
    assert garch.outputs == ("garch_vol_250_zero", "garch_vol_forecast_250_zero")
    (info,) = host.plugin_info(DISTRIBUTION)
    assert info.entry_point == "microstructure"


def test_loading_the_plugin_imports_neither_arch_nor_the_components():
    code = (
        "import sys\n"
        "from mlcore import PluginHost\n"
        "host = PluginHost.from_config().load()\n"
        "assert 'garch_vol' in host.indicators\n"
        "heavy = [m for m in ('arch', 'scipy', 'mlcore_microstructure.volatility') "
        "if m in sys.modules]\n"
        "print(heavy)\n"
    )
    env = {"MLCORE_LOAD_PLUGINS": DISTRIBUTION}
    import os

    out = subprocess.run(
        [sys.executable, "-c", code],
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        check=True,
    )
    assert out.stdout.strip() == "[]", out.stderr
