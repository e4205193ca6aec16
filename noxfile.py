"""Test matrix: the kernel alone, each plugin alone with the kernel, everything together.

``nox -s ci`` is what CI runs. Test-time versions are pinned in ``constraints.txt``.
"""

from __future__ import annotations

import glob
import os
import tomllib
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import nox
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).parent
CONSTRAINTS = ("-c", str(ROOT / "constraints.txt"))
PYTHONS = ["3.11", "3.12", "3.13"]
PLUGINS = sorted(p.name for p in (ROOT / "plugins").iterdir() if (p / "pyproject.toml").exists())
CONTRIB = sorted(p.name for p in (ROOT / "contrib").iterdir() if (p / "pyproject.toml").exists())
PACKAGE_SOURCES = [f"plugins/{p}/src" for p in PLUGINS] + [f"contrib/{p}/src" for p in CONTRIB]
TEST_TOOLS = (
    "pytest",
    "hypothesis",
    "build",
    "hatchling",
    "arch",
    "empyrical-reloaded",
    "quantstats",
    "statsmodels",
    "pypdfium2",
)


def _project(path: Path) -> dict[str, Any]:
    with (path / "pyproject.toml").open("rb") as file:
        return dict(tomllib.load(file)["project"])


#: Distribution name -> local path, for plugins that other plugins depend on (not on PyPI).
LOCAL = {_project(ROOT / "plugins" / p)["name"]: f"./plugins/{p}" for p in PLUGINS}


def local_dependencies(name: str) -> list[str]:
    """Paths of the first-party packages that ``plugins/<name>`` requires."""
    requirements = _project(ROOT / "plugins" / name).get("dependencies", [])
    names = {canonicalize_name(Requirement(r).name) for r in requirements}
    return [LOCAL[n] for n in sorted(names) if n in LOCAL]


nox.options.sessions = ["lint", "typecheck", "tests", "plugin", "plugins_together", "contrib"]
nox.options.default_venv_backend = "venv"
nox.options.reuse_existing_virtualenvs = True

# pyenv installs interpreters that are not on PATH unless selected: make them findable.
for _bin in sorted(glob.glob(os.path.expanduser("~/.pyenv/versions/3.1[1-9]*/bin"))):
    os.environ["PATH"] = f"{_bin}{os.pathsep}{os.environ.get('PATH', '')}"


def install(session: nox.Session, *args: str) -> None:
    session.install(*CONSTRAINTS, *args)


def install_with_kernel(
    session: nox.Session, kernel: str, *args: str, libraries: Sequence[str] = ()
) -> None:
    """The kernel first, then the first-party libraries plugins require: pip then sees them
    installed when plugins ask for ``mlcore>=X`` (older pips do not match a requirement by
    name against a local path given with extras in the same command)."""
    install(session, *kernel.split())
    if libraries:
        install(session, *libraries)
    install(session, *args)


def package_tests(name: str, group: str) -> str:
    return str(ROOT / group / name / "tests")


@nox.session(python=PYTHONS)
def tests(session: nox.Session) -> None:
    """The kernel's tests, with only the kernel installed."""
    install(session, "-e", ".[all]", *TEST_TOOLS)
    session.run("pytest", "tests", *session.posargs, env={"MLCORE_LOAD_PLUGINS": ""})


@nox.session(python="3.11")
@nox.parametrize("name", PLUGINS)
def plugin(session: nox.Session, name: str) -> None:
    """One first-party plugin with the kernel and nothing else: import check, then its tests."""
    install_with_kernel(
        session,
        ".[parquet]",
        f"./plugins/{name}[test]",
        *TEST_TOOLS,
        libraries=local_dependencies(name),
    )
    session.run("mlcore", "plugins", env={"MLCORE_STRICT_PLUGINS": "1"})
    session.run("pytest", package_tests(name, "plugins"), *session.posargs)


def install_everything(session: nox.Session) -> None:
    packages = [f"./plugins/{p}[test]" for p in PLUGINS] + [f"./contrib/{p}" for p in CONTRIB]
    libraries = sorted({path for p in PLUGINS for path in local_dependencies(p)})
    install_with_kernel(
        session,
        "-e .[all]",
        *packages,
        *TEST_TOOLS,
        "ruff",
        "mypy",
        "pandas-stubs",
        "types-PyYAML",
        libraries=libraries,
    )


def run_everything(session: nox.Session, *options: str) -> None:
    session.run("mlcore", "plugins", env={"MLCORE_STRICT_PLUGINS": "1"})
    paths = ["tests"]
    paths += [package_tests(p, "plugins") for p in PLUGINS]
    paths += [package_tests(p, "contrib") for p in CONTRIB]
    session.run("pytest", *paths, *options, *session.posargs)


@nox.session(python="3.11")
def plugins_together(session: nox.Session) -> None:
    """Every plugin installed at once; the kernel's and every plugin's tests re-run."""
    install_everything(session)
    run_everything(session)


@nox.session(python="3.11")
@nox.parametrize("name", CONTRIB)
def contrib(session: nox.Session, name: str) -> None:
    """One contrib package with the kernel: its own tests."""
    install_with_kernel(session, ".", f"./contrib/{name}", *TEST_TOOLS)
    session.run("pytest", package_tests(name, "contrib"), *session.posargs)


@nox.session(python="3.11")
def lint(session: nox.Session) -> None:
    """ruff check and ruff format --check over the whole tree."""
    install(session, "ruff")
    session.run("ruff", "check", ".")
    session.run("ruff", "format", "--check", ".")


@nox.session(python="3.11")
def typecheck(session: nox.Session) -> None:
    """mypy (strict) over the kernel."""
    install(session, "-e", ".", "mypy", "pandas-stubs", "types-PyYAML", "pytest")
    session.run("mypy")


@nox.session(python="3.11")
def ci(session: nox.Session) -> None:
    """What CI runs: lint, typecheck, then everything installed together and every test."""
    install_everything(session)
    session.run("ruff", "check", ".")
    session.run("ruff", "format", "--check", ".")
    session.run("mypy")
    session.run("mypy", *PACKAGE_SOURCES)
    # CI draws the same hypothesis examples every run, so that a landing never hangs on a
    # lucky draw; the other sessions keep exploring new ones
    run_everything(session, "--hypothesis-seed=0")
