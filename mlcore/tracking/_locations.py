"""Where a tracking store keeps its data: SQLite database paths, artifact locations."""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Final
from urllib.parse import unquote

_ARTIFACTS_DIR: Final = "mlartifacts"


def _sqlite_database(uri: str) -> tuple[str, Path | None]:
    """``(uri, path)`` with a relative SQLite file made absolute; other URIs pass unchanged.

    A relative ``sqlite:///mlflow.db`` names a file in the current directory when the
    manager is built; fixing it then keeps every later connection (and any other process
    given the returned URI) on the same file whatever the working directory becomes.
    """
    prefix = "sqlite:///"
    if not uri.startswith(prefix):
        return uri, None
    location, separator, query = uri[len(prefix) :].partition("?")
    if location in ("", ":memory:"):
        return uri, None
    path = Path(os.path.abspath(Path(unquote(location)).expanduser()))
    return f"{prefix}{path.as_posix()}{separator}{query}", path


def _experiment_folder(name: str) -> str:
    folder = re.sub(r"[^A-Za-z0-9._-]+", "_", name).strip("._")
    return folder or "experiment"


def _artifact_uri(location: str | os.PathLike[str] | None) -> str | None:
    if location is None:
        return None
    if isinstance(location, os.PathLike) or "://" not in str(location):
        return Path(os.path.abspath(os.fspath(location))).as_uri()
    return str(location)
