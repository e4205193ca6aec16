"""Real plugins, really installed: nothing here fakes package metadata.

One fresh virtual environment per module gets wheels built from this repository (the
kernel), from contrib/mlcore-example-plugin and from the throwaway packages under
tests/fixtures/plugins/. The checks then run that environment's ``mlcore`` command and
its Python, so discovery reads the entry points pip wrote, exactly as a user's would.

The environment sees the site-packages of the interpreter running the tests (numpy,
pandas, scikit-learn ... are not downloaded again), after its own: the kernel and the
plugins are installed into it, and every command runs from an empty directory, so the
source tree is never imported by mistake. Other mlcore plugins installed where the tests
run may show up too (usually as import failures: editable installs are not followed); the
checks look only at the distributions they installed.
"""

from __future__ import annotations

import json
import math
import os
import subprocess
import sys
import textwrap
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import pytest

pytestmark = pytest.mark.slow

REPO = Path(__file__).resolve().parents[1]
EXAMPLE = REPO / "contrib" / "mlcore-example-plugin"
FIXTURE_PLUGINS = REPO / "tests" / "fixtures" / "plugins"

EXAMPLE_DIST = "mlcore-example-plugin"
BROKEN = "broken-import-plugin"
MARKER = "disabled-marker-plugin"
OLD_KERNEL = "old-kernel-plugin"
DUPLICATE = "zscore-duplicate-plugin"  # sorts after mlcore-example-plugin: it loads second
FIXTURES = (BROKEN, MARKER, OLD_KERNEL, DUPLICATE)

BUILD_TIMEOUT = 600
COMMAND_TIMEOUT = 180

# z-score over 3 bars of [1, 2, 3, 4, 6, 2], by hand: windows [1,2,3] and [2,3,4] have mean
# m and population std sqrt(2/3), so z = 1/sqrt(2/3) = sqrt(3/2); [3,4,6]: mean 13/3, std
# sqrt(14)/3, z = (5/3)/(sqrt(14)/3) = 5/sqrt(14); [4,6,2]: mean 4, std sqrt(8/3),
# z = -2/sqrt(8/3) = -sqrt(3/2).
TINY_CLOSE = [1.0, 2.0, 3.0, 4.0, 6.0, 2.0]
TINY_ZSCORE_3 = [
    math.nan,
    math.nan,
    math.sqrt(1.5),
    math.sqrt(1.5),
    5 / math.sqrt(14),
    -math.sqrt(1.5),
]


def _explain(result: subprocess.CompletedProcess[str]) -> str:
    command = " ".join(str(a) for a in result.args)
    return (
        f"command: {command}\nexit code: {result.returncode}\n"
        f"--- stdout (tail) ---\n{result.stdout[-4000:]}\n"
        f"--- stderr (tail) ---\n{result.stderr[-4000:]}"
    )


