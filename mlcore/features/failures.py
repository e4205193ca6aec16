"""What happens when one indicator fails: a recorded failure and a warning, not a crash.

A feature set is built from many plugins' indicators. One that cannot be imported, built
or computed is skipped with a :class:`~mlcore.errors.MlcorePluginWarning` naming it and its
distribution, and recorded as a :class:`FeatureFailure`; the other features are computed.
Strict mode (``strict=True``) raises :class:`~mlcore.errors.FeatureError` instead.
"""

from __future__ import annotations

import os
import sys
import warnings

import attrs

from mlcore.errors import FeatureError, MlcorePluginWarning

__all__ = ["FeatureFailure", "report_failure"]


@attrs.frozen
class FeatureFailure:
    """An indicator that produced no features, and why, in one line.

    ``indicator`` is its feature label (``rsi_14``, or ``rsi_14@1W`` on a higher
    timeframe) or, when it could not be built, its registered name; ``stage`` is
    ``import``, ``build`` or ``compute``.
    """

    indicator: str
    distribution: str
    version: str
    stage: str
    cause: str

    def __str__(self) -> str:
        version = f" {self.version}" if self.version else ""
        return (
            f"indicator {self.indicator!r} from distribution '{self.distribution}{version}' "
            f"failed ({self.stage}): {self.cause}"
        )


def one_line(error: BaseException) -> str:
    """``ExceptionType: first line of the message``."""
    text = str(error).strip().splitlines()
    return f"{type(error).__name__}: {text[0]}" if text else type(error).__name__


def report_failure(failure: FeatureFailure, *, strict: bool, error: BaseException) -> None:
    """Raise :class:`FeatureError` (strict) or warn that the indicator is skipped."""
    if strict:
        raise FeatureError(
            f"{failure} (strict mode; pass strict=False to skip it and keep the others)",
            indicator=failure.indicator,
        ) from error
    warnings.warn(
        f"{failure}; its features are skipped, the others are computed "
        "(strict=True raises instead)",
        MlcorePluginWarning,
        stacklevel=_outside_this_package(),
    )


def _outside_this_package() -> int:
    """The ``stacklevel`` that points a warning at the caller of mlcore.features."""
    here = os.path.dirname(__file__)
    frame, level = sys._getframe(1), 1
    while frame is not None and os.path.dirname(frame.f_code.co_filename) == here:
        frame, level = frame.f_back, level + 1  # type: ignore[assignment]
    return level
