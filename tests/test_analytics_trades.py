"""Trade histories: validation errors that name the row and column, and trade statistics
checked against hand calculations written here."""

from __future__ import annotations

import math
import re

import numpy as np
import pandas as pd
import pytest

from mlcore import AnalyticsError
from mlcore.analytics import AdvancedAnalytics
from mlcore.analytics.trades import gross_exposure_peak, trades_to_returns, validate_trades


def _trades() -> list[dict[str, object]]:
    """Four trades; the P&L of each is worked out in ``test_trade_pnl_by_hand``."""
    return [
        # long 10 @ 100 -> 110, fees 2: pnl = 10 * 10 - 2 = 98
        {"entry_time": "2024-01-02", "exit_time": "2024-01-05", "entry_price": 100.0,
         "exit_price": 110.0, "side": "long", "size": 10, "fees": 2.0},
        # short 5 @ 50 -> 55, fees 1: pnl = -5 * 5 - 1 = -26
        {"entry_time": "2024-01-03", "exit_time": "2024-01-04", "entry_price": 50.0,
         "exit_price": 55.0, "side": "short", "size": 5, "fees": 1.0},
        # short (-1) 4 @ 20 -> 15, no fees: pnl = 4 * 5 = 20
        {"entry_time": "2024-01-08", "exit_time": "2024-01-12", "entry_price": 20.0,
         "exit_price": 15.0, "side": -1, "size": 4, "fees": 0.0},
        # long (+1) 2 @ 30 -> 27, fees 0: pnl = 2 * -3 = -6
        {"entry_time": "2024-01-09", "exit_time": "2024-01-10", "entry_price": 30.0,
         "exit_price": 27.0, "side": 1, "size": 2, "fees": 0.0},
    ]  # fmt: skip


def test_trade_pnl_by_hand() -> None:
    trades = validate_trades(_trades())
    # sorted by exit time: short 50 (01-04), long 100 (01-05), long 30 (01-10), short 20 (01-12)
    assert trades["pnl"].tolist() == pytest.approx([-26.0, 98.0, -6.0, 20.0])
    assert trades["return"].tolist() == pytest.approx([-26 / 250, 98 / 1000, -6 / 60, 20 / 80])
    assert trades["side"].tolist() == ["short", "long", "long", "short"]
    assert trades["direction"].tolist() == [-1, 1, 1, -1]
    assert trades["duration"].tolist() == [pd.Timedelta(days=d) for d in (1, 3, 1, 4)]


def test_trade_statistics_by_hand() -> None:
    analytics = AdvancedAnalytics(metrics={}).add_trades(_trades())
    basic = analytics.calculate_metrics().basic
    # pnl: 98, -26, 20, -6 -> wins 98, 20; losses -26, -6
    assert basic.total_trades == 4
    assert basic.winning_trades == 2
    assert basic.losing_trades == 2
    assert basic.win_rate == 0.5
    assert basic.gross_profit == pytest.approx(118.0)
    assert basic.gross_loss == pytest.approx(-32.0)
    assert basic.net_profit == pytest.approx(86.0)
    assert basic.profit_factor == pytest.approx(118 / 32)
    assert basic.average_win == pytest.approx(59.0)
    assert basic.average_loss == pytest.approx(-16.0)
    assert basic.largest_win == pytest.approx(98.0)
    assert basic.largest_loss == pytest.approx(-26.0)
    assert basic.payoff_ratio == pytest.approx(59 / 16)
    # expectancy: 0.5 * 59 + 0.5 * -16 = 21.5 = mean pnl
    assert basic.expectancy == pytest.approx(21.5)
    assert basic.average_trade_return == pytest.approx((-0.104 + 0.098 - 0.1 + 0.25) / 4)
    assert basic.average_trade_duration == pd.Timedelta(days=9 / 4)
    # Kelly: W - (1 - W) / R = 0.5 - 0.5 / (59 / 16)
    assert basic.trade_kelly_fraction == pytest.approx(0.5 - 0.5 * 16 / 59)