class Venv:
    """The virtual environment and how to run things in it."""

    def __init__(self, root: Path, workdir: Path) -> None:
        self.root = root
        self.bin = root / ("Scripts" if os.name == "nt" else "bin")
        self.python = self.bin / ("python.exe" if os.name == "nt" else "python")
        self.workdir = workdir  # an empty directory: nothing importable by accident
        self.kernel_version = ""

    def env(self, extra: Mapping[str, str] | None = None) -> dict[str, str]:
        """The outer environment without anything that would steer mlcore or pytest.

        pip's own settings stay: an index mirror may be needed to fetch hatchling.
        """
        env = {
            key: value
            for key, value in os.environ.items()
            if not key.startswith(("MLCORE_", "PYTEST_"))
            and key not in {"PYTHONPATH", "PYTHONHOME", "PYTHONSTARTUP", "VIRTUAL_ENV"}
        }
        env["PATH"] = f"{self.bin}{os.pathsep}{env.get('PATH', '')}"
        env["VIRTUAL_ENV"] = str(self.root)
        env["PIP_DISABLE_PIP_VERSION_CHECK"] = "1"
        env["PIP_NO_INPUT"] = "1"
        env.update(extra or {})
        return env

    def run(
        self,
        args: Sequence[str | Path],
        *,
        env: Mapping[str, str] | None = None,
        cwd: Path | None = None,
        timeout: float = COMMAND_TIMEOUT,
    ) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [str(a) for a in args],
            cwd=cwd or self.workdir,
            env=self.env(env),
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )

    def check(self, args: Sequence[str | Path], **kwargs: Any) -> subprocess.CompletedProcess[str]:
        result = self.run(args, **kwargs)
        assert result.returncode == 0, _explain(result)
        return result

    def mlcore(
        self, *args: str | Path, env: Mapping[str, str] | None = None
    ) -> subprocess.CompletedProcess[str]:
        return self.run([self.bin / "mlcore", *args], env=env)

    def python_script(self, source: str, *args: str, env: Mapping[str, str] | None = None) -> Any:
        """Run ``source`` with the venv's python and ``args``; it prints one JSON document."""
        result = self.check([self.python, "-c", textwrap.dedent(source), *args], env=env)
        return json.loads(result.stdout)


def _plugins_json(
    venv: Venv, *args: str | Path, env: Mapping[str, str] | None = None, expect_ok: bool = True
) -> tuple[subprocess.CompletedProcess[str], dict[str, Any]]:
    result = venv.mlcore("plugins", *args, "--json", env=env)
    if expect_ok:
        assert result.returncode == 0, _explain(result)
    try:
        listing = json.loads(result.stdout)
    except json.JSONDecodeError:
        pytest.fail(f"`mlcore plugins --json` did not print JSON\n{_explain(result)}")
    return result, listing


def _entry(listing: dict[str, Any], section: str, distribution: str) -> dict[str, Any]:
    found = [e for e in listing[section] if e["distribution"] == distribution]
    assert len(found) == 1, (
        f"expected one {section} entry for {distribution}, got {found}\n"
        f"full listing: {json.dumps(listing, indent=2)}"
    )
    return found[0]


def _absent(listing: dict[str, Any], section: str, distribution: str) -> None:
    found = [e for e in listing[section] if e["distribution"] == distribution]
    assert not found, f"{distribution} should not be under {section!r}: {found}"


# ---------------------------------------------------------------------------
# the environment
# ---------------------------------------------------------------------------


def _outer_site_dirs() -> list[str]:
    """The site-packages directories of the interpreter running the tests.

    That is a nox session's virtual environment or the system's. Their ``.pth`` files are
    not read, so editable installs (this repository, a plugin's ``src/``) stay out.
    """
    found = []
    for entry in sys.path:
        path = Path(entry or ".").resolve()
        if path.name in {"site-packages", "dist-packages"} and path.is_dir():
            found.append(str(path))
    return list(dict.fromkeys(found))


