"""PluginHost against real distributions discovered through importlib.metadata."""

from __future__ import annotations

import sys
import types
import warnings
from pathlib import Path
from typing import Any

import pytest

from mlcore import PluginHost, hookimpl
from mlcore.config import config_from_dict
from mlcore.errors import MlcorePluginWarning, PluginLoadError
from mlcore.protocols import metric

InstalledPlugin = Any  # the installed_plugin fixture (tests/conftest.py)

GOOD = """
from mlcore import hookimpl

@hookimpl
def mlcore_register_indicators(registry):
    registry.add("fixture_window", "collections:OrderedDict", description="ordered")

@hookimpl
def mlcore_register_metrics(registry):
    registry.add("fixture_metric", "operator:eq")
"""


def load_quietly(host: PluginHost) -> PluginHost:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", MlcorePluginWarning)
        return host.load()


def host_for(*distributions: str, monkeypatch: pytest.MonkeyPatch, **plugins: Any) -> PluginHost:
    monkeypatch.setenv("MLCORE_LOAD_PLUGINS", ",".join(distributions))
    return PluginHost.from_config({"plugins": plugins} if plugins else None)


def test_an_installed_plugin_is_discovered_and_attributed(
    installed_plugin: InstalledPlugin, monkeypatch: pytest.MonkeyPatch
) -> None:
    installed_plugin("mlcore-fixture-good", GOOD, entry_point="good", version="1.4.0")
    host = host_for("mlcore-fixture-good", monkeypatch=monkeypatch).load()
    component = host.indicators.get("fixture_window")
    assert component.distribution == "mlcore-fixture-good"
    assert component.provenance.version == "1.4.0"
    assert host.indicators.get("good:fixture_window") is component
    assert host.indicators.get("mlcore-fixture-good:fixture_window") is component
    info = host.plugin_info("mlcore-fixture-good")[0]
    assert info.hooks == ("mlcore_register_indicators", "mlcore_register_metrics")
    described = {p["distribution"]: p for p in host.describe()["plugins"]}
    assert described["mlcore-fixture-good"]["components"] == {
        "indicators": ["fixture_window"],
        "metrics": ["fixture_metric"],
    }
    assert described["mlcore"]["builtin"] is True
    assert "accuracy" in described["mlcore"]["components"]["metrics"]


