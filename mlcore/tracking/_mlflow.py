"""Access to mlflow: its import (the ``mlcore[tracking]`` extra), its errors as
:class:`~mlcore.errors.TrackingError`, and silencing its known log messages."""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Iterator
from typing import Any

from mlcore.errors import MissingExtraError, TrackingError


def _import_mlflow() -> Any:
    try:
        import mlflow
    except ImportError:
        raise MissingExtraError("mlflow", "tracking", "Experiment tracking") from None
    return mlflow


class _DropLogRecords(logging.Filter):
    def __init__(self, prefixes: tuple[str, ...]) -> None:
        super().__init__()
        self.prefixes = prefixes

    def filter(self, record: logging.LogRecord) -> bool:
        return not record.getMessage().startswith(self.prefixes)


@contextlib.contextmanager
def _without_log_records(logger_name: str, *prefixes: str) -> Iterator[None]:
    """Silence one known, expected message of a library logger for the duration."""
    drop = _DropLogRecords(prefixes)
    target = logging.getLogger(logger_name)
    target.addFilter(drop)
    try:
        yield
    finally:
        target.removeFilter(drop)


@contextlib.contextmanager
def _mlflow_errors(action: str, error_class: type[TrackingError] = TrackingError) -> Iterator[None]:
    """Turn an MlflowException raised while doing ``action`` into a TrackingError."""
    from mlflow.exceptions import MlflowException

    try:
        yield
    except MlflowException as error:
        raise error_class(f"{action} failed: {error.message}") from error


def _is_missing_resource(error: BaseException) -> bool:
    return getattr(error, "error_code", "") == "RESOURCE_DOES_NOT_EXIST"