@pytest.fixture(scope="module")
def venv(tmp_path_factory: pytest.TempPathFactory) -> Venv:
    base = tmp_path_factory.mktemp("installed-plugins")
    workdir = base / "work"
    workdir.mkdir()
    env = Venv(base / "venv", workdir)
    created = subprocess.run(
        [sys.executable, "-m", "venv", "--without-pip", str(env.root)],
        capture_output=True,
        text=True,
        timeout=BUILD_TIMEOUT,
        check=False,
    )
    assert created.returncode == 0, _explain(created)
    purelib = env.check(
        [env.python, "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"]
    )
    # Appended after the venv's own site-packages: what is installed here comes first.
    Path(purelib.stdout.strip(), "_outer_site_packages.pth").write_text(
        "".join(f"{directory}\n" for directory in _outer_site_dirs())
    )
    if env.run([env.python, "-m", "pip", "--version"]).returncode != 0:
        env.check([env.python, "-m", "ensurepip", "--default-pip"], timeout=BUILD_TIMEOUT)
    # The wheels are built without isolation, so the build backend must be importable.
    if env.run([env.python, "-c", "import hatchling"]).returncode != 0:
        fetched = env.run(
            [env.python, "-m", "pip", "install", "hatchling>=1.21"], timeout=BUILD_TIMEOUT
        )
        if fetched.returncode != 0:
            pytest.skip(
                f"hatchling is not installed and could not be fetched:\n{fetched.stderr[-2000:]}"
            )
    wheels = base / "wheels"
    sources = [REPO, EXAMPLE, *(FIXTURE_PLUGINS / name for name in FIXTURES)]
    env.check(
        [
            env.python,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--no-build-isolation",
            "--wheel-dir",
            wheels,
            *sources,
        ],
        timeout=BUILD_TIMEOUT,
    )
    built = sorted(wheels.glob("*.whl"))
    assert len(built) == len(sources), (
        f"expected {len(sources)} wheels, got {[w.name for w in built]}"
    )
    # --ignore-installed: a copy of the kernel in the outer site-packages must not count.
    env.check(
        [
            env.python,
            "-m",
            "pip",
            "install",
            "--no-deps",
            "--ignore-installed",
            "--no-index",
            *built,
        ],
        timeout=BUILD_TIMEOUT,
    )
    (kernel_wheel,) = (w for w in built if w.name.startswith("mlcore-"))
    env.kernel_version = kernel_wheel.name.split("-")[1]
    return env


