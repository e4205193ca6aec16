"""What went wrong with one sentiment source or scorer while items were collected."""

from __future__ import annotations

import attrs

__all__ = ["SourceFailure"]


@attrs.frozen
class SourceFailure:
    """A source (or the scorer) that failed, at which stage, and why, in one line.

    ``stage`` is ``missing`` (no adapter registered under the name), ``build`` (the
    factory refused its settings), ``fetch`` (fetching raised or returned something else
    than SentimentItems), ``partial`` (the fetch returned items but skipped a part, as
    listed in the adapter's ``failures``: a premium endpoint, one feed of several),
    ``score`` (the scorer raised or returned bad scores; the items stay unscored) or
    ``close`` (entering or closing the adapter raised; what it fetched or scored stays).
    """

    source: str
    stage: str
    error: str
    message: str

    def __str__(self) -> str:
        return f"{self.source} ({self.stage}): {self.error}: {self.message}"

    @classmethod
    def from_exception(cls, source: str, stage: str, error: BaseException) -> SourceFailure:
        """The failure an exception describes (its type name and its one-line message)."""
        message = " ".join(str(error).split()) or repr(error)
        return cls(source=source, stage=stage, error=type(error).__name__, message=message)
