"""The drawdown table and maximum drawdown duration, by hand."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from mlcore import AnalyticsError
from mlcore.analytics import AdvancedAnalytics


def _analytics(wealth: list[float]) -> AdvancedAnalytics:
    """Analytics whose wealth after each period is ``wealth`` (starting from 1.0)."""
    levels = np.concatenate(([1.0], wealth))
    index = pd.bdate_range("2021-01-04", periods=len(wealth))
    return AdvancedAnalytics(metrics={}).add_returns(
        pd.Series(levels[1:] / levels[:-1] - 1, index=index)
    )


# wealth:   1.1  0.99 0.88 1.1  1.21 1.089 1.15 0.968 1.0
# position: 0    1    2    3    4    5     6    7     8
WEALTH = [1.1, 0.99, 0.88, 1.1, 1.21, 1.089, 1.15, 0.968, 1.0]


def test_drawdown_table_by_hand() -> None:
    analytics = _analytics(WEALTH)
    days = analytics.returns.index  # type: ignore[union-attr]
    table = analytics.analyze_drawdowns()
    assert list(table.columns) == [
        "start", "trough", "recovery", "depth", "length", "time_to_recover"
    ]  # fmt: skip
    # spell 1: under water at 1..2, trough 0.88 / 1.1 - 1 = -0.2 at 2, back at 1.1 on 3
    # spell 2: under water at 5..8 below 1.21, trough 0.968 / 1.21 - 1 = -0.2 at 7, unrecovered
    assert len(table) == 2
    deepest, second = table.iloc[0], table.iloc[1]
    assert deepest["depth"] == pytest.approx(-0.2)
    assert second["depth"] == pytest.approx(-0.2)
    first_spell = table[table["start"] == days[1]].iloc[0]
    assert first_spell["trough"] == days[2]
    assert first_spell["recovery"] == days[3]
    assert first_spell["length"] == 2
    assert first_spell["time_to_recover"] == 1
    last_spell = table[table["start"] == days[5]].iloc[0]
    assert last_spell["trough"] == days[7]
    assert pd.isna(last_spell["recovery"])
    assert last_spell["length"] == 4
    assert pd.isna(last_spell["time_to_recover"])


def test_table_is_sorted_deepest_first_and_top_limits_it() -> None:
    analytics = _analytics([0.9, 1.0, 0.5, 1.2, 1.08, 1.3])
    table = analytics.analyze_drawdowns()
    assert table["depth"].tolist() == pytest.approx([-0.5, -0.1, -0.1])
    assert len(analytics.analyze_drawdowns(top=1)) == 1
    with pytest.raises(AnalyticsError, match="top must be a positive integer"):
        analytics.analyze_drawdowns(top=0)


def test_max_drawdown_duration_and_absolute() -> None:
    risk = _analytics(WEALTH).calculate_metrics().risk
    assert risk.max_drawdown_duration == 4
    assert risk.max_drawdown == pytest.approx(-0.2)
    assert risk.max_drawdown_absolute == pytest.approx(0.968 - 1.21)


def test_never_under_water_gives_an_empty_table() -> None:
    analytics = _analytics([1.01, 1.02, 1.05])
    table = analytics.analyze_drawdowns()
    assert table.empty
    assert next(iter(table.columns)) == "start"
    assert (analytics.drawdown_series() == 0).all()


def test_first_period_loss_is_a_drawdown_from_the_start() -> None:
    analytics = _analytics([0.95, 1.0])
    table = analytics.analyze_drawdowns()
    assert table["depth"].tolist() == pytest.approx([-0.05])
    assert table["recovery"].iloc[0] == analytics.returns.index[1]  # type: ignore[union-attr]


def test_time_zone_is_kept() -> None:
    index = pd.bdate_range("2021-01-04", periods=3, tz="UTC")
    analytics = AdvancedAnalytics(metrics={}).add_returns(pd.Series([-0.1, 0.0, 0.2], index=index))
    table = analytics.analyze_drawdowns()
    assert table["start"].dt.tz is not None
    assert table["recovery"].dt.tz is not None
