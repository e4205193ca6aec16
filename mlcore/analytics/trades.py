"""Trade histories: validation, per-trade P&L, trade statistics and the implied returns.

A trade history has one row per round trip with the columns ``entry_time``,
``exit_time``, ``entry_price``, ``exit_price``, ``side`` (``"long"``/``"short"`` or
``+1``/``-1``), ``size`` (units, > 0) and optionally ``fees`` (currency, >= 0, default 0).
Other columns (a symbol, a signal id) are kept as they are.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from mlcore.analytics.returns import safe_ratio
from mlcore.analytics.rows import first_bad, row_error
from mlcore.errors import AnalyticsError

__all__ = [
    "REQUIRED_COLUMNS",
    "gross_exposure_peak",
    "trade_statistics",
    "trades_to_returns",
    "validate_trades",
]

REQUIRED_COLUMNS: tuple[str, ...] = (
    "entry_time",
    "exit_time",
    "entry_price",
    "exit_price",
    "side",
    "size",
)
# Keyed by the lower-cased text of a side: "long", "LONG ", 1, 1.0 and "+1" are all long.
_SIDES: dict[str, int] = {
    **dict.fromkeys(("long", "buy", "1", "+1", "1.0"), 1),
    **dict.fromkeys(("short", "sell", "-1", "-1.0"), -1),
}


def validate_trades(history: pd.DataFrame | Sequence[Mapping[str, Any]]) -> pd.DataFrame:
    """A checked copy of ``history``, sorted by exit time, with the derived columns.

    Adds ``direction`` (+1 long, -1 short), ``pnl`` (``direction * size * (exit - entry)
    - fees``), ``return`` (``pnl`` over the entry notional ``size * entry_price``) and
    ``duration`` (``exit_time - entry_time``); ``side`` becomes ``"long"``/``"short"``.
    Rows are sorted by exit time (then entry time) and renumbered from 0.

    Raises :class:`AnalyticsError` naming the row (as given, counted from 1, with its
    index label; see :mod:`mlcore.analytics.rows`) and column of the first bad value: a
    missing column, an empty history, an unparseable or missing time, a trade that does
    not last (``exit_time <= entry_time``), a non-positive or non-finite price or size,
    an unknown side, or a negative or NaN fee.
    """
    frame = _as_frame(history)
    missing = [c for c in REQUIRED_COLUMNS if c not in frame.columns]
    if missing:
        raise AnalyticsError(
            f"the trade history lacks the column(s) {missing}; it needs "
            f"{list(REQUIRED_COLUMNS)} (and optionally 'fees')",
            column=missing[0],
        )
    if frame.empty:
        raise AnalyticsError("the trade history is empty: add at least one trade")
    entry, exit_ = _times(frame, "entry_time"), _times(frame, "exit_time")
    _check_durations(entry, exit_)
    direction = _directions(frame["side"])
    entry_price = _positive(frame, "entry_price")
    exit_price = _positive(frame, "exit_price")
    size = _positive(frame, "size")
    fees = _fees(frame)
    pnl = direction * size * (exit_price - entry_price) - fees
    entry, exit_ = entry.reset_index(drop=True), exit_.reset_index(drop=True)
    frame = frame.reset_index(drop=True).assign(
        entry_time=entry,
        exit_time=exit_,
        entry_price=entry_price,
        exit_price=exit_price,
        size=size,
        fees=fees,
        side=np.where(direction > 0, "long", "short"),
        direction=direction,
        pnl=pnl,
        **{"return": pnl / (size * entry_price)},
        duration=exit_ - entry,
    )
    return frame.sort_values(["exit_time", "entry_time"], kind="stable").reset_index(drop=True)


def _as_frame(history: pd.DataFrame | Sequence[Mapping[str, Any]]) -> pd.DataFrame:
    if isinstance(history, pd.DataFrame):
        return history.copy()
    if isinstance(history, str | bytes) or not isinstance(history, Sequence):  # type: ignore[unreachable]
        raise AnalyticsError(
            "a trade history is a DataFrame or a list of dicts (one per trade), got "
            f"{type(history).__name__}"
        )
    for position, item in enumerate(history):
        if not isinstance(item, Mapping):
            raise AnalyticsError(
                f"trade history row {position + 1} is a {type(item).__name__}, not a mapping "
                "of column to value",
                row=position + 1,
            )
    return pd.DataFrame.from_records(list(history))


def _times(frame: pd.DataFrame, column: str) -> pd.Series:
    try:
        times = pd.to_datetime(frame[column])
    except (ValueError, TypeError) as error:
        position = first_bad([not _is_time(value) for value in frame[column]])
        if position is None:
            raise AnalyticsError(
                f"column {column!r} does not parse as times ({error}); use timestamps",
                column=column,
            ) from None
        raise row_error(
            f"trade history {{row}}: column {column!r} holds "
            f"{frame[column].iloc[position]!r}, not a time; use timestamps",
            frame.index,
            position,
            column=column,
        ) from None
    if (position := first_bad(times.isna())) is not None:
        raise row_error(
            f"trade history {{row}}: column {column!r} is missing (NaT); every trade needs "
            "both times",
            frame.index,
            position,
            column=column,
        )
    return times


def _is_time(value: object) -> bool:
    try:
        pd.Timestamp(value)  # type: ignore[arg-type]
    except (ValueError, TypeError):
        return False
    return True


def _check_durations(entry: pd.Series, exit_: pd.Series) -> None:
    try:
        short = (exit_ <= entry).to_numpy()
    except TypeError:
        raise AnalyticsError(
            "entry_time and exit_time mix time-zone-aware and naive timestamps; use one kind",
            column="exit_time",
        ) from None
    if (position := first_bad(short)) is not None:
        raise row_error(
            f"trade history {{row}}: exit_time {exit_.iloc[position]} is not after "
            f"entry_time {entry.iloc[position]}; a trade must last (zero-length or reversed "
            "trades are data errors: check the times)",
            entry.index,
            position,
            column="exit_time",
        )


def _directions(side: pd.Series) -> np.ndarray:
    keys = side.astype(str).str.strip().str.lower()
    directions = keys.map(_SIDES)
    if (position := first_bad(directions.isna())) is not None:
        raise row_error(
            f"trade history {{row}}: side {side.iloc[position]!r} is not one of 'long', "
            "'short', +1, -1",
            side.index,
            position,
            column="side",
        )
    return directions.to_numpy(np.int64)


def _positive(frame: pd.DataFrame, column: str) -> np.ndarray:
    values = _numeric(frame, column)
    if (position := first_bad(~(np.isfinite(values) & (values > 0.0)))) is not None:
        raise row_error(
            f"trade history {{row}}: column {column!r} is {float(values[position])}; it must "
            "be a finite number > 0",
            frame.index,
            position,
            column=column,
        )
    return values


def _fees(frame: pd.DataFrame) -> np.ndarray:
    if "fees" not in frame.columns:
        return np.zeros(len(frame))
    values = _numeric(frame, "fees")
    if (position := first_bad(~(np.isfinite(values) & (values >= 0.0)))) is not None:
        raise row_error(
            f"trade history {{row}}: column 'fees' is {float(values[position])}; fees are a "
            "finite amount >= 0 (write 0 for none)",
            frame.index,
            position,
            column="fees",
        )
    return values


def _numeric(frame: pd.DataFrame, column: str) -> np.ndarray:
    converted = pd.to_numeric(frame[column], errors="coerce").to_numpy(np.float64)
    unparsed = np.isnan(converted) & frame[column].notna().to_numpy()
    if (position := first_bad(unparsed)) is not None:
        raise row_error(
            f"trade history {{row}}: column {column!r} holds "
            f"{frame[column].iloc[position]!r}, not a number",
            frame.index,
            position,
            column=column,
        )
    return converted


def trade_statistics(trades: pd.DataFrame) -> dict[str, Any]:
    """The trade statistics of a validated history (see :class:`BasicMetrics`).

    A win has ``pnl > 0``, a loss ``pnl < 0``; break-even trades count in ``total_trades``
    and the win rate's denominator. ``average_loss`` and ``largest_loss`` are negative.
    ``expectancy`` is the mean P&L per trade (``win_rate * average_win + loss_rate *
    average_loss``). ``trade_kelly_fraction`` is ``W - (1 - W) / payoff_ratio`` with
    ``W`` the share of winners among decided (non-break-even) trades.
    """
    pnl = trades["pnl"].to_numpy(np.float64)
    wins, losses = pnl[pnl > 0.0], pnl[pnl < 0.0]
    gross_profit, gross_loss = float(wins.sum()), float(losses.sum())
    average_win = float(wins.mean()) if wins.size else 0.0
    average_loss = float(losses.mean()) if losses.size else 0.0
    payoff = safe_ratio(average_win, -average_loss)
    decided = wins.size + losses.size
    return {
        "total_trades": int(pnl.size),
        "winning_trades": int(wins.size),
        "losing_trades": int(losses.size),
        "win_rate": wins.size / pnl.size,
        "profit_factor": safe_ratio(gross_profit, -gross_loss),
        "gross_profit": gross_profit,
        "gross_loss": gross_loss,
        "net_profit": float(pnl.sum()),
        "average_win": average_win,
        "average_loss": average_loss,
        "largest_win": float(wins.max()) if wins.size else 0.0,
        "largest_loss": float(losses.min()) if losses.size else 0.0,
        "payoff_ratio": payoff,
        "expectancy": float(pnl.mean()),
        "average_trade_return": float(trades["return"].mean()),
        "average_trade_duration": pd.Timedelta(trades["duration"].mean()),
        "trade_kelly_fraction": _trade_kelly(wins.size, decided, payoff),
    }


def _trade_kelly(n_wins: int, n_decided: int, payoff: float) -> float:
    if n_decided == 0:
        return 0.0
    win_share = n_wins / n_decided
    if payoff == 0.0:  # winners earn nothing: never bet
        return 0.0 if win_share == 0.0 else -np.inf
    return float(win_share - (1.0 - win_share) / payoff)


def gross_exposure_peak(trades: pd.DataFrame) -> float:
    """The largest total entry notional (``size * entry_price``) open at one time.

    A trade is open from its entry time until its exit time; one exiting at the moment
    another enters is closed first.
    """
    notional = (trades["size"] * trades["entry_price"]).to_numpy(np.float64)
    times = np.concatenate([trades["entry_time"].to_numpy(), trades["exit_time"].to_numpy()])
    changes = np.concatenate([notional, -notional])
    # Exits (negative changes) sort before entries at the same time.
    order = np.lexsort((changes, times))
    return float(np.cumsum(changes[order]).max())


def trades_to_returns(trades: pd.DataFrame, capital: float, *, calendar: str = "B") -> pd.Series:
    """Daily returns of an account of ``capital`` that books each trade's P&L at its exit.

    The days run from the first entry to the last exit (business days with ``"B"``,
    calendar days with ``"D"``), plus any exit day off that calendar. P&L is realised, not
    marked to market: an open trade moves the equity only when it closes.
    """
    exit_days = pd.DatetimeIndex(trades["exit_time"]).normalize()
    realised = pd.Series(trades["pnl"].to_numpy(), index=exit_days).groupby(level=0).sum()
    start = pd.Timestamp(trades["entry_time"].min()).normalize()
    days = pd.date_range(start, exit_days.max(), freq=calendar).union(
        pd.DatetimeIndex(realised.index)
    )
    equity = capital + realised.reindex(days, fill_value=0.0).cumsum().to_numpy()
    previous = np.concatenate(([capital], equity[:-1]))
    ruined = (previous <= 0.0) | (equity < 0.0)
    if ruined.any():
        day = days[int(np.flatnonzero(ruined)[0])]
        raise AnalyticsError(
            f"the account of capital {capital:g} is wiped out before {day}: the trades lose "
            "more than the capital; pass a larger capital"
        )
    return pd.Series(equity / previous - 1.0, index=days, name="returns")
