"""Fixtures for the kernel's tests.

``installed_plugin`` writes a real distribution (``*.dist-info`` with METADATA and
``entry_points.txt``, plus its module) into a directory on ``sys.path``: the host then
discovers it through ``importlib.metadata`` exactly as it would a pip-installed package.
"""

from __future__ import annotations

import sys
import textwrap
from collections.abc import Callable, Iterator, Sequence
from importlib import invalidate_caches
from pathlib import Path

import pytest

InstalledPlugin = Callable[..., Path]


@pytest.fixture
def plugin_site(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    site = tmp_path / "site-packages"
    site.mkdir()
    monkeypatch.syspath_prepend(str(site))
    before = set(sys.modules)
    yield site
    for name in set(sys.modules) - before:
        if name.startswith("fixture_plugin"):
            del sys.modules[name]


@pytest.fixture
def installed_plugin(plugin_site: Path) -> InstalledPlugin:
    def install(
        distribution: str,
        source: str,
        *,
        entry_point: str | None = None,
        version: str = "1.0.0",
        requires: Sequence[str] = ("mlcore>=0.1,<2",),
    ) -> Path:
        module = "fixture_plugin_" + distribution.replace("-", "_")
        (plugin_site / f"{module}.py").write_text(textwrap.dedent(source), encoding="utf-8")
        info = plugin_site / f"{distribution.replace('-', '_')}-{version}.dist-info"
        info.mkdir()
        metadata = ["Metadata-Version: 2.1", f"Name: {distribution}", f"Version: {version}"]
        metadata += [f"Requires-Dist: {r}" for r in requires]
        (info / "METADATA").write_text("\n".join(metadata) + "\n", encoding="utf-8")
        (info / "entry_points.txt").write_text(
            f"[mlcore.plugins]\n{entry_point or distribution} = {module}\n", encoding="utf-8"
        )
        invalidate_caches()
        return plugin_site / f"{module}.py"

    return install
