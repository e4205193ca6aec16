"""Meta-tests: every hook is documented with its exact signature, and has a test."""

from __future__ import annotations

import ast
import inspect
import re
from pathlib import Path

import pytest

from mlcore import hookspecs

ROOT = Path(__file__).resolve().parents[1]
HOOKS_DOC = (ROOT / "docs" / "hooks.md").read_text(encoding="utf-8")
HOOK_NAMES = sorted(
    name for name, obj in vars(hookspecs).items() if name.startswith("mlcore_") and callable(obj)
)


def _test_function_names() -> set[str]:
    names = set()
    for path in (ROOT / "tests").glob("test_*.py"):
        if path.name == Path(__file__).name:
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        names |= {n.name for n in ast.walk(tree) if isinstance(n, ast.FunctionDef)}
    return names


def test_hook_list_is_not_empty() -> None:
    assert len(HOOK_NAMES) == 14, HOOK_NAMES


@pytest.mark.parametrize("name", HOOK_NAMES)
def test_every_hook_is_documented(name: str) -> None:
    assert re.search(rf"^### {name}$", HOOKS_DOC, re.MULTILINE), f"docs/hooks.md lacks '### {name}'"
    documented = re.search(rf"^{name}\((.*)\)", HOOKS_DOC, re.MULTILINE)
    assert documented, f"docs/hooks.md shows no signature line '{name}(...)'"
    doc_args = [a.split(":")[0].strip() for a in documented.group(1).split(",") if a.strip()]
    spec_args = list(inspect.signature(getattr(hookspecs, name)).parameters)
    assert doc_args == spec_args, f"{name}: docs say {doc_args}, the spec takes {spec_args}"
    assert "@hookimpl" in HOOKS_DOC.split(f"### {name}\n", 1)[1].split("\n### ", 1)[0], (
        f"docs/hooks.md has no example implementation for {name}"
    )


@pytest.mark.parametrize("name", HOOK_NAMES)
def test_every_hook_has_a_test(name: str) -> None:
    tests = _test_function_names()
    assert any(name in test for test in tests), f"no test function mentions {name} in its name"


@pytest.mark.parametrize("name", HOOK_NAMES)
def test_every_hookspec_has_versionadded_and_params(name: str) -> None:
    doc = inspect.getdoc(getattr(hookspecs, name)) or ""
    assert ".. versionadded::" in doc
    for arg in inspect.signature(getattr(hookspecs, name)).parameters:
        assert f":param {arg}:" in doc, f"{name} docstring lacks ':param {arg}:'"