def test_plugins_load_in_distribution_then_entry_point_order(
    installed_plugin: InstalledPlugin, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in ("mlcore-fixture-zeta", "mlcore-fixture-alpha", "mlcore-fixture-mid"):
        installed_plugin(name, "x = 1\n")
    host = host_for(
        "mlcore-fixture-zeta", "mlcore-fixture-alpha", "mlcore-fixture-mid", monkeypatch=monkeypatch
    ).load()
    assert [p.distribution for p in host.plugins] == [
        "mlcore",
        "mlcore-fixture-alpha",
        "mlcore-fixture-mid",
        "mlcore-fixture-zeta",
    ]


def test_a_plugin_that_raises_at_import_is_a_failure_and_the_others_work(
    installed_plugin: InstalledPlugin, monkeypatch: pytest.MonkeyPatch
) -> None:
    installed_plugin("mlcore-fixture-good", GOOD)
    installed_plugin(
        "mlcore-fixture-broken", "raise RuntimeError('no such API key\\nsecond line')\n"
    )
    host = host_for("mlcore-fixture-good", "mlcore-fixture-broken", monkeypatch=monkeypatch)
    with pytest.warns(MlcorePluginWarning, match="mlcore-fixture-broken 1.0.0"):
        host.load()
    (failure,) = host.failures
    assert (failure.distribution, failure.version, failure.stage) == (
        "mlcore-fixture-broken",
        "1.0.0",
        "import",
    )
    assert failure.cause == "RuntimeError: no such API key"
    assert "fixture_window" in host.indicators


def test_strict_mode_raises_after_trying_every_plugin(
    installed_plugin: InstalledPlugin, monkeypatch: pytest.MonkeyPatch
) -> None:
    installed_plugin("mlcore-fixture-broken", "import mlcore_does_not_exist\n")
    installed_plugin("mlcore-fixture-good", GOOD)
    host = host_for(
        "mlcore-fixture-broken", "mlcore-fixture-good", monkeypatch=monkeypatch, strict=True
    )
    with pytest.raises(PluginLoadError, match=r"mlcore-fixture-broken.*ModuleNotFoundError"):
        load_quietly(host)
    assert "fixture_window" in host.indicators


def test_strict_mode_from_the_environment(
    installed_plugin: InstalledPlugin, monkeypatch: pytest.MonkeyPatch
) -> None:
    installed_plugin("mlcore-fixture-broken", "1 / 0\n")
    monkeypatch.setenv("MLCORE_STRICT_PLUGINS", "1")
    host = host_for("mlcore-fixture-broken", monkeypatch=monkeypatch)
    with pytest.raises(PluginLoadError, match="ZeroDivisionError"):
        load_quietly(host)


def test_a_disabled_plugin_is_never_imported(
    installed_plugin: InstalledPlugin, monkeypatch: pytest.MonkeyPatch
) -> None:
    installed_plugin("mlcore-fixture-marker", "raise SystemExit('imported!')\n")
    installed_plugin("mlcore-fixture-good", GOOD)
    monkeypatch.delenv("MLCORE_LOAD_PLUGINS", raising=False)
    host = PluginHost.from_config({"plugins": {"disable": ["mlcore-fixture-marker"]}}).load()
    assert "fixture_plugin_mlcore_fixture_marker" not in sys.modules
    skipped = {s.distribution: s.reason for s in host.skipped}
    assert skipped["mlcore-fixture-marker"] == "disabled by plugins.disable"
    assert "fixture_window" in host.indicators


def test_disable_accepts_the_entry_point_name(
    installed_plugin: InstalledPlugin, monkeypatch: pytest.MonkeyPatch
) -> None:
    installed_plugin(
        "mlcore-fixture-marker", "raise SystemExit('imported!')\n", entry_point="marker"
    )
    host = host_for("mlcore-fixture-marker", monkeypatch=monkeypatch, disable=["marker"]).load()
    disabled = [s.entry_point for s in host.skipped if s.reason == "disabled by plugins.disable"]
    assert disabled == ["marker"]


def test_load_plugins_variable_selects_and_empty_means_none(
    installed_plugin: InstalledPlugin, monkeypatch: pytest.MonkeyPatch
) -> None:
    installed_plugin("mlcore-fixture-good", GOOD)
    monkeypatch.setenv("MLCORE_LOAD_PLUGINS", "")
    host = PluginHost().load()
    assert [p.distribution for p in host.plugins] == ["mlcore"]  # builtins always load
    assert "not listed in MLCORE_LOAD_PLUGINS" in {s.reason for s in host.skipped}


def test_load_plugins_names_an_absent_distribution(monkeypatch: pytest.MonkeyPatch) -> None:
    host = host_for("mlcore-fixture-absent", monkeypatch=monkeypatch)
    with pytest.warns(MlcorePluginWarning, match="not installed"):
        host.load()


@pytest.mark.parametrize("how", ["env", "config"])
def test_autoload_off(
    installed_plugin: InstalledPlugin, monkeypatch: pytest.MonkeyPatch, how: str
) -> None:
    installed_plugin("mlcore-fixture-good", GOOD)
    monkeypatch.delenv("MLCORE_LOAD_PLUGINS", raising=False)
    if how == "env":
        monkeypatch.setenv("MLCORE_DISABLE_PLUGIN_AUTOLOAD", "1")
        host = PluginHost()
    else:
        host = PluginHost.from_config({"plugins": {"autoload": False}})
    host.load()
    assert [p.distribution for p in host.plugins] == ["mlcore"]


def test_a_plugin_for_another_kernel_version_is_not_imported(
    installed_plugin: InstalledPlugin, monkeypatch: pytest.MonkeyPatch
) -> None:
    installed_plugin(
        "mlcore-fixture-old", "raise SystemExit('imported!')\n", requires=["mlcore<0.1", "numpy"]
    )
    host = host_for("mlcore-fixture-old", monkeypatch=monkeypatch)
    with pytest.warns(
        MlcorePluginWarning, match=r"requires mlcore<0.1 but mlcore 0\.1\.0 is running"
    ):
        host.load()
    assert host.failures[0].stage == "requirement"


def test_a_duplicate_name_rolls_back_the_whole_plugin(
    installed_plugin: InstalledPlugin, monkeypatch: pytest.MonkeyPatch
) -> None:
    installed_plugin("mlcore-fixture-a", GOOD, entry_point="a")
    installed_plugin(
        "mlcore-fixture-b",
        """
        from mlcore import hookimpl

        @hookimpl
        def mlcore_register_metrics(registry):
            registry.add("b_only", "operator:ne")

        @hookimpl
        def mlcore_register_indicators(registry):
            registry.add("fixture_window", "collections:Counter")
        """,
        entry_point="b",
    )
    host = host_for("mlcore-fixture-a", "mlcore-fixture-b", monkeypatch=monkeypatch)
    with pytest.warns(MlcorePluginWarning, match=r"mlcore-fixture-b.*mlcore-fixture-a"):
        host.load()
    assert host.failures[0].stage == "register"
    assert "b_only" not in host.metrics  # rolled back with the failed plugin
    assert host.indicators.get("a:fixture_window").distribution == "mlcore-fixture-a"


def test_a_misspelt_hook_is_caught(
    installed_plugin: InstalledPlugin, monkeypatch: pytest.MonkeyPatch
) -> None:
    installed_plugin(
        "mlcore-fixture-typo",
        """
        from mlcore import hookimpl

        @hookimpl
        def mlcore_register_indicator(registry):
            pass
        """,
    )
    host = host_for("mlcore-fixture-typo", monkeypatch=monkeypatch)
    with pytest.warns(MlcorePluginWarning, match="did you mean 'mlcore_register_indicators'"):
        host.load()
    assert host.failures[0].stage == "validate"
    host.check_pending()  # the typo'd plugin was unregistered


def test_check_pending_reports_unknown_hooks() -> None:
    host = PluginHost()
    plugin = types.SimpleNamespace(mlcore_register_indicatorz=hookimpl(lambda registry: None))
    host._pm.register(plugin)
    with pytest.raises(PluginLoadError, match="mlcore_register_indicatorz"):
        host.check_pending()


def test_a_hookimpl_argument_with_a_default_is_warned_about() -> None:
    class Plugin:
        @hookimpl
        def mlcore_register_metrics(self, registry, extra=None):  # type: ignore[no-untyped-def]
            registry.add("m", "operator:eq")

    host = PluginHost().load()
    with pytest.warns(MlcorePluginWarning, match="gives a default to extra"):
        host.register_plugin(Plugin())


def test_a_registration_hook_returning_a_value_is_a_failure() -> None:
    class Plugin:
        @hookimpl
        def mlcore_register_metrics(self, registry):  # type: ignore[no-untyped-def]
            return ["accuracy"]

    host = PluginHost().load()
    with pytest.warns(MlcorePluginWarning, match=r"returned list; registration hooks return None"):
        assert host.register_plugin(Plugin(), distribution="my-plugin") is False


def test_mlcore_configure_receives_the_config_and_plugin_settings() -> None:
    seen: dict[str, Any] = {}

    class Plugin:
        @hookimpl
        def mlcore_configure(self, config):  # type: ignore[no-untyped-def]
            seen.update(config.plugins.settings_for("My_Plugin"))

    host = PluginHost.from_config({"plugins": {"config": {"my-plugin": {"window": 5}}}})
    host.register_plugin(Plugin(), distribution="my-plugin")
    assert seen == {}
    host.load()
    assert seen == {"window": 5}


def test_mlcore_configure_is_historic_for_late_plugins() -> None:
    calls = []

    class Plugin:
        @hookimpl
        def mlcore_configure(self, config):  # type: ignore[no-untyped-def]
            calls.append(config.mlflow.experiment_name)

    host = PluginHost.from_config({"mlflow": {"experiment_name": "late"}}).load()
    host.register_plugin(Plugin())
    assert calls == ["late"]


def test_mlcore_configure_that_raises_unloads_only_that_plugin() -> None:
    class Plugin:
        @hookimpl
        def mlcore_register_metrics(self, registry):  # type: ignore[no-untyped-def]
            registry.add("doomed", metric()(lambda t, p: 0.0))

        @hookimpl
        def mlcore_configure(self, config):  # type: ignore[no-untyped-def]
            raise KeyError("window")

    host = PluginHost()
    host.register_plugin(Plugin(), distribution="doomed-plugin", name="doomed")
    with pytest.warns(MlcorePluginWarning, match="configure.*KeyError"):
        host.load()
    assert "doomed" not in host.metrics
    assert "accuracy" in host.metrics


class Recorder:
    def __init__(self) -> None:
        self.calls: list[tuple[str, dict[str, Any]]] = []

    @hookimpl
    def mlcore_before_fit(self, model, data, config, run_id):  # type: ignore[no-untyped-def]
        self.calls.append(
            ("before_fit", {"model": model, "data": data, "config": config, "run_id": run_id})
        )

    @hookimpl
    def mlcore_after_fit(self, model, result):  # type: ignore[no-untyped-def]
        self.calls.append(("after_fit", {"model": model, "result": result}))
        return "after"

    @hookimpl
    def mlcore_on_fit_error(self, error, run_id):  # type: ignore[no-untyped-def]
        self.calls.append(("on_fit_error", {"error": error, "run_id": run_id}))

    @hookimpl
    def mlcore_on_drift(self, model, data, run_id, result):  # type: ignore[no-untyped-def]
        self.calls.append(("on_drift", {"result": result}))

    @hookimpl
    def mlcore_after_retrain(self, model, run_id, result):  # type: ignore[no-untyped-def]
        self.calls.append(("after_retrain", {"model": model, "run_id": run_id, "result": result}))

    @hookimpl
    def mlcore_on_model_promoted(self, model, run_id, result):  # type: ignore[no-untyped-def]
        self.calls.append(("on_model_promoted", {"result": result}))


@pytest.fixture
def recorder_host() -> tuple[PluginHost, Recorder]:
    recorder = Recorder()
    host = PluginHost().load()
    host.register_plugin(recorder, distribution="recorder")
    return host, recorder


def test_mlcore_before_fit_receives_every_argument(
    recorder_host: tuple[PluginHost, Recorder],
) -> None:
    host, recorder = recorder_host
    host.notify("mlcore_before_fit", model="m", data=("X", "y"), config={"k": 1}, run_id="r1")
    assert recorder.calls == [
        ("before_fit", {"model": "m", "data": ("X", "y"), "config": {"k": 1}, "run_id": "r1"})
    ]


def test_mlcore_after_fit_results_are_collected(recorder_host: tuple[PluginHost, Recorder]) -> None:
    host, recorder = recorder_host
    assert host.notify(
        "mlcore_after_fit", model="m", data=None, config=None, run_id=None, result={"f1": 0.6}
    ) == ["after"]
    assert recorder.calls == [("after_fit", {"model": "m", "result": {"f1": 0.6}})]


def test_mlcore_on_fit_error_gets_the_error(recorder_host: tuple[PluginHost, Recorder]) -> None:
    host, recorder = recorder_host
    error = ValueError("bad fold")
    host.notify("mlcore_on_fit_error", model="m", data=None, config=None, run_id="r", error=error)
    assert recorder.calls == [("on_fit_error", {"error": error, "run_id": "r"})]


def test_mlcore_on_drift_mlcore_after_retrain_and_mlcore_on_model_promoted(
    recorder_host: tuple[PluginHost, Recorder],
) -> None:
    host, recorder = recorder_host
    host.notify("mlcore_on_drift", model="m", data=None, run_id="r", result={"psi": 0.3})
    host.notify("mlcore_after_retrain", model="m2", run_id="r2", result={"promoted": True})
    host.notify("mlcore_on_model_promoted", model="m2", run_id="r2", result={"alias": "champion"})
    assert [c[0] for c in recorder.calls] == ["on_drift", "after_retrain", "on_model_promoted"]
    assert recorder.calls[1][1] == {"model": "m2", "run_id": "r2", "result": {"promoted": True}}


def test_an_observer_that_raises_does_not_stop_the_others(
    recorder_host: tuple[PluginHost, Recorder],
) -> None:
    host, _recorder = recorder_host

    class Failing:
        @hookimpl
        def mlcore_after_fit(self, model):  # type: ignore[no-untyped-def]
            raise RuntimeError("alerting service down")

    host.register_plugin(Failing(), distribution="alerts")
    with pytest.warns(MlcorePluginWarning, match="alerting service down; ignored"):
        results = host.notify(
            "mlcore_after_fit", model="m", data=None, config=None, run_id=None, result=None
        )
    assert results == ["after"]


def test_notify_rejects_an_unknown_hook_name() -> None:
    with pytest.raises(AttributeError, match="did you mean 'mlcore_after_fit'"):
        PluginHost().load().notify("mlcore_after_fitt")


def test_required_plugin_missing_or_too_old(
    installed_plugin: InstalledPlugin, monkeypatch: pytest.MonkeyPatch
) -> None:
    installed_plugin("mlcore-fixture-good", GOOD, version="1.0.0")
    host = host_for(
        "mlcore-fixture-good", monkeypatch=monkeypatch, require={"mlcore-fixture-good": ">=2"}
    )
    with pytest.raises(
        PluginLoadError, match=r"version 1\.0\.0 is installed but plugins.require asks for >=2"
    ):
        host.load()
    host = host_for(monkeypatch=monkeypatch, require={"mlcore-fixture-nowhere": ">=1"})
    with pytest.raises(
        PluginLoadError, match="not installed: pip install 'mlcore-fixture-nowhere>=1'"
    ):
        host.load()
    host = host_for(
        "mlcore-fixture-good", monkeypatch=monkeypatch, require={"mlcore-fixture-good": ">=1"}
    )
    assert host.load().plugin_info("mlcore-fixture-good")


def test_tracing_writes_loader_decisions(
    installed_plugin: InstalledPlugin,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    installed_plugin("mlcore-fixture-good", GOOD)
    monkeypatch.setenv("MLCORE_TRACE_PLUGINS", "1")
    host_for("mlcore-fixture-good", monkeypatch=monkeypatch).load()
    err = capsys.readouterr().err
    module = "fixture_plugin_mlcore_fixture_good"
    assert f"mlcore: loading mlcore-fixture-good:mlcore-fixture-good = {module}" in err


def test_from_config_accepts_a_yaml_path(tmp_path: Path) -> None:
    path = tmp_path / "cfg.yaml"
    path.write_text("plugins:\n  strict: true\n", encoding="utf-8")
    assert PluginHost.from_config(path).settings.strict is True
    assert PluginHost.from_config(config_from_dict({})).settings.strict is False


def test_hosts_are_independent() -> None:
    first, second = PluginHost().load(), PluginHost().load()
    first.metrics.add("only_here", "operator:eq")
    assert "only_here" not in second.metrics


def test_registry_lookup_by_kind() -> None:
    host = PluginHost().load()
    assert host.registry("metrics") is host.metrics
    with pytest.raises(KeyError, match="did you mean 'metrics'"):
        host.registry("metric")
    assert host.create("retrain_triggers", "drift", threshold=0.5).threshold == 0.5