def test_break_even_trades_count_in_the_win_rate_denominator() -> None:
    rows = _trades()
    rows.append({**rows[0], "exit_price": 100.0, "fees": 0.0})  # pnl 0
    basic = AdvancedAnalytics(metrics={}).add_trades(rows).calculate_metrics().basic
    assert basic.total_trades == 5
    assert basic.win_rate == pytest.approx(2 / 5)
    assert basic.expectancy == pytest.approx(86 / 5)
    assert basic.trade_kelly_fraction == pytest.approx(0.5 - 0.5 * 16 / 59)  # 2 wins of 4 decided


def test_all_winning_history_has_infinite_profit_factor() -> None:
    rows = [r for r in _trades() if r["exit_price"] != 55.0 and r["exit_price"] != 27.0]
    metrics = AdvancedAnalytics(metrics={}).add_trades(rows).calculate_metrics()
    assert metrics.basic.profit_factor == math.inf
    assert metrics.basic.payoff_ratio == math.inf
    assert metrics.basic.average_loss == 0.0
    assert metrics.basic.largest_loss == 0.0
    assert metrics.basic.trade_kelly_fraction == 1.0
    assert not any(isinstance(v, float) and math.isnan(v) for v in metrics.to_dict().values())


def test_gross_exposure_peak_by_hand() -> None:
    trades = validate_trades(_trades())
    # 01-03..01-04: 1000 (long 100) + 250 (short 50) open together = 1250;
    # 01-09..01-10: 80 + 60 = 140
    assert gross_exposure_peak(trades) == pytest.approx(1250.0)


def test_a_trade_exiting_when_another_enters_is_closed_first() -> None:
    rows = [
        {"entry_time": "2024-01-01", "exit_time": "2024-01-02", "entry_price": 10.0,
         "exit_price": 11.0, "side": "long", "size": 10},
        {"entry_time": "2024-01-02", "exit_time": "2024-01-03", "entry_price": 11.0,
         "exit_price": 12.0, "side": "long", "size": 10},
    ]  # fmt: skip
    assert gross_exposure_peak(validate_trades(rows)) == pytest.approx(110.0)


def test_returns_implied_by_trades_by_hand() -> None:
    trades = validate_trades(_trades())
    returns = trades_to_returns(trades, capital=1000.0)
    # business days 01-02 .. 01-12; P&L booked at exits: 01-04 -26, 01-05 +98, 01-10 -6, 01-12 +20
    assert returns.index[0] == pd.Timestamp("2024-01-02")
    assert returns.index[-1] == pd.Timestamp("2024-01-12")
    assert len(returns) == 9
    assert returns[pd.Timestamp("2024-01-04")] == pytest.approx(-26 / 1000)
    assert returns[pd.Timestamp("2024-01-05")] == pytest.approx(98 / 974)
    assert returns[pd.Timestamp("2024-01-10")] == pytest.approx(-6 / 1072)
    assert returns[pd.Timestamp("2024-01-12")] == pytest.approx(20 / 1066)
    assert returns[pd.Timestamp("2024-01-08")] == 0.0
    assert (1 + returns).prod() == pytest.approx(1086 / 1000)


def test_trades_only_analytics_uses_the_peak_exposure_as_capital() -> None:
    analytics = AdvancedAnalytics(metrics={}).add_trades(_trades())
    equity = analytics.equity
    assert equity is not None
    assert equity.iloc[-1] == pytest.approx(1250.0 + 86.0)
    assert analytics.calculate_metrics().basic.total_return == pytest.approx(86 / 1250)
    explicit = AdvancedAnalytics(metrics={}).add_trades(_trades(), capital=10_000)
    assert explicit.calculate_metrics().basic.total_return == pytest.approx(86 / 10_000)


def test_returns_added_take_precedence_over_trades() -> None:
    index = pd.bdate_range("2024-01-02", periods=4)
    returns = pd.Series([0.01, -0.02, 0.03, 0.0], index=index)
    analytics = AdvancedAnalytics(metrics={}).add_trades(_trades()).add_returns(returns)
    metrics = analytics.calculate_metrics()
    assert metrics.basic.total_return == pytest.approx(1.01 * 0.98 * 1.03 - 1)
    assert metrics.basic.total_trades == 4


