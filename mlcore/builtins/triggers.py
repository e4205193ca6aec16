"""Builtin retraining triggers."""

from __future__ import annotations

import attrs
import pandas as pd

from mlcore.protocols import RetrainState, TriggerDecision

__all__ = ["DriftTrigger", "PerformanceDecayTrigger", "ScheduleTrigger"]


def _positive_offset(
    _instance: object, attribute: attrs.Attribute[object], value: str | None
) -> None:
    if value is not None and pd.Timedelta(value) <= pd.Timedelta(0):
        raise ValueError(
            f"{attribute.name} must be a positive time span such as '7D', got {value!r}"
        )


@attrs.frozen
class ScheduleTrigger:
    """Fires once ``every`` (a time span such as ``"7D"``) or ``bars`` new bars have passed."""

    every: str | None = attrs.field(default=None, validator=_positive_offset)  # type: ignore[misc]
    bars: int | None = attrs.field(
        default=None, validator=attrs.validators.optional(attrs.validators.gt(0))
    )

    def __attrs_post_init__(self) -> None:
        if self.every is None and self.bars is None:
            raise ValueError("ScheduleTrigger needs 'every' (e.g. '7D') or 'bars' (e.g. 500)")

    def check(self, state: RetrainState) -> TriggerDecision:
        if state.last_trained_at is None:
            return TriggerDecision(True, "no model has been trained yet")
        if self.bars is not None and state.bars_since_training >= self.bars:
            return TriggerDecision(True, f"{state.bars_since_training} new bars >= {self.bars}")
        if self.every is not None:
            elapsed = state.now - state.last_trained_at
            if elapsed >= pd.Timedelta(self.every):
                return TriggerDecision(True, f"{elapsed} since the last training >= {self.every}")
        return TriggerDecision(False, "schedule not yet due")


@attrs.frozen
class PerformanceDecayTrigger:
    """Fires when ``recent_score`` falls below ``baseline_score`` by more than ``threshold``.

    ``relative=True`` reads the threshold as a fraction of the baseline (0.05 = 5 %).
    ``greater_is_better=False`` is for losses.
    """

    threshold: float = attrs.field(default=0.05, validator=attrs.validators.ge(0))
    relative: bool = True
    greater_is_better: bool = True

    def check(self, state: RetrainState) -> TriggerDecision:
        if state.baseline_score is None or state.recent_score is None:
            return TriggerDecision(False, "no baseline or recent score to compare")
        drop = state.baseline_score - state.recent_score
        if not self.greater_is_better:
            drop = -drop
        allowed = self.threshold * abs(state.baseline_score) if self.relative else self.threshold
        if drop > allowed:
            return TriggerDecision(
                True,
                f"score fell from {state.baseline_score:.4g} to {state.recent_score:.4g} "
                f"(drop {drop:.4g} > allowed {allowed:.4g})",
            )
        return TriggerDecision(False, f"score drop {drop:.4g} within {allowed:.4g}")


@attrs.frozen
class DriftTrigger:
    """Fires when ``drift_score`` exceeds ``threshold`` (e.g. a PSI of 0.2)."""

    threshold: float = attrs.field(default=0.2, validator=attrs.validators.gt(0))

    def check(self, state: RetrainState) -> TriggerDecision:
        if state.drift_score is None:
            return TriggerDecision(False, "no drift score measured")
        if state.drift_score > self.threshold:
            return TriggerDecision(True, f"drift {state.drift_score:.4g} > {self.threshold:.4g}")
        return TriggerDecision(False, f"drift {state.drift_score:.4g} <= {self.threshold:.4g}")