@pytest.fixture(scope="module")
def markers(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("markers")


@pytest.fixture(scope="module")
def default_listing(venv: Venv, markers: Path) -> dict[str, Any]:
    """``mlcore plugins --json`` with every plugin allowed to load."""
    _, listing = _plugins_json(
        venv,
        env={
            "DISABLED_MARKER_PLUGIN_MARKER": str(markers / "default-marker"),
            "OLD_KERNEL_PLUGIN_MARKER": str(markers / "default-old-kernel"),
        },
    )
    return listing


API_SCRIPT = """
import json, sys, warnings

import attrs
import pandas as pd

import mlcore
from mlcore import MlcorePluginWarning, PluginHost

with warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter("always")
    host = PluginHost.from_config().load()

lazy_before_use = {
    name: name in sys.modules
    for name in ("mlcore_example_plugin.indicators", "mlcore_example_plugin.metrics")
}
zscore = host.indicators.get("zscore")
indicator = host.create("indicators", "example:zscore", period=3)
values = indicator.compute(pd.DataFrame({"close": json.loads(sys.argv[1])}))
print(json.dumps({
    "mlcore_file": mlcore.__file__,
    "example_file": sys.modules["mlcore_example_plugin"].__file__,
    "failures": [attrs.asdict(f) for f in host.failures],
    "warnings": [str(w.message) for w in caught if issubclass(w.category, MlcorePluginWarning)],
    "imported_before_use": lazy_before_use,
    "zscore": {"distribution": zscore.distribution, "qualified_name": zscore.qualified_name},
    "resolves": {
        name: host.indicators.get(name).distribution
        for name in ("example:zscore", "mlcore-example-plugin:zscore", "price_zscore")
    },
    "hit_rate": {
        "distribution": host.metrics.get("example:hit_rate").distribution,
        "greater_is_better": host.metrics.create("hit_rate").greater_is_better,
        "value": host.metrics.create("hit_rate")([0.01, -0.02, 0.0, 0.03], [1, 1, -1, 0.5]),
    },
    "shadow_registered": "zscore_shadow" in host.indicators,
    "duplicate_loaded": bool(host.plugin_info("zscore-duplicate-plugin")),
    "columns": list(values.columns),
    "values": values.iloc[:, 0].tolist(),
}))
"""


@pytest.fixture(scope="module")
def api_report(venv: Venv) -> dict[str, Any]:
    """What a PluginHost built in the venv's Python sees."""
    return venv.python_script(API_SCRIPT, json.dumps(TINY_CLOSE))


# ---------------------------------------------------------------------------
# the kernel and the example plugin
# ---------------------------------------------------------------------------


def test_the_installed_kernel_and_plugin_are_imported_not_the_source_tree(
    venv: Venv, api_report: dict[str, Any]
) -> None:
    for key in ("mlcore_file", "example_file"):
        assert Path(api_report[key]).is_relative_to(venv.root), (
            f"{key} = {api_report[key]} is outside {venv.root}"
        )


def test_version_command_prints_the_installed_kernel_version(venv: Venv) -> None:
    result = venv.mlcore("--version")
    assert result.returncode == 0, _explain(result)
    assert venv.kernel_version in result.stdout, _explain(result)


def test_kernel_builtins_are_listed(venv: Venv, default_listing: dict[str, Any]) -> None:
    assert default_listing["mlcore_version"] == venv.kernel_version
    assert isinstance(default_listing["plugin_api_version"], int)
    assert default_listing["strict"] is False
    builtins = _entry(default_listing, "plugins", "mlcore")
    assert builtins["builtin"] is True
    assert builtins["version"] == venv.kernel_version
    assert "accuracy" in builtins["components"]["metrics"]


def test_example_plugin_is_listed_with_its_components(default_listing: dict[str, Any]) -> None:
    example = _entry(default_listing, "plugins", EXAMPLE_DIST)
    assert example["version"] == "0.1.0"
    assert example["builtin"] is False
    assert example["entry_point"] == "example"
    assert example["value"] == "mlcore_example_plugin.plugin"
    assert set(example["hooks"]) == {
        "mlcore_configure",
        "mlcore_register_indicators",
        "mlcore_register_metrics",
    }
    assert example["components"] == {"indicators": ["zscore"], "metrics": ["hit_rate"]}
    _absent(default_listing, "failures", EXAMPLE_DIST)


def test_example_components_resolve_by_name_alias_and_qualified_name(
    api_report: dict[str, Any],
) -> None:
    assert api_report["zscore"] == {
        "distribution": EXAMPLE_DIST,
        "qualified_name": "example:zscore",
    }
    assert set(api_report["resolves"].values()) == {EXAMPLE_DIST}, api_report["resolves"]
    assert api_report["hit_rate"] == {
        "distribution": EXAMPLE_DIST,
        "greater_is_better": True,
        "value": 2 / 3,
    }


def test_example_components_are_imported_lazily(api_report: dict[str, Any]) -> None:
    assert api_report["imported_before_use"] == {
        "mlcore_example_plugin.indicators": False,
        "mlcore_example_plugin.metrics": False,
    }, "loading the plugin imported its components: plugin.py must register 'module:attr' strings"


def test_example_zscore_matches_a_hand_calculation(api_report: dict[str, Any]) -> None:
    assert api_report["columns"] == ["zscore_3"]
    got = api_report["values"]
    assert len(got) == len(TINY_ZSCORE_3)
    for row, (value, expected) in enumerate(zip(got, TINY_ZSCORE_3, strict=True)):
        if math.isnan(expected):
            assert math.isnan(value), f"row {row}: expected NaN during the warmup, got {value}"
        else:
            assert value == pytest.approx(expected, abs=1e-12), f"row {row}"


def test_components_command_lists_the_example_indicator(venv: Venv) -> None:
    result = venv.mlcore("components", "indicators", "--json")
    assert result.returncode == 0, _explain(result)
    listing = {c["name"]: c for c in json.loads(result.stdout)}
    zscore = listing.get("zscore")
    assert zscore is not None, _explain(result)
    assert zscore["qualified_name"] == "example:zscore"
    assert zscore["distribution"] == EXAMPLE_DIST
    assert zscore["aliases"] == ["price_zscore"]
    # Reading the parameters imports the lazy factory from the installed wheel.
    assert zscore["parameters"] == [
        {"name": "period", "default": "20", "required": False, "type": "int"}
    ]


def test_example_plugin_test_suite_passes_against_the_installed_kernel(venv: Venv) -> None:
    # Exactly what the README tells a plugin author to run, from the plugin's directory.
    result = venv.run(
        [venv.python, "-m", "pytest", "-q", "-p", "no:cacheprovider", "tests"],
        cwd=EXAMPLE,
        env={"PYTHONDONTWRITEBYTECODE": "1"},
    )
    assert result.returncode == 0, _explain(result)


# ---------------------------------------------------------------------------
# a plugin that fails at import
# ---------------------------------------------------------------------------


def test_broken_import_is_a_recorded_failure_and_the_others_keep_working(
    default_listing: dict[str, Any],
) -> None:
    failure = _entry(default_listing, "failures", BROKEN)
    assert failure["stage"] == "import"
    assert failure["entry_point"] == "broken"
    assert failure["version"] == "0.0.1"
    assert "RuntimeError" in failure["cause"]
    assert "fails at import on purpose" in failure["cause"]
    _absent(default_listing, "plugins", BROKEN)
    _entry(default_listing, "plugins", EXAMPLE_DIST)
    _entry(default_listing, "plugins", "mlcore")


@pytest.mark.parametrize("how", ["environment", "config"])
def test_strict_mode_exits_non_zero_and_still_reports(venv: Venv, tmp_path: Path, how: str) -> None:
    if how == "environment":
        result, listing = _plugins_json(venv, env={"MLCORE_STRICT_PLUGINS": "1"}, expect_ok=False)
    else:
        config = tmp_path / "strict.yaml"
        config.write_text("plugins:\n  strict: true\n")
        result, listing = _plugins_json(venv, "--config", config, expect_ok=False)
    assert result.returncode != 0, f"strict mode with a broken plugin must fail\n{_explain(result)}"
    assert listing["strict"] is True
    assert _entry(listing, "failures", BROKEN)["stage"] == "import"
    assert BROKEN in result.stderr, f"the error should name the broken plugin\n{_explain(result)}"
    _entry(listing, "plugins", EXAMPLE_DIST)


def test_strict_mode_passes_when_only_healthy_plugins_load(venv: Venv) -> None:
    result, listing = _plugins_json(
        venv, env={"MLCORE_STRICT_PLUGINS": "1", "MLCORE_LOAD_PLUGINS": EXAMPLE_DIST}
    )
    assert listing["strict"] is True
    assert listing["failures"] == [], _explain(result)


def test_trace_names_each_plugin_as_it_loads(venv: Venv) -> None:
    result = venv.mlcore("plugins", "--json", env={"MLCORE_TRACE_PLUGINS": "1"})
    assert result.returncode == 0, _explain(result)
    assert f"loading {EXAMPLE_DIST}:example" in result.stderr, _explain(result)
    assert f"failed: {BROKEN}" in result.stderr, _explain(result)


# ---------------------------------------------------------------------------
# disabled plugins are never imported
# ---------------------------------------------------------------------------


def test_enabled_marker_plugin_is_imported(default_listing: dict[str, Any], markers: Path) -> None:
    assert (markers / "default-marker").exists(), "the marker plugin was not imported while enabled"
    marker = _entry(default_listing, "plugins", MARKER)
    assert marker["components"] == {"metrics": ["marker_metric"]}
    _absent(default_listing, "skipped", MARKER)


@pytest.mark.parametrize(
    ("how", "reason"),
    [
        ("config option", "plugins.disable"),
        ("MLCORE_CONFIG", "plugins.disable"),
        ("MLCORE_LOAD_PLUGINS", "MLCORE_LOAD_PLUGINS"),
        ("MLCORE_DISABLE_PLUGIN_AUTOLOAD", "autoload"),
    ],
)
def test_disabled_plugin_is_skipped_and_never_imported(
    venv: Venv, tmp_path: Path, how: str, reason: str
) -> None:
    marker_file = tmp_path / "marker"
    config = tmp_path / "disable.yaml"
    config.write_text(f"plugins:\n  disable: [{MARKER}]\n")
    env = {"DISABLED_MARKER_PLUGIN_MARKER": str(marker_file)}
    args: list[str | Path] = []
    if how == "config option":
        args = ["--config", config]
    elif how == "MLCORE_CONFIG":
        env["MLCORE_CONFIG"] = str(config)
    elif how == "MLCORE_LOAD_PLUGINS":
        env["MLCORE_LOAD_PLUGINS"] = EXAMPLE_DIST
    else:
        env["MLCORE_DISABLE_PLUGIN_AUTOLOAD"] = "1"
    _, listing = _plugins_json(venv, *args, env=env)
    assert not marker_file.exists(), f"{MARKER} was imported although disabled ({how})"
    skipped = _entry(listing, "skipped", MARKER)
    assert reason in skipped["reason"], skipped
    assert skipped["entry_point"] == "marker"
    _absent(listing, "plugins", MARKER)
    _absent(listing, "failures", MARKER)
    _entry(listing, "plugins", "mlcore")
    if how == "MLCORE_DISABLE_PLUGIN_AUTOLOAD":
        _absent(listing, "plugins", EXAMPLE_DIST)
        assert "autoload" in _entry(listing, "skipped", EXAMPLE_DIST)["reason"]
    else:
        _entry(listing, "plugins", EXAMPLE_DIST)
    if how == "MLCORE_LOAD_PLUGINS":
        for name in (BROKEN, OLD_KERNEL, DUPLICATE):
            _absent(listing, "failures", name)
            _entry(listing, "skipped", name)


# ---------------------------------------------------------------------------
# a plugin written for another kernel
# ---------------------------------------------------------------------------


def test_plugin_needing_another_kernel_is_refused_before_import(
    venv: Venv, default_listing: dict[str, Any], markers: Path
) -> None:
    failure = _entry(default_listing, "failures", OLD_KERNEL)
    assert failure["stage"] == "requirement"
    assert "<0.1" in failure["cause"], failure
    assert venv.kernel_version in failure["cause"], failure
    _absent(default_listing, "plugins", OLD_KERNEL)
    assert not (markers / "default-old-kernel").exists(), (
        f"{OLD_KERNEL} was imported although refused"
    )


# ---------------------------------------------------------------------------
# two plugins want the same name
# ---------------------------------------------------------------------------


def test_duplicate_name_is_a_registration_failure_naming_both(
    default_listing: dict[str, Any],
) -> None:
    failure = _entry(default_listing, "failures", DUPLICATE)
    assert failure["stage"] == "register"
    assert DUPLICATE in failure["cause"], failure
    assert EXAMPLE_DIST in failure["cause"], failure
    assert "'zscore'" in failure["cause"], failure
    _absent(default_listing, "plugins", DUPLICATE)
    assert _entry(default_listing, "plugins", EXAMPLE_DIST)["components"]["indicators"] == [
        "zscore"
    ]


def test_duplicate_name_leaves_the_first_registration_working(api_report: dict[str, Any]) -> None:
    (failure,) = (f for f in api_report["failures"] if f["distribution"] == DUPLICATE)
    assert failure["stage"] == "register"
    assert DUPLICATE in failure["cause"], failure
    assert EXAMPLE_DIST in failure["cause"], failure
    warned = [w for w in api_report["warnings"] if DUPLICATE in w]
    assert warned, f"no MlcorePluginWarning named {DUPLICATE}: {api_report['warnings']}"
    assert EXAMPLE_DIST in warned[0]
    assert api_report["zscore"]["distribution"] == EXAMPLE_DIST
    assert api_report["resolves"]["example:zscore"] == EXAMPLE_DIST
    assert api_report["duplicate_loaded"] is False
    # The failed plugin's other registration is rolled back with it.
    assert api_report["shadow_registered"] is False