def test_trade_history_accepts_extra_columns_and_keeps_them() -> None:
    rows = [dict(r, symbol="ABC") for r in _trades()]
    trades = AdvancedAnalytics(metrics={}).add_trades(pd.DataFrame(rows)).trades
    assert trades is not None
    assert set(trades["symbol"]) == {"ABC"}


def test_fees_default_to_zero() -> None:
    rows = [{k: v for k, v in r.items() if k != "fees"} for r in _trades()]
    assert validate_trades(rows)["pnl"].tolist() == pytest.approx([-25.0, 100.0, -6.0, 20.0])


@pytest.mark.parametrize(
    ("row", "column", "change", "message"),
    [
        (1, "exit_time", {"exit_time": "2024-01-03"}, "not after entry_time"),
        (2, "exit_time", {"exit_time": "2024-01-07"}, "not after entry_time"),
        (0, "entry_price", {"entry_price": -1.0}, "finite number > 0"),
        (3, "exit_price", {"exit_price": float("nan")}, "finite number > 0"),
        (2, "size", {"size": 0}, "finite number > 0"),
        (1, "side", {"side": "sideways"}, "'long', 'short', +1, -1"),
        (0, "fees", {"fees": -3.0}, "fees are a finite amount >= 0"),
        (3, "entry_time", {"entry_time": None}, "missing (NaT)"),
        (2, "size", {"size": "ten"}, "not a number"),
    ],
)
def test_bad_trades_name_the_row_and_column(
    row: int, column: str, change: dict[str, object], message: str
) -> None:
    rows = _trades()
    rows[row] = {**rows[row], **change}
    with pytest.raises(AnalyticsError, match=re.escape(message)) as caught:
        AdvancedAnalytics(metrics={}).add_trades(rows)
    # rows are counted from 1: the first trade is row 1
    assert caught.value.row == row + 1
    assert caught.value.column == column
    assert str(caught.value).startswith(f"trade history row {row + 1}: ")


def test_missing_columns_are_listed() -> None:
    frame = pd.DataFrame(_trades()).drop(columns=["side", "size"])
    with pytest.raises(AnalyticsError, match=r"lacks the column\(s\) \['side', 'size'\]"):
        validate_trades(frame)


def test_empty_trade_history_is_an_error() -> None:
    with pytest.raises(AnalyticsError, match="empty"):
        validate_trades(pd.DataFrame(columns=["entry_time", "exit_time", "entry_price",
                                              "exit_price", "side", "size"]))  # fmt: skip
    with pytest.raises(AnalyticsError, match="lacks the column"):
        validate_trades([])


def test_unsorted_trades_are_sorted_by_exit_time() -> None:
    rows = _trades()[::-1]
    trades = validate_trades(rows)
    assert trades["exit_time"].is_monotonic_increasing
    assert list(trades.index) == [0, 1, 2, 3]


def test_a_trade_history_must_be_a_frame_or_records() -> None:
    with pytest.raises(AnalyticsError, match="DataFrame or a list of dicts"):
        validate_trades("trades.csv")  # type: ignore[arg-type]
    with pytest.raises(AnalyticsError, match="trade history row 2 is a int"):
        validate_trades([_trades()[0], 5])  # type: ignore[list-item]


def test_losses_beyond_the_capital_are_an_error() -> None:
    with pytest.raises(AnalyticsError, match="wiped out"):
        AdvancedAnalytics(metrics={}).add_trades(_trades(), capital=20.0).calculate_metrics()


def test_trade_returns_are_realised_at_exit_only() -> None:
    trades = validate_trades(_trades())
    returns = trades_to_returns(trades, capital=1000.0)
    realised_days = set(trades["exit_time"])
    moved = set(returns.index[returns.to_numpy() != 0.0])
    assert moved <= realised_days
    assert np.isfinite(returns.to_numpy()).all()
