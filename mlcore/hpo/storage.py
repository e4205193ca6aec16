"""Study storage: the Optuna storage behind a URL (in memory, SQLite, journal file, SQL)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, Final

from mlcore.errors import ConfigError
from mlcore.hpo._optuna import _import_optuna

__all__ = ["open_storage"]

_JOURNAL_PREFIX: Final = "journal:///"
_IN_MEMORY: Final = "in-memory"
#: SQLite waits this many seconds for a lock held by another worker before failing.
_SQLITE_BUSY_TIMEOUT: Final = 60


def _redact(url: str) -> str:
    """The URL without its password (``postgresql://user:***@host/db``)."""
    return re.sub(r"(://[^:/@]+):[^@/]*@", r"\1:***@", url)


def _storage_label(storage: Any) -> str:
    if storage is None:
        return _IN_MEMORY
    if isinstance(storage, str):
        return _redact(storage)
    return type(storage).__name__


def _make_parent(path: str) -> None:
    parent = Path(path).parent
    if str(parent) not in ("", "."):
        parent.mkdir(parents=True, exist_ok=True)


def open_storage(storage: Any) -> Any:
    """The Optuna storage object for a storage URL.

    - ``None``: a new in-memory storage (one process; gone when it ends);
    - ``"journal:///optuna.log"``: a journal file (``JournalStorage`` with a file backend),
      for many processes on machines that share the file system. Like SQLite URLs, three
      slashes then a relative path, four for an absolute one (``journal:////data/s.log``);
    - ``"sqlite:///optuna.db"``: SQLite, waiting up to 60 s for another worker's lock;
    - any other SQLAlchemy URL (``postgresql://user:pw@host/db``, ``mysql+pymysql://...``);
    - an Optuna storage object, returned as it is.

    The folder of a SQLite or journal file is created when missing.
    """
    optuna = _import_optuna()
    if storage is None:
        return optuna.storages.InMemoryStorage()
    if not isinstance(storage, str):
        return storage
    if storage.startswith(_JOURNAL_PREFIX):
        path = storage[len(_JOURNAL_PREFIX) :]
        if not path:
            raise ConfigError(
                "a journal storage URL names a file: journal:///optuna.log (relative) or "
                "journal:////abs/path/optuna.log",
                key_path="hpo.storage",
            )
        _make_parent(path)
        from optuna.storages.journal import JournalFileBackend, JournalStorage

        return JournalStorage(JournalFileBackend(path))
    if storage.startswith("journal:"):
        raise ConfigError(
            f"{storage!r} is not a journal URL; write journal:///relative/path.log or "
            "journal:////absolute/path.log",
            key_path="hpo.storage",
        )
    if storage.startswith("sqlite:///"):
        path = storage[len("sqlite:///") :]
        if path and not path.startswith(":memory:"):
            _make_parent(path)
        engine_kwargs = {"connect_args": {"timeout": _SQLITE_BUSY_TIMEOUT}}
        return optuna.storages.RDBStorage(storage, engine_kwargs=engine_kwargs)
    return optuna.storages.RDBStorage(storage)
