"""Every error mlcore raises, and the one warning.

Messages name the thing that is wrong (column, row, key path, plugin, version) and say
how to fix it.
"""

from __future__ import annotations

from collections.abc import Sequence

__all__ = [
    "AnalyticsError",
    "ConfigError",
    "DataValidationError",
    "FeatureError",
    "HookResultError",
    "HpoError",
    "MissingExtraError",
    "MlcoreError",
    "MlcorePluginWarning",
    "ModelLoadError",
    "ModelNotFoundError",
    "PluginLoadError",
    "RegistrationError",
    "SentimentAuthError",
    "SentimentSourceError",
    "SplitError",
    "TrackingError",
    "TrackingWarning",
    "UnknownComponentError",
]


class MlcoreError(Exception):
    """Base class of every mlcore error."""


class MlcorePluginWarning(UserWarning):
    """A plugin failed to load or misbehaved; the other plugins keep working."""


class ConfigError(MlcoreError, ValueError):
    """A configuration value is unknown, missing or of the wrong type.

    ``key_path`` is the dotted path of the offending key (``training.n_splits``).
    """

    def __init__(self, message: str, *, key_path: str = "", source: str | None = None) -> None:
        self.key_path = key_path
        self.source = source
        where = f"{source}: " if source else ""
        at = f"config key '{key_path}': " if key_path else ""
        super().__init__(f"{where}{at}{message}")


class DataValidationError(MlcoreError, ValueError):
    """Market data breaks the OHLCV contract.

    ``rule`` names the broken rule (``nan``, ``duplicate_timestamp`` ...) and ``rows`` holds
    the offending index labels (at most the first few are shown in the message).
    """

    def __init__(
        self,
        message: str,
        *,
        rule: str = "",
        rows: Sequence[object] = (),
        column: str | None = None,
    ) -> None:
        self.rule = rule
        self.rows = list(rows)
        self.column = column
        super().__init__(message)


class FeatureError(MlcoreError, ValueError):
    """Features cannot be built as asked: two indicators claim one column name, an
    indicator failed in strict mode, or a frame lacks the columns a fitted step needs.

    ``indicator`` names the indicator (``rsi_14`` or ``mlcore-indicators:rsi``) when one is
    to blame.
    """

    def __init__(self, message: str, *, indicator: str | None = None) -> None:
        self.indicator = indicator
        super().__init__(message)


class AnalyticsError(MlcoreError, ValueError):
    """Performance analytics cannot be computed from the given trades or returns: an empty
    history, a NaN return, unsorted times, a zero-length trade, a missing benchmark...

    ``column`` and ``row`` name the offending column and row label when one is to blame.
    """

    def __init__(self, message: str, *, column: str | None = None, row: object = None) -> None:
        self.column = column
        self.row = row
        super().__init__(message)


class PluginLoadError(MlcoreError):
    """A plugin could not be loaded (raised in strict mode, or for a required plugin)."""


class RegistrationError(MlcoreError):
    """A component could not be registered, usually because its name is taken."""


class UnknownComponentError(MlcoreError, KeyError):
    """No component is registered under the requested name."""

    def __str__(self) -> str:  # KeyError would quote the message
        return str(self.args[0]) if self.args else ""


class HookResultError(MlcoreError, TypeError):
    """A hook implementation returned a value of the wrong shape."""


class MissingExtraError(MlcoreError, ImportError):
    """An optional dependency is missing; the message names the extra to install."""

    def __init__(self, module: str, extra: str, purpose: str) -> None:
        self.module = module
        self.extra = extra
        super().__init__(
            f"{purpose} needs the '{module}' package, which is not installed; "
            f"install it with: pip install 'mlcore[{extra}]'"
        )


class SplitError(MlcoreError, ValueError):
    """A cross-validation splitter cannot cut the data as asked: too few rows for the folds,
    a training set emptied by purging, or label end times ``t1`` that do not match the rows.
    """


class TrackingError(MlcoreError):
    """MLflow refused a tracking or registry operation, or it was used out of order."""


class ModelNotFoundError(TrackingError, KeyError):
    """A registered model, version or alias does not exist; the message lists what does."""

    def __str__(self) -> str:  # KeyError would quote the message
        return str(self.args[0]) if self.args else ""


class ModelLoadError(TrackingError):
    """A logged model could not be loaded; the message names the URI and the cause."""


class TrackingWarning(UserWarning):
    """Something was dropped or guessed while logging (a secret, a NaN metric...)."""


class HpoError(MlcoreError):
    """A hyperparameter search produced no usable result (no trial completed)."""


class SentimentSourceError(MlcoreError):
    """A sentiment source failed: unreachable, out of retries, or answering in a format
    that cannot be parsed. ``source`` names it; the aggregate is built from the others.
    """

    def __init__(self, source: str, message: str) -> None:
        self.source = source
        super().__init__(f"sentiment source '{source}': {message}")


class SentimentAuthError(SentimentSourceError):
    """A sentiment source refused the credentials (HTTP 401/403): a missing or invalid token,
    or an endpoint the subscription tier does not include.
    """
