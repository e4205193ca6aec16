"""Vectorized backtest: model signals or probabilities -> positions, returns, trades.

>>> result = backtest(ohlcv, probabilities=p_up, commission=0.001, slippage_bps=5)
>>> result.equity.iloc[-1], len(result.trades)
>>> result.analytics(risk_free_rate=0.02).calculate_metrics().to_dict()

**Timing.** A signal at bar ``t`` is decided from data up to ``t``'s close and filled at
bar ``t + 1``: at its open (``fill="open"``, the default) or at its close
(``fill="close"``); never on the bar whose close produced it. ``positions[t]`` is the
position held at the end of bar ``t``.

**Trades.** A trade is a run of bars with the same non-zero position; a change of side
(long -> short) closes one trade and opens another at the same fill. Each trade buys or
sells a fixed number of shares (fractional shares allowed): ``weight * equity / entry
price``, where ``weight`` comes from the sizing rule (:mod:`mlcore.analytics.sizing`) and
``equity`` is the equity at the fill, after the previous trade's exit. A weight of 0 (no
volatility or Kelly estimate yet, a negative Kelly edge) means no trade. Once the equity
reaches 0, no further trade is taken.

**Costs.** Slippage moves each fill against the trade by ``slippage_bps`` basis points
(buy higher, sell lower); the commission is ``commission`` times the notional of each
fill plus ``commission_per_share`` per share. Entry and exit each pay both.

**Accounting.** In a position, the equity at a bar's close is the equity at the entry
plus ``side * shares * (close - entry price)`` less the entry's commission; flat, it is
the equity after the last exit. Each closed trade's P&L is ``side * size * (exit_price -
entry_price) - fees``, so the closed trades' P&L sums to the change in equity, and
``returns[t] = equity[t] / equity[t-1] - 1`` (``equity`` equals ``initial_capital *
cumprod(1 + returns)``). Equity is computed relative to each entry's equity, so that a
history of many compounding trades keeps its relative precision. With ``close_at_end``
(the default) a position still open after the last bar is closed at the last close (with
costs), and a trade that would open on the last bar is not taken.

Missing signals (NaN) and missing probabilities are flat. The core is array arithmetic:
no loop over bars or trades.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, Final, Literal

import attrs
import numpy as np
import numpy.typing as npt
import pandas as pd

from mlcore.analytics.rows import row_error, rows_text
from mlcore.analytics.sizing import (
    kelly_criterion,
    trailing_trade_stats,
    volatility_target_weights,
)
from mlcore.errors import AnalyticsError, DataValidationError

if TYPE_CHECKING:
    from mlcore.analytics.core import AdvancedAnalytics
    from mlcore.config import MlcoreConfig

__all__ = [
    "FILLS",
    "SIZINGS",
    "TRADE_COLUMNS",
    "Backtest",
    "BacktestResult",
    "backtest",
    "signals_from_classes",
    "signals_from_probabilities",
]

_FloatArray = npt.NDArray[np.float64]
_IntArray = npt.NDArray[np.int64]

FILLS: Final = ("open", "close")
SIZINGS: Final = ("fixed", "volatility_target", "kelly")
#: The trade history's columns: the analytics' contract first, then the backtest's extras.
TRADE_COLUMNS: Final = (
    "entry_time",
    "exit_time",
    "entry_price",
    "exit_price",
    "side",
    "size",
    "fees",
    "pnl",
    "return",
    "bars",
)
_SHOWN_ROWS: Final = 5


# ---------------------------------------------------------------------------
# Settings
# ---------------------------------------------------------------------------


def _non_negative(instance: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
    if not (isinstance(value, int | float) and value >= 0):
        raise ValueError(f"Backtest.{attribute.name} must be a number >= 0, got {value!r}")


def _positive(instance: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
    if not (isinstance(value, int | float) and value > 0):
        raise ValueError(f"Backtest.{attribute.name} must be a number > 0, got {value!r}")


def _probability(instance: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
    if not (isinstance(value, int | float) and 0.0 <= value <= 1.0):
        raise ValueError(f"Backtest.{attribute.name} must lie in [0, 1], got {value!r}")


def _whole(minimum: int) -> Any:
    def check(instance: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
        if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
            raise ValueError(
                f"Backtest.{attribute.name} must be a whole number >= {minimum}, got {value!r}"
            )

    return check


def _one_of(choices: Sequence[str]) -> Any:
    def check(instance: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
        if value not in choices:
            raise ValueError(
                f"Backtest.{attribute.name} must be one of {list(choices)}, got {value!r}"
            )

    return check


@attrs.frozen(kw_only=True)
class Backtest:
    """How signals become trades; :meth:`run` backtests them on bars (module docstring).

    Parameters
    ----------
    fill
        ``"open"``: a signal at bar ``t`` fills at bar ``t + 1``'s open; ``"close"``: at
        ``t + 1``'s close.
    allow_short
        False turns every short signal flat.
    long_threshold, short_threshold
        With probabilities of the up class: long when ``p > long_threshold``, short when
        ``p < short_threshold``, flat otherwise (``short_threshold <= long_threshold``).
    commission
        Fraction of each fill's notional paid (0.001 is 10 bps).
    commission_per_share
        Currency paid per share on each fill.
    slippage_bps
        Each fill's price moves this many basis points against the trade.
    sizing
        ``"fixed"`` (``fraction``), ``"volatility_target"`` (``target_volatility``,
        ``volatility_window``) or ``"kelly"`` (``kelly_fraction``, ``kelly_window``,
        ``kelly_min_trades``); see :mod:`mlcore.analytics.sizing`.
    fraction
        Fraction of equity each trade commits with fixed sizing (above 1 is leverage).
    target_volatility
        Annualized volatility aimed at by volatility targeting.
    volatility_window
        Bars of trailing log returns behind the volatility estimate.
    kelly_fraction
        Share of the full Kelly bet taken (0.5: half Kelly).
    kelly_window, kelly_min_trades
        The last ``kelly_window`` exited trades estimate the win rate and payoff; fewer
        than ``kelly_min_trades`` is no estimate (no trade, or even odds with
        probabilities).
    max_leverage
        Upper bound of the volatility-target and Kelly weights.
    initial_capital
        Equity before the first bar, in the prices' currency.
    periods_per_year
        Bars per year, to annualize the volatility estimate.
    close_at_end
        Close a position still open after the last bar at the last close.
    """

    fill: Literal["open", "close"] = attrs.field(default="open", validator=_one_of(FILLS))
    allow_short: bool = True
    long_threshold: float = attrs.field(default=0.5, validator=_probability)
    short_threshold: float = attrs.field(default=0.5, validator=_probability)
    commission: float = attrs.field(default=0.0, validator=_non_negative)
    commission_per_share: float = attrs.field(default=0.0, validator=_non_negative)
    slippage_bps: float = attrs.field(default=0.0, validator=_non_negative)
    sizing: Literal["fixed", "volatility_target", "kelly"] = attrs.field(
        default="fixed", validator=_one_of(SIZINGS)
    )
    fraction: float = attrs.field(default=1.0, validator=_positive)
    target_volatility: float = attrs.field(default=0.15, validator=_positive)
    volatility_window: int = attrs.field(default=20, validator=_whole(2))
    kelly_fraction: float = attrs.field(default=0.5, validator=_positive)
    kelly_window: int = attrs.field(default=50, validator=_whole(1))
    kelly_min_trades: int = attrs.field(default=10, validator=_whole(1))
    max_leverage: float = attrs.field(default=1.0, validator=_positive)
    initial_capital: float = attrs.field(default=100_000.0, validator=_positive)
    periods_per_year: int = attrs.field(default=252, validator=_whole(1))
    close_at_end: bool = True

    def __attrs_post_init__(self) -> None:
        if self.short_threshold > self.long_threshold:
            raise ValueError(
                f"Backtest.short_threshold ({self.short_threshold}) must not exceed "
                f"long_threshold ({self.long_threshold}): a probability would be both"
            )

    @classmethod
    def from_config(cls, config: MlcoreConfig) -> Backtest:
        """The backtest of ``analytics.backtest``, annualizing with
        ``analytics.periods_per_year``."""
        section = config.analytics
        settings = attrs.asdict(section.backtest)
        if settings["short_threshold"] is None:
            settings["short_threshold"] = settings["long_threshold"]
        return cls(**settings, periods_per_year=section.periods_per_year)

    def run(
        self,
        prices: pd.DataFrame | pd.Series,
        signals: pd.Series | npt.ArrayLike | None = None,
        *,
        probabilities: pd.Series | npt.ArrayLike | None = None,
    ) -> BacktestResult:
        """Backtest ``signals`` (-1 short, 0 flat, 1 long, decided at each bar's close) or
        ``probabilities`` (of the up class) on ``prices``.

        ``prices`` is an OHLCV frame (``close``, and ``open`` when filling at the open) or,
        filling at the close, a close series. Signals and probabilities are Series on the
        prices' index, or arrays of the same length.
        """
        index, open_, close = _price_arrays(prices, self.fill)
        p_up = None
        if probabilities is not None:
            if signals is not None:
                raise ValueError("pass signals or probabilities, not both")
            p_up = _probability_array(probabilities, index)
            signal = signals_from_probabilities(
                p_up, long_threshold=self.long_threshold, short_threshold=self.short_threshold
            )
        elif signals is not None:
            signal = _signal_array(signals, index)
        else:
            raise ValueError("backtest needs signals or probabilities")
        if not self.allow_short:
            signal = np.maximum(signal, 0)
        fill_prices = open_ if self.fill == "open" else close
        trades = _Trades.from_signal(signal, skip_last_bar=self.close_at_end)
        trades.price(fill_prices, close, self)
        trades.size(self._weights(trades, close, p_up), self)
        return _result(self, index, signal, close, trades)

    def _weights(self, trades: _Trades, close: _FloatArray, p_up: _FloatArray | None) -> Any:
        decision = trades.entry - 1
        if self.sizing == "fixed":
            return np.full(len(decision), self.fraction)
        if self.sizing == "volatility_target":
            return volatility_target_weights(
                close,
                decision,
                target=self.target_volatility,
                window=self.volatility_window,
                periods_per_year=self.periods_per_year,
                max_leverage=self.max_leverage,
            )
        known, win_rate, payoff = trailing_trade_stats(
            trades.unit_return, trades.exit, decision, window=self.kelly_window
        )
        enough = known >= self.kelly_min_trades
        if p_up is None:
            edge = np.where(enough, kelly_criterion(win_rate, payoff), 0.0)
        else:
            side_probability = np.where(trades.side > 0, p_up[decision], 1.0 - p_up[decision])
            edge = kelly_criterion(side_probability, np.where(enough, payoff, 1.0))
        return np.clip(self.kelly_fraction * edge, 0.0, self.max_leverage)


def backtest(
    prices: pd.DataFrame | pd.Series,
    signals: pd.Series | npt.ArrayLike | None = None,
    *,
    probabilities: pd.Series | npt.ArrayLike | None = None,
    **settings: Any,
) -> BacktestResult:
    """``Backtest(**settings).run(prices, signals, probabilities=probabilities)``."""
    return Backtest(**settings).run(prices, signals, probabilities=probabilities)


# ---------------------------------------------------------------------------
# Signals
# ---------------------------------------------------------------------------


def signals_from_probabilities(
    probabilities: npt.ArrayLike,
    *,
    long_threshold: float = 0.5,
    short_threshold: float = 0.5,
) -> _IntArray:
    """1 where ``p > long_threshold``, -1 where ``p < short_threshold``, else (and for
    NaN) 0."""
    p = np.asarray(probabilities, dtype=np.float64)
    with np.errstate(invalid="ignore"):
        return np.where(p > long_threshold, 1, np.where(p < short_threshold, -1, 0)).astype(
            np.int64
        )


def signals_from_classes(predictions: pd.Series, classes: Sequence[Any] | None = None) -> pd.Series:
    """Signals from class predictions: the lowest class is down (-1), the highest up (1),
    any class between them flat (0), as in :mod:`mlcore.labels` (direction labels 0/1,
    triple-barrier -1/0/1). ``classes`` defaults to the distinct predicted values; a
    missing prediction is flat."""
    ordered = sorted(pd.unique(predictions.dropna())) if classes is None else sorted(classes)
    if len(ordered) < 2:
        raise AnalyticsError(
            f"class predictions need at least two classes to tell up from down, got {ordered}; "
            "pass classes=[down, up] (or [down, neutral, up])",
            column=str(predictions.name),
        )
    unknown = (predictions.notna() & ~predictions.isin(ordered)).to_numpy()
    if unknown.any():
        raise row_error(
            f"predictions hold classes outside {ordered} at {{row}}",
            predictions.index,
            np.flatnonzero(unknown),
            column=str(predictions.name),
        )
    signal = np.where(predictions == ordered[-1], 1, np.where(predictions == ordered[0], -1, 0))
    return pd.Series(signal.astype(np.int64), index=predictions.index, name="signal")


def _aligned(values: pd.Series | npt.ArrayLike, index: pd.Index, name: str) -> _FloatArray:
    if isinstance(values, pd.DataFrame):
        raise AnalyticsError(
            f"{name} must be one Series (for probabilities: the up class's column), "
            f"got a DataFrame with columns {list(values.columns)}",
            column=name,
        )
    if isinstance(values, pd.Series):
        if not values.index.equals(index):
            raise _mismatch(name, values.index, index)
        array = values.to_numpy(dtype=np.float64, na_value=np.nan)
    else:
        array = np.asarray(values, dtype=np.float64)
    if array.ndim != 1 or len(array) != len(index):
        raise AnalyticsError(
            f"{name} has shape {array.shape}; expected one value per bar ({len(index)} bars)",
            column=name,
        )
    return array


def _mismatch(name: str, got: pd.Index, expected: pd.Index) -> AnalyticsError:
    fix = f"align them first: {name}.reindex(prices.index)"
    if len(got) != len(expected):
        return AnalyticsError(
            f"{name} has {len(got)} rows but prices have {len(expected)}; {fix}", column=name
        )
    position = int(np.flatnonzero(got != expected)[0])
    return row_error(
        f"{name} index does not match the prices index at {{row}} of prices: "
        f"{name} has {got[position]} there; {fix}",
        expected,
        position,
        column=name,
    )


def _signal_array(signals: pd.Series | npt.ArrayLike, index: pd.Index) -> _IntArray:
    values = _aligned(signals, index, "signals")
    bad = ~np.isnan(values) & ~np.isin(values, (-1.0, 0.0, 1.0))
    if bad.any():
        raise row_error(
            f"signals must be -1, 0 or 1 (or NaN for flat), got {values[bad][:_SHOWN_ROWS]} "
            "at {row}; convert class predictions with signals_from_classes",
            index,
            np.flatnonzero(bad),
            column="signals",
        )
    return np.nan_to_num(values, nan=0.0).astype(np.int64)


def _probability_array(probabilities: pd.Series | npt.ArrayLike, index: pd.Index) -> _FloatArray:
    values = _aligned(probabilities, index, "probabilities")
    with np.errstate(invalid="ignore"):
        bad = (values < 0.0) | (values > 1.0) | np.isinf(values)
    if bad.any():
        raise row_error(
            f"probabilities must lie in [0, 1], got {values[bad][:_SHOWN_ROWS]} at {{row}}; "
            "pass the up class's probability (a column of predict_proba), not a score",
            index,
            np.flatnonzero(bad),
            column="probabilities",
        )
    return values


# ---------------------------------------------------------------------------
# Prices
# ---------------------------------------------------------------------------


def _price_arrays(
    prices: pd.DataFrame | pd.Series, fill: str
) -> tuple[pd.Index, _FloatArray, _FloatArray]:
    if isinstance(prices, pd.Series):
        if fill == "open":
            raise DataValidationError(
                "filling at the open needs an 'open' column, but prices is a close Series; "
                "pass the OHLCV frame or fill='close'",
                rule="missing_column",
                column="open",
            )
        frame = prices.rename("close").to_frame()
    else:
        frame = prices
    needed = ["open", "close"] if fill == "open" else ["close"]
    missing = [c for c in needed if c not in frame.columns]
    if missing:
        hint = " or fill='close'" if missing == ["open"] else ""
        raise DataValidationError(
            f"prices lack the column(s) {missing} (columns: {list(frame.columns)}); "
            f"pass an OHLCV frame{hint}",
            rule="missing_column",
            column=missing[0],
        )
    index = frame.index
    if len(index) == 0:
        raise DataValidationError("prices have no rows", rule="empty")
    if not (index.is_unique and index.is_monotonic_increasing):
        raise DataValidationError(
            "the prices index must be strictly increasing (sorted, no duplicates); "
            "repair it with mlcore.data.validate_ohlcv",
            rule="unsorted",
        )
    arrays = {name: _price_column(frame, name) for name in ("open", "close") if name in needed}
    close = arrays["close"]
    return index, arrays.get("open", close), close


def _price_column(frame: pd.DataFrame, name: str) -> _FloatArray:
    values = frame[name].to_numpy(dtype=np.float64, na_value=np.nan)
    for rule, bad, what in (
        ("nan", ~np.isfinite(values), "NaN or infinite"),
        ("non_positive_price", values <= 0, "not positive"),
    ):
        if bad.any():
            positions = np.flatnonzero(bad)
            raise DataValidationError(
                f"prices column '{name}' is {what} at {rows_text(frame.index, positions)}; "
                "drop or repair those bars (mlcore.data.validate_ohlcv) before backtesting",
                rule=rule,
                rows=list(frame.index[positions[:_SHOWN_ROWS]]),
                column=name,
            )
    return values


# ---------------------------------------------------------------------------
# Trades
# ---------------------------------------------------------------------------


@attrs.define(eq=False)
class _Trades:
    """The trades of one signal path, as arrays with one entry per trade."""

    entry: _IntArray  # the fill bar of the entry
    exit: _IntArray  # the fill bar of the exit; n for a trade still open
    side: _IntArray  # 1 long, -1 short
    n_bars: int
    entry_price: _FloatArray = attrs.field(init=False)
    exit_price: _FloatArray = attrs.field(init=False)
    raw_entry: _FloatArray = attrs.field(init=False)
    raw_exit: _FloatArray = attrs.field(init=False)
    unit_return: _FloatArray = attrs.field(init=False)
    weight: _FloatArray = attrs.field(init=False)
    shares: _FloatArray = attrs.field(init=False)
    equity_before: _FloatArray = attrs.field(init=False)
    entry_fee: _FloatArray = attrs.field(init=False)
    exit_fee: _FloatArray = attrs.field(init=False)

    @classmethod
    def from_signal(cls, signal: _IntArray, *, skip_last_bar: bool) -> _Trades:
        """Runs of equal non-zero target positions; the target of bar ``t`` is the signal
        of bar ``t - 1``. With ``skip_last_bar``, no trade opens on the last bar."""
        n = len(signal)
        target = np.concatenate(([0], signal[:-1]))
        changes = np.flatnonzero(target != np.concatenate(([0], target[:-1])))
        entry = changes[target[changes] != 0]
        if skip_last_bar:
            entry = entry[entry < n - 1]
        following = np.searchsorted(changes, entry, side="right")
        with_end = np.concatenate((changes, [n]))
        return cls(
            entry=entry.astype(np.int64),
            exit=with_end[following].astype(np.int64),
            side=target[entry].astype(np.int64),
            n_bars=n,
        )

    @property
    def closed(self) -> npt.NDArray[np.bool_]:
        return self.exit < self.n_bars

    def price(self, fill_prices: _FloatArray, close: _FloatArray, settings: Backtest) -> None:
        """Fill prices with slippage (a trade still open at the end exits at the last close
        when it is closed at the end; else its exit price is NaN) and the net return of each
        trade per unit of weight."""
        slip = settings.slippage_bps / 1e4
        n = self.n_bars
        still_open = self.exit == n
        exit_source = fill_prices[np.minimum(self.exit, n - 1)]
        if settings.close_at_end:
            self.exit = np.minimum(self.exit, n - 1)
            exit_source = np.where(still_open, close[n - 1], exit_source)
        else:
            exit_source = np.where(still_open, np.nan, exit_source)
        self.raw_entry = fill_prices[self.entry]
        self.raw_exit = exit_source
        self.entry_price = self.raw_entry * (1.0 + self.side * slip)
        self.exit_price = self.raw_exit * (1.0 - self.side * slip)
        growth = self.exit_price / self.entry_price
        self.unit_return = (
            self.side * (growth - 1.0)
            - settings.commission * (1.0 + growth)
            - 2.0 * settings.commission_per_share / self.entry_price
        )

    def size(self, weight: Any, settings: Backtest) -> None:
        """Shares per trade from weights and the equity at each entry (trades compound)."""
        weight = np.asarray(weight, dtype=np.float64)
        unit = np.nan_to_num(self.unit_return)  # a trade still open compounds into nothing
        wealth = np.cumprod(np.concatenate(([1.0], 1.0 + weight * unit)))
        ruined = np.flatnonzero(wealth[:-1] <= 0)
        if ruined.size:  # no trade once the equity is gone
            weight[ruined[0] :] = 0.0
            wealth = np.cumprod(np.concatenate(([1.0], 1.0 + weight * unit)))
        self.weight = weight
        self.equity_before = np.asarray(settings.initial_capital * wealth[:-1], np.float64)
        self.shares = weight * self.equity_before / self.entry_price
        per_share = settings.commission_per_share
        self.entry_fee = self.shares * (settings.commission * self.entry_price + per_share)
        self.exit_fee = self.shares * (settings.commission * self.exit_price + per_share)
        self.exit_fee = np.where(self.closed, self.exit_fee, 0.0)
        self._keep(weight > 0)

    def _keep(self, mask: npt.NDArray[np.bool_]) -> None:
        for field in attrs.fields(_Trades):
            value = getattr(self, field.name)
            if isinstance(value, np.ndarray):
                setattr(self, field.name, value[mask])

    def held_bars(self) -> tuple[_IntArray, _IntArray]:
        """The bars each trade holds at their end (``entry .. exit - 1``) and the trade of
        each, without a loop: ``np.repeat`` of the starts plus a ramp within each run."""
        lengths = self.exit - self.entry
        owner = np.repeat(np.arange(len(lengths)), lengths)
        starts = np.cumsum(lengths) - lengths
        offset = np.arange(int(lengths.sum())) - np.repeat(starts, lengths)
        return (np.repeat(self.entry, lengths) + offset).astype(np.int64), owner


# ---------------------------------------------------------------------------
# Result
# ---------------------------------------------------------------------------


@attrs.frozen(eq=False)
class BacktestResult:
    """What :meth:`Backtest.run` produced; every Series is on the prices' index.

    Attributes
    ----------
    signals
        The signal decided at each bar's close (-1, 0, 1).
    positions
        Signed fraction of equity committed to the position held at the end of each bar
        (the trade's weight, positive long, negative short, 0 flat).
    shares
        Signed shares held at the end of each bar.
    returns
        Simple return of each bar, net of costs.
    gross_returns
        The same positions' returns before commissions and slippage (over the same
        equity): ``gross_returns - returns`` is each bar's cost as a fraction of equity.
    costs
        Commissions and slippage of each bar, in currency.
    equity
        Equity at each bar's close, from ``initial_capital``.
    turnover
        Notional traded at each bar over the equity before it.
    market_returns
        Close-to-close simple returns of the prices (buy and hold), the natural benchmark.
    trades
        The closed trades (:data:`TRADE_COLUMNS`): entry and exit time and fill price
        (slippage included), side (``"long"``/``"short"``), size (shares), fees
        (commissions), pnl (net), return (pnl over the entry notional) and bars.
    open_trades
        The trade still open after the last bar (without ``close_at_end``): its exit is
        NaT and its pnl is marked to the last close.
    settings
        The :class:`Backtest` that ran.
    """

    signals: pd.Series
    positions: pd.Series
    shares: pd.Series
    returns: pd.Series
    gross_returns: pd.Series
    costs: pd.Series
    equity: pd.Series
    turnover: pd.Series
    market_returns: pd.Series
    trades: pd.DataFrame
    open_trades: pd.DataFrame
    settings: Backtest

    @property
    def total_return(self) -> float:
        """Final equity over initial capital, minus 1."""
        return float(self.equity.iloc[-1] / self.settings.initial_capital - 1.0)

    def analytics(
        self,
        risk_free_rate: float = 0.02,
        periods_per_year: int | None = None,
        *,
        benchmark: pd.Series | None = None,
        **options: Any,
    ) -> AdvancedAnalytics:
        """:class:`~mlcore.analytics.AdvancedAnalytics` of the net returns and the closed
        trades. ``periods_per_year`` defaults to the backtest's; pass
        ``benchmark=result.market_returns`` to compare with buy and hold; ``options`` go to
        ``AdvancedAnalytics`` (``host``, ``confidence_level``...)."""
        from mlcore.analytics.core import AdvancedAnalytics

        periods = self.settings.periods_per_year if periods_per_year is None else periods_per_year
        analytics = AdvancedAnalytics(risk_free_rate, periods, **options)
        analytics.add_returns(self.returns, benchmark=benchmark)
        if len(self.trades):
            analytics.add_trades(self.trades, capital=self.settings.initial_capital)
        return analytics


def _series(values: npt.ArrayLike, index: pd.Index, name: str) -> pd.Series:
    return pd.Series(values, index=index, name=name, copy=False)


def _per_bar(bars: _IntArray, weights: _FloatArray, n: int) -> _FloatArray:
    return np.asarray(np.bincount(bars, weights=weights, minlength=n)[:n], dtype=np.float64)


def _equity(
    settings: Backtest, trades: _Trades, close: _FloatArray, held: _IntArray, owner: _IntArray
) -> _FloatArray:
    """Equity at each bar's close, relative to the equity at each entry (so that a long
    compounding history keeps its relative precision): in a position,
    ``E * (1 + weight * (side * (close / entry - 1) - commission - per share / entry))``;
    flat, the equity after the last exit."""
    n = trades.n_bars
    closed = trades.closed
    after_exit = trades.equity_before * (1.0 + trades.weight * np.nan_to_num(trades.unit_return))
    settled = np.concatenate(([settings.initial_capital], after_exit[closed]))
    exits_so_far = np.cumsum(np.bincount(trades.exit[closed], minlength=n)[:n])
    equity = settled[exits_so_far]
    entry = trades.entry_price[owner]
    marked = (
        trades.side[owner] * (close[held] / entry - 1.0)
        - settings.commission
        - settings.commission_per_share / entry
    )
    equity[held] = trades.equity_before[owner] * (1.0 + trades.weight[owner] * marked)
    return np.asarray(equity, dtype=np.float64)


def _result(
    settings: Backtest, index: pd.Index, signal: _IntArray, close: _FloatArray, trades: _Trades
) -> BacktestResult:
    n = len(index)
    held, owner = trades.held_bars()
    shares = np.zeros(n)
    shares[held] = (trades.side * trades.shares)[owner]
    positions = np.zeros(n)
    positions[held] = (trades.side * trades.weight)[owner]

    closed = trades.closed
    exit_bars = trades.exit[closed]
    entry_costs = trades.shares * np.abs(trades.entry_price - trades.raw_entry) + trades.entry_fee
    exit_costs = (trades.shares * np.abs(trades.raw_exit - trades.exit_price) + trades.exit_fee)[
        closed
    ]
    costs = _per_bar(trades.entry, entry_costs, n) + _per_bar(exit_bars, exit_costs, n)
    notional = _per_bar(trades.entry, trades.shares * trades.entry_price, n) + _per_bar(
        exit_bars, (trades.shares * trades.exit_price)[closed], n
    )
    equity = _equity(settings, trades, close, held, owner)
    before = np.concatenate(([settings.initial_capital], equity[:-1]))
    with np.errstate(divide="ignore", invalid="ignore"):
        returns = np.where(before > 0, (equity - before) / before, 0.0)
        gross_returns = returns + np.where(before > 0, costs / before, 0.0)
        turnover = np.where(before > 0, notional / before, 0.0)
    market = np.concatenate(([0.0], close[1:] / close[:-1] - 1.0))
    history = _trade_frame(index, trades, close)
    return BacktestResult(
        signals=_series(signal, index, "signal"),
        positions=_series(positions, index, "position"),
        shares=_series(shares, index, "shares"),
        returns=_series(returns, index, "returns"),
        gross_returns=_series(gross_returns, index, "gross_returns"),
        costs=_series(costs, index, "costs"),
        equity=_series(equity, index, "equity"),
        turnover=_series(turnover, index, "turnover"),
        market_returns=_series(market, index, "market_returns"),
        trades=history[closed].reset_index(drop=True),
        open_trades=history[~closed].reset_index(drop=True),
        settings=settings,
    )


def _trade_frame(index: pd.Index, trades: _Trades, close: _FloatArray) -> pd.DataFrame:
    closed = trades.closed
    n = trades.n_bars
    exit_time = pd.Series(index[np.minimum(trades.exit, n - 1)]).where(closed)
    marked_exit = np.where(closed, trades.exit_price, close[n - 1])
    fees = trades.entry_fee + trades.exit_fee
    pnl = trades.side * trades.shares * (marked_exit - trades.entry_price) - fees
    frame = pd.DataFrame(
        {
            "entry_time": index[trades.entry],
            "exit_time": exit_time,
            "entry_price": trades.entry_price,
            "exit_price": np.where(closed, trades.exit_price, np.nan),
            "side": np.where(trades.side > 0, "long", "short"),
            "size": trades.shares,
            "fees": fees,
            "pnl": pnl,
            "return": pnl / (trades.shares * trades.entry_price),
            "bars": np.minimum(trades.exit, n - 1) - trades.entry,
        },
        columns=list(TRADE_COLUMNS),
    )
    return frame
