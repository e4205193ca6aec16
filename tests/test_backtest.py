"""The vectorized backtest (mlcore.analytics.backtest) and its sizing rules.

Values come from hand calculations written out below, from a plain per-bar event loop
(``reference_backtest``, an independent implementation with cash and shares), and from
properties that must hold for any signals and prices (hypothesis).
"""

from __future__ import annotations

import math
import statistics
from typing import Any

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mlcore.analytics.backtest import (
    TRADE_COLUMNS,
    Backtest,
    backtest,
    signals_from_classes,
    signals_from_probabilities,
)
from mlcore.analytics.sizing import kelly_criterion, trailing_trade_stats
from mlcore.errors import AnalyticsError, DataValidationError


def bars(open_: list[float], close: list[float]) -> pd.DataFrame:
    index = pd.date_range("2024-01-01", periods=len(close), freq="D", tz="UTC", name="timestamp")
    return pd.DataFrame({"open": open_, "close": close}, index=index)


def on(frame: pd.DataFrame, values: list[float]) -> pd.Series:
    return pd.Series(values, index=frame.index)


# ---------------------------------------------------------------------------
# A hand-computed example: a long, a flip to short (two trades), costs, slippage
# ---------------------------------------------------------------------------


def test_hand_computed_long_then_short_with_costs() -> None:
    prices = bars([100, 102, 103, 99, 97], [101, 104, 100, 98, 99])
    signals = on(prices, [1, -1, -1, 0, 0])
    result = backtest(prices, signals, commission=0.001, slippage_bps=10, initial_capital=1000.0)

    # long from bar 1's open (signal of bar 0), buying 10 bps above the open
    buy = 102 * 1.001
    long_shares = 1000 / buy
    long_entry_fee = 0.001 * long_shares * buy  # = 1.0
    # flip at bar 2's open: sell the long 10 bps below, then sell short 10 bps below
    sell = 103 * 0.999
    long_exit_fee = 0.001 * long_shares * sell
    long_pnl = long_shares * (sell - buy) - long_entry_fee - long_exit_fee
    equity_at_flip = 1000 + long_pnl
    short_shares = equity_at_flip / sell
    short_entry_fee = 0.001 * short_shares * sell
    # the short is covered at bar 4's open (the flat signal of bar 3), 10 bps above
    cover = 97 * 1.001
    short_exit_fee = 0.001 * short_shares * cover
    short_pnl = short_shares * (sell - cover) - short_entry_fee - short_exit_fee

    pnl = [
        0.0,
        long_shares * (104 - buy) - long_entry_fee,
        long_shares * (sell - 104) - long_exit_fee - short_shares * (100 - sell) - short_entry_fee,
        -short_shares * (98 - 100),
        -short_shares * (cover - 98) - short_exit_fee,
    ]
    equity = 1000 + np.cumsum(pnl)
    np.testing.assert_allclose(result.equity, equity, rtol=1e-12)
    previous = np.r_[1000, equity[:-1]]
    np.testing.assert_allclose(result.returns, np.array(pnl) / previous, rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(result.positions, [0, 1, -1, -1, 0])
    np.testing.assert_allclose(result.shares, [0, long_shares, -short_shares, -short_shares, 0])

    trades = result.trades
    assert list(trades.columns) == list(TRADE_COLUMNS)
    assert trades["side"].tolist() == ["long", "short"]  # the flip is two trades
    assert trades["entry_time"].tolist() == [prices.index[1], prices.index[2]]
    assert trades["exit_time"].tolist() == [prices.index[2], prices.index[4]]
    np.testing.assert_allclose(trades["entry_price"], [buy, sell], rtol=1e-12)
    np.testing.assert_allclose(trades["exit_price"], [sell, cover], rtol=1e-12)
    np.testing.assert_allclose(trades["size"], [long_shares, short_shares], rtol=1e-12)
    np.testing.assert_allclose(
        trades["fees"],
        [long_entry_fee + long_exit_fee, short_entry_fee + short_exit_fee],
        rtol=1e-12,
    )
    np.testing.assert_allclose(trades["pnl"], [long_pnl, short_pnl], rtol=1e-12)
    assert trades["bars"].tolist() == [1, 2]

    # turnover: bar 1 buys 1000 of notional; bar 2 sells the long and opens the short
    turnover_2 = (long_shares * sell + short_shares * sell) / equity[1]
    np.testing.assert_allclose(result.turnover.iloc[:3], [0, 1000 / 1000, turnover_2])
    # gross returns: the same shares at the raw opens, no commission
    gross_1 = long_shares * (104 - 102) / 1000
    assert result.gross_returns.iloc[1] == pytest.approx(gross_1, rel=1e-12)
    assert result.costs.iloc[1] == pytest.approx(long_shares * 102 * 0.001 + 1.0, rel=1e-12)


def test_fill_at_close_holds_from_the_next_close() -> None:
    prices = bars([10, 10, 10, 10, 10], [10, 11, 12, 9, 9])
    result = backtest(prices, on(prices, [1, 0, 0, 0, 0]), fill="close", initial_capital=110.0)
    # the signal of bar 0 buys at bar 1's close (11) and sells at bar 2's close (12)
    shares = 110 / 11
    np.testing.assert_allclose(result.equity, [110, 110, 110 + shares, 110 + shares, 110 + shares])
    assert result.trades["entry_price"].tolist() == [11]
    assert result.trades["exit_price"].tolist() == [12]


def test_per_share_commission() -> None:
    prices = bars([50, 50, 60], [50, 55, 60])
    result = backtest(
        prices, on(prices, [1, 0, 0]), commission_per_share=0.02, initial_capital=1000.0
    )
    shares = 1000 / 50
    assert result.trades["fees"].iloc[0] == pytest.approx(2 * 0.02 * shares)
    assert result.trades["pnl"].iloc[0] == pytest.approx(shares * 10 - 2 * 0.02 * shares)


def test_position_still_open_is_closed_at_the_last_close_or_reported_open() -> None:
    prices = bars([100, 100, 105, 110], [100, 104, 108, 120])
    signals = on(prices, [1, 1, 1, 1])
    closed = backtest(prices, signals, slippage_bps=100, initial_capital=100.0)
    assert len(closed.trades) == 1
    assert closed.trades["exit_time"].iloc[0] == prices.index[-1]
    assert closed.trades["exit_price"].iloc[0] == pytest.approx(120 * 0.99)
    assert closed.shares.iloc[-1] == 0.0

    left_open = backtest(
        prices, signals, slippage_bps=100, close_at_end=False, initial_capital=100.0
    )
    assert left_open.trades.empty
    (row,) = left_open.open_trades.to_dict("records")
    assert pd.isna(row["exit_time"])
    shares = 100 / 101
    assert row["pnl"] == pytest.approx(shares * (120 - 101))
    assert left_open.equity.iloc[-1] == pytest.approx(100 + shares * (120 - 101))


def test_no_short_and_probability_thresholds() -> None:
    prices = bars([1.0] * 6, [1.0, 1.1, 1.2, 1.1, 1.0, 1.05])
    p_up = on(prices, [0.7, 0.55, 0.3, np.nan, 0.5, 0.9])
    expected = [1, 0, -1, 0, 0, 1]
    signal = signals_from_probabilities(p_up, long_threshold=0.6, short_threshold=0.4)
    assert signal.tolist() == expected
    result = backtest(prices, probabilities=p_up, long_threshold=0.6, short_threshold=0.4)
    assert result.signals.tolist() == expected
    no_short = backtest(
        prices, probabilities=p_up, long_threshold=0.6, short_threshold=0.4, allow_short=False
    )
    assert no_short.signals.tolist() == [1, 0, 0, 0, 0, 1]
    assert (no_short.positions >= 0).all()


def test_signals_from_classes_follow_the_label_convention() -> None:
    index = pd.RangeIndex(5)
    binary = signals_from_classes(pd.Series([0, 1, 1, np.nan, 0], index=index))
    assert binary.tolist() == [-1, 1, 1, 0, -1]
    three = signals_from_classes(pd.Series([-1, 0, 1, 1, 0], index=index))
    assert three.tolist() == [-1, 0, 1, 1, 0]
    with pytest.raises(AnalyticsError, match="outside"):
        signals_from_classes(pd.Series([0, 1, 2]), classes=[0, 1])


# ---------------------------------------------------------------------------
# Sizing
# ---------------------------------------------------------------------------


def test_volatility_target_uses_the_trailing_window_only() -> None:
    close = [100, 101, 99, 102, 103, 101, 104, 104, 104]
    prices = bars(close, close)
    signals = on(prices, [1, 0, 1, 0, 1, 0, 0, 0, 0])
    result = backtest(
        prices,
        signals,
        sizing="volatility_target",
        target_volatility=0.2,
        volatility_window=3,
        max_leverage=5.0,
    )
    # the signal of bar 0 and bar 2 come before 3 returns exist: no trade
    assert len(result.trades) == 1
    assert result.trades["entry_time"].iloc[0] == prices.index[5]
    # decided at bar 4 from the log returns of bars 2, 3, 4
    returns = [math.log(close[i] / close[i - 1]) for i in (2, 3, 4)]
    sigma = statistics.stdev(returns) * math.sqrt(252)
    assert result.positions.iloc[5] == pytest.approx(min(0.2 / sigma, 5.0), rel=1e-12)


def test_kelly_from_the_trades_known_at_the_decision() -> None:
    close = [100, 100, 110, 110, 110, 104.5, 104.5, 104.5, 120, 120]
    prices = bars(close, close)
    signals = on(prices, [1, 0, 0, 1, 0, 0, 1, 0, 0, 0])
    result = backtest(
        prices,
        signals,
        fill="close",
        sizing="kelly",
        kelly_fraction=0.5,
        kelly_min_trades=2,
        kelly_window=2,
        max_leverage=1.0,
    )
    # trades 1 (+10%) and 2 (-5%) run before two trades are known: not taken.
    # trade 3, decided at bar 6: win rate 1/2, payoff 0.10 / 0.05 = 2
    full_kelly = 0.5 - 0.5 / 2
    assert len(result.trades) == 1
    assert result.trades["entry_time"].iloc[0] == prices.index[7]
    assert result.positions.iloc[7] == pytest.approx(0.5 * full_kelly)


def test_kelly_from_probabilities() -> None:
    prices = bars([10.0] * 6, [10.0] * 6)
    p_up = on(prices, [0.7, 0.5, 0.2, 0.5, 0.5, 0.5])
    result = backtest(prices, probabilities=p_up, sizing="kelly", kelly_fraction=0.5)
    # even odds until trades are known: f = p - (1 - p)
    assert result.positions.iloc[1] == pytest.approx(0.5 * (0.7 - 0.3))
    assert result.positions.iloc[3] == pytest.approx(-0.5 * (0.8 - 0.2))


def test_trailing_trade_stats_and_kelly_edge_cases() -> None:
    unit = np.array([0.1, -0.05, 0.2, 0.0])
    exits = np.array([2, 4, 6, 8])
    count, win_rate, payoff = trailing_trade_stats(unit, exits, np.array([1, 4, 9]), window=3)
    assert count.tolist() == [0, 2, 3]
    assert np.isnan(win_rate[0])
    assert np.isnan(payoff[0])
    assert win_rate[1:].tolist() == pytest.approx([1 / 2, 1 / 3])
    assert payoff[1:].tolist() == pytest.approx([0.1 / 0.05, 0.2 / 0.05])
    # without a loss the payoff is infinite and Kelly bets the win rate; without a win, -inf
    assert kelly_criterion(np.array([0.6, 0.0, 1.0]), np.array([np.inf, 0.0, 2.0])).tolist() == [
        0.6,
        -np.inf,
        1.0,
    ]


# ---------------------------------------------------------------------------
# Independent reference: a per-bar event loop with cash and shares
# ---------------------------------------------------------------------------


def reference_backtest(
    open_: np.ndarray,
    close: np.ndarray,
    signal: np.ndarray,
    *,
    fill: str,
    commission: float,
    per_share: float,
    slip: float,
    capital: float,
) -> tuple[list[float], list[float]]:
    """Equity per bar and closed trades' P&L; fixed fraction 1, closed at the end."""
    n = len(close)
    cash, shares, equity, pnls = capital, 0.0, [], []
    entry: tuple[float, float, float] | None = None  # side, entry price, entry fee

    def exit_at(price: float) -> None:
        nonlocal cash, shares, entry
        assert entry is not None
        side, entry_price, entry_fee = entry
        sold = price * (1 - side * slip)
        fee = abs(shares) * (commission * sold + per_share)
        cash += shares * sold - fee
        pnls.append(side * abs(shares) * (sold - entry_price) - entry_fee - fee)
        shares, entry = 0.0, None

    for t in range(n):
        wanted = int(signal[t - 1]) if t else 0
        price = open_[t] if fill == "open" else close[t]
        held = int(np.sign(shares))
        if wanted != held:
            if held:
                exit_at(price)
            if wanted and t < n - 1:
                bought = price * (1 + wanted * slip)
                size = cash / bought
                fee = size * (commission * bought + per_share)
                cash -= wanted * size * bought + fee
                shares, entry = wanted * size, (wanted, bought, fee)
        if t == n - 1 and shares:
            exit_at(close[t])
        equity.append(cash + shares * close[t])
    return equity, pnls


@st.composite
def market(draw: Any, min_bars: int = 2, max_bars: int = 40) -> tuple[pd.DataFrame, pd.Series]:
    n = draw(st.integers(min_bars, max_bars))
    moves = st.floats(-0.08, 0.08, allow_nan=False)
    close = 100 * np.exp(np.cumsum(draw(st.lists(moves, min_size=n, max_size=n))))
    gaps = np.exp(np.array(draw(st.lists(moves, min_size=n, max_size=n))) / 4)
    open_ = np.r_[100.0, close[:-1]] * gaps
    frame = bars(list(open_), list(close))
    signal = draw(st.lists(st.sampled_from([-1, 0, 1]), min_size=n, max_size=n))
    return frame, on(frame, signal)


costs = st.fixed_dictionaries(
    {
        "commission": st.sampled_from([0.0, 0.0005, 0.002]),
        "commission_per_share": st.sampled_from([0.0, 0.01]),
        "slippage_bps": st.sampled_from([0.0, 3.0, 25.0]),
    }
)


@settings(max_examples=60, deadline=None)
@given(data=market(), fill=st.sampled_from(["open", "close"]), fees=costs)
def test_matches_an_event_loop(
    data: tuple[pd.DataFrame, pd.Series], fill: str, fees: dict[str, float]
) -> None:
    prices, signals = data
    result = backtest(prices, signals, fill=fill, initial_capital=10_000.0, **fees)
    equity, pnls = reference_backtest(
        prices["open"].to_numpy(),
        prices["close"].to_numpy(),
        signals.to_numpy(),
        fill=fill,
        commission=fees["commission"],
        per_share=fees["commission_per_share"],
        slip=fees["slippage_bps"] / 1e4,
        capital=10_000.0,
    )
    np.testing.assert_allclose(result.equity, equity, rtol=1e-10)
    np.testing.assert_allclose(result.trades["pnl"], pnls, rtol=1e-9, atol=1e-8)


sizings = st.sampled_from(
    [
        {"sizing": "fixed", "fraction": 0.5},
        {"sizing": "volatility_target", "volatility_window": 3, "max_leverage": 3.0},
        {"sizing": "kelly", "kelly_min_trades": 1, "kelly_window": 4},
    ]
)


@settings(max_examples=60, deadline=None)
@given(data=market(), fill=st.sampled_from(["open", "close"]), fees=costs, sizing=sizings)
def test_accounting_invariants(
    data: tuple[pd.DataFrame, pd.Series],
    fill: str,
    fees: dict[str, float],
    sizing: dict[str, Any],
) -> None:
    prices, signals = data
    result = backtest(prices, signals, fill=fill, initial_capital=1000.0, **fees, **sizing)
    np.testing.assert_allclose(result.equity, 1000.0 * np.cumprod(1 + result.returns), rtol=1e-9)
    # every trade is closed by the end: their P&L is the whole change in equity
    assert result.open_trades.empty
    assert result.trades["pnl"].sum() == pytest.approx(result.equity.iloc[-1] - 1000.0, abs=1e-7)
    assert result.shares.iloc[-1] == 0.0
    assert (result.costs >= -1e-12).all()
    np.testing.assert_allclose(
        (result.gross_returns - result.returns) * np.r_[1000.0, result.equity.to_numpy()[:-1]],
        result.costs,
        atol=1e-9,
    )
    assert (result.trades["exit_time"] > result.trades["entry_time"]).all()


@settings(max_examples=30, deadline=None)
@given(data=market(), fill=st.sampled_from(["open", "close"]), fees=costs)
def test_flat_signals_earn_nothing(
    data: tuple[pd.DataFrame, pd.Series], fill: str, fees: dict[str, float]
) -> None:
    prices, signals = data
    result = backtest(prices, signals * 0, fill=fill, **fees)
    assert (result.returns == 0).all()
    assert (result.equity == result.settings.initial_capital).all()
    assert result.trades.empty
    assert (result.turnover == 0).all()


@settings(max_examples=40, deadline=None)
@given(
    data=market(min_bars=6),
    cut=st.floats(0.1, 0.9),
    shock=st.floats(-0.5, 0.5),
    fill=st.sampled_from(["open", "close"]),
    sizing=sizings,
)
def test_no_look_ahead(
    data: tuple[pd.DataFrame, pd.Series],
    cut: float,
    shock: float,
    fill: str,
    sizing: dict[str, Any],
) -> None:
    """Changing every price after bar t, and the signals from bar t on (decided at or after
    t's close), changes nothing up to bar t: no same-bar fill, no look-ahead."""
    prices, signals = data
    t = int(cut * (len(prices) - 2))
    future = prices.copy()
    future.iloc[t + 1 :] *= math.exp(shock)
    changed = signals.copy()
    changed.iloc[t:] = 1 - changed.iloc[t:].abs()  # flat <-> a side
    settings_ = {"fill": fill, "commission": 0.001, "slippage_bps": 5.0, **sizing}
    before = backtest(prices, signals, **settings_)
    after = backtest(future, changed, **settings_)
    for name in ("positions", "shares", "returns", "equity", "turnover", "costs"):
        pd.testing.assert_series_equal(
            getattr(before, name).iloc[: t + 1], getattr(after, name).iloc[: t + 1]
        )


@settings(max_examples=40, deadline=None)
@given(
    data=market(min_bars=6),
    cut=st.floats(0.1, 0.9),
    shock=st.floats(-0.5, 0.5),
    fill=st.sampled_from(["open", "close"]),
    sizing=sizings,
)
def test_sizes_use_data_up_to_the_decision(
    data: tuple[pd.DataFrame, pd.Series],
    cut: float,
    shock: float,
    fill: str,
    sizing: dict[str, Any],
) -> None:
    """The position entered at bar t + 1 (side and weight) is decided at t's close: prices
    after t cannot change it. Long-only and unlevered, so that the equity never runs out
    (a ruined account stops trading, which the fill prices decide)."""
    prices, signals = data
    t = 1 + int(cut * (len(prices) - 3))
    signals.iloc[t - 1 : t + 1] = [0, 1]  # a trade is decided at t
    future = prices.copy()
    future.iloc[t + 1 :] *= math.exp(shock)
    changed = signals.copy()
    changed.iloc[t + 1 :] = 0
    settings_ = {"fill": fill, "allow_short": False, **sizing, "max_leverage": 1.0}
    before = backtest(prices, signals, **settings_)
    after = backtest(future, changed, **settings_)
    pd.testing.assert_series_equal(before.positions.iloc[: t + 2], after.positions.iloc[: t + 2])


# ---------------------------------------------------------------------------
# Bad input
# ---------------------------------------------------------------------------


def test_errors_name_the_column_and_row() -> None:
    prices = bars([1.0, 2.0, 3.0], [1.0, np.nan, 3.0])
    with pytest.raises(
        DataValidationError, match=r"'close' is NaN .* at row 2 \(2024-01-02 00:00:00\+00:00\);"
    ) as info:
        backtest(prices, on(prices, [1, 0, 0]))
    assert info.value.column == "close"
    assert info.value.rows == [prices.index[1]]

    good = bars([1.0, 2.0, 3.0], [1.0, 2.0, 3.0])
    with pytest.raises(DataValidationError, match=r"'open'.*fill='close'"):
        backtest(good[["close"]], on(good, [1, 0, 0]))
    with pytest.raises(DataValidationError, match="not positive"):
        backtest(bars([1.0, -2.0, 3.0], [1.0, 2.0, 3.0]), on(good, [1, 0, 0]))

    shifted = pd.Series([1, 0, 0], index=good.index + pd.Timedelta(days=1))
    mismatch = (
        r"at row 1 \(2024-01-01 00:00:00\+00:00\) of prices: signals has 2024-01-02 "
        r".*reindex\(prices.index\)"
    )
    with pytest.raises(AnalyticsError, match=mismatch) as shift:
        backtest(good, shifted)
    assert (shift.value.row, shift.value.column) == (good.index[0], "signals")
    with pytest.raises(AnalyticsError, match="2 rows but prices have 3"):
        backtest(good, pd.Series([1, 0], index=good.index[:2]))
    wrong = r"-1, 0 or 1 .* at row 2 \(2024-01-02 00:00:00\+00:00\); .*signals_from_classes"
    with pytest.raises(AnalyticsError, match=wrong) as err:
        backtest(good, on(good, [1, 2, 0]))
    assert err.value.row == good.index[1]
    with pytest.raises(AnalyticsError, match=r"\[0, 1\], got \[1.2\]"):
        backtest(good, probabilities=on(good, [0.5, 1.2, 0.1]))


@pytest.mark.parametrize(
    ("setting", "value", "message"),
    [
        ("fill", "vwap", "Backtest.fill must be one of"),
        ("commission", -0.1, "Backtest.commission must be a number >= 0"),
        ("sizing", "martingale", "Backtest.sizing must be one of"),
        ("volatility_window", 1, "Backtest.volatility_window must be a whole number >= 2"),
        ("long_threshold", 1.5, r"Backtest.long_threshold must lie in \[0, 1\]"),
        ("short_threshold", 0.7, "must not exceed long_threshold"),
    ],
)
def test_settings_are_validated(setting: str, value: Any, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        Backtest(**{setting: value})


def test_analytics_of_a_backtest_describe_its_trades_and_returns() -> None:
    pytest.importorskip("scipy")
    rng = np.random.default_rng(3)
    close = 100 * np.exp(np.cumsum(rng.normal(0, 0.01, 300)))
    prices = bars(list(np.r_[100, close[:-1]]), list(close))
    signals = on(prices, list(rng.choice([-1, 0, 1], size=300)))
    result = backtest(prices, signals, commission=0.001, slippage_bps=2)
    metrics = (
        result.analytics(0.0, 252, benchmark=result.market_returns, metrics={})
        .calculate_metrics()
        .to_dict()
    )
    assert metrics["total_trades"] == len(result.trades)
    assert metrics["net_profit"] == pytest.approx(result.trades["pnl"].sum(), rel=1e-9)
    assert metrics["total_return"] == pytest.approx(result.total_return, rel=1e-9)
    wins = (result.trades["pnl"] > 0).mean()
    assert metrics["win_rate"] == pytest.approx(wins)
