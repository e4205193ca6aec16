"""Labels for supervised learning on bars, each with the time its outcome became known.

Every labeler returns :class:`Labels`: ``y`` on the bars' index and ``t1``, the timestamp at
which each label's outcome is known (the end of its label window). Validation needs ``t1``
to purge training rows whose label window overlaps a test fold (:mod:`mlcore.validation`).

A label at row ``t`` uses ``close[t .. t1]`` only, plus, where a band or barrier is scaled
by volatility, the trailing returns ending at ``t``. A row whose window runs past the last
bar is undefined (NaN ``y``, NaT ``t1``) and is never filled.

Class labels are non-negative integers, so any classifier takes them as they are:

============================  =====================================================
labeler                       classes
============================  =====================================================
direction, binary             0 down or flat, 1 up
direction, neutral band       0 down, 1 neutral, 2 up
triple barrier, ``"sign"``    0 loss (stop-loss first, or vertical with return <= 0),
                              1 profit (profit-take first, or vertical with return > 0)
triple barrier, ``"neutral"`` 0 loss (stop-loss first), 1 vertical barrier, 2 profit
meta-labels                   0 skip the primary model's trade, 1 take it
============================  =====================================================

``y`` is float64 so that it can hold NaN; :meth:`Labels.dropna` returns int64 classes.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any, Final, Literal, TypeAlias, cast

import attrs
import numpy as np
import numpy.typing as npt
import pandas as pd

from mlcore.errors import ConfigError, DataValidationError

if TYPE_CHECKING:
    from mlcore.config import LabelsConfig

__all__ = [
    "LabelKind",
    "Labeler",
    "Labels",
    "NeutralBand",
    "VerticalBarrier",
    "forward_log_return",
    "forward_return_direction",
    "make_labels",
    "meta_labels",
    "trailing_volatility",
    "triple_barrier_labels",
]

#: What a :class:`Labels` holds: classes (``binary``, ``ternary``, ``triple_barrier``,
#: ``meta``) or a real value (``regression``).
LabelKind: TypeAlias = Literal["binary", "ternary", "regression", "triple_barrier", "meta"]
#: How a neutral band is given: ``None`` (binary labels), a fixed log-return threshold, or
#: ``("vol", k, window)``: k times the trailing volatility of ``window`` past returns.
NeutralBand: TypeAlias = float | tuple[str, float, int] | None
#: How a triple-barrier label whose vertical barrier is touched first is labelled.
VerticalBarrier: TypeAlias = Literal["sign", "neutral"]

_KINDS: Final = ("binary", "ternary", "regression", "triple_barrier", "meta")
_CLASS_KINDS: Final = frozenset({"binary", "ternary", "triple_barrier", "meta"})
_SHOWN_ROWS: Final = 5

_FloatArray: TypeAlias = npt.NDArray[np.float64]
_IntArray: TypeAlias = npt.NDArray[np.int64]
_BoolArray: TypeAlias = npt.NDArray[np.bool_]


# ---------------------------------------------------------------------------
# The result
# ---------------------------------------------------------------------------


def _is_series(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if not isinstance(value, pd.Series):
        raise TypeError(f"Labels.{attribute.name} must be a pandas Series, got {type(value)}")


def _is_optional_series(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if value is not None:
        _is_series(instance, attribute, value)


@attrs.frozen(eq=False)
class Labels:
    """Labels on the bars' index, with the time each label's outcome became known.

    Attributes
    ----------
    y
        The label of each bar (float64: NaN where undefined), named after the labeler.
    t1
        When each label's outcome is known, the end of its label window; NaT where ``y``
        is undefined. Validation purges training rows whose ``[t, t1]`` overlaps a test fold.
    kind
        ``binary``, ``ternary``, ``regression``, ``triple_barrier`` or ``meta``.
    returns
        The log return from each bar's close to the close at ``t1`` (None if not recorded).
    """

    y: pd.Series = attrs.field(validator=_is_series)
    t1: pd.Series = attrs.field(validator=_is_series)
    kind: LabelKind = attrs.field(validator=attrs.validators.in_(_KINDS))
    returns: pd.Series | None = attrs.field(default=None, validator=_is_optional_series)

    def __attrs_post_init__(self) -> None:
        for name in ("t1", "returns"):
            other = getattr(self, name)
            if other is not None and not other.index.equals(self.y.index):
                raise ValueError(f"Labels.{name} must share y's index (same rows, same order)")

    @property
    def name(self) -> str:
        """The label's name (the name of ``y``)."""
        return str(self.y.name)

    @property
    def is_classification(self) -> bool:
        """Whether ``y`` holds classes (every kind but ``regression``)."""
        return self.kind in _CLASS_KINDS

    @property
    def defined(self) -> pd.Series:
        """Boolean Series: True where the label is defined."""
        return self.y.notna() & self.t1.notna()

    def __len__(self) -> int:
        return len(self.y)

    def dropna(self) -> Labels:
        """The defined rows only; classes become int64."""
        keep = self.defined.to_numpy()
        return self._take(keep)

    def align(self, features: pd.DataFrame, *, dropna: bool = True) -> tuple[pd.DataFrame, Labels]:
        """Rows present in both ``features`` and these labels, with a defined label.

        With ``dropna`` (the default) rows where any feature is NaN (indicator warm-up) are
        dropped too. Returns the features and the labels on the same index, ready for
        :func:`mlcore.validation.cross_validate` (pass ``t1=labels.t1``).
        """
        common = features.index.intersection(self.y.index, sort=False)
        if not common.is_monotonic_increasing:
            common = common.sort_values()
        keep = self.defined.reindex(common).to_numpy(dtype=bool)
        if dropna:
            keep = keep & features.reindex(common).notna().all(axis=1).to_numpy()
        rows = common[keep]
        labels = self._take(self.y.index.get_indexer(rows))
        return features.loc[rows], labels

    def _take(self, rows: _BoolArray | npt.NDArray[np.intp]) -> Labels:
        y = self.y.iloc[rows]
        if self.is_classification and y.notna().all():
            y = y.astype(np.int64)
        returns = None if self.returns is None else self.returns.iloc[rows]
        return Labels(y=y, t1=self.t1.iloc[rows], kind=self.kind, returns=returns)

    def to_frame(self) -> pd.DataFrame:
        """``y`` (under its name), ``t1`` and, when recorded, ``return`` as columns."""
        columns: dict[str, pd.Series] = {self.name: self.y, "t1": self.t1}
        if self.returns is not None:
            columns["return"] = self.returns
        return pd.DataFrame(columns, index=self.y.index)


# ---------------------------------------------------------------------------
# Input checks
# ---------------------------------------------------------------------------


def _close_rule(index: pd.Index, rule: str, mask: _BoolArray, problem: str) -> DataValidationError:
    where = np.flatnonzero(mask)
    stamps = pd.Index(index[where])
    shown = ", ".join(
        f"{stamp} (position {position})"
        for stamp, position in zip(stamps[:_SHOWN_ROWS], where[:_SHOWN_ROWS], strict=True)
    )
    more = f" and {len(where) - _SHOWN_ROWS} more" if len(where) > _SHOWN_ROWS else ""
    return DataValidationError(
        f"close rule '{rule}' broken: {problem} in {len(where)} row(s): {shown}{more}. "
        "Fix: check the bars with mlcore.data.validate_ohlcv (policy='repair' repairs them) "
        "before labelling.",
        rule=rule,
        rows=stamps.tolist(),
        column="close",
    )


def _prices(close: pd.Series | pd.DataFrame) -> tuple[_FloatArray, pd.DatetimeIndex]:
    """The close as float64 and its index, after checking the parts of the OHLCV contract
    that labels rely on: a sorted, unique DatetimeIndex and finite, positive prices."""
    if isinstance(close, pd.DataFrame):
        if "close" not in close.columns:
            raise DataValidationError(
                "close rule 'missing_column' broken: the frame has no 'close' column; "
                f"found {[str(c) for c in close.columns]}. Fix: pass the bars' close Series, "
                "or a frame with a 'close' column.",
                rule="missing_column",
                column="close",
            )
        close = close["close"]
    if not isinstance(close, pd.Series):
        raise TypeError(f"close must be a pandas Series (or an OHLCV frame), got {type(close)}")
    index = close.index
    if not isinstance(index, pd.DatetimeIndex):
        raise DataValidationError(
            f"close rule 'not_datetime_index' broken: the index is a {type(index).__name__}, "
            "not a DatetimeIndex; t1 records timestamps. Fix: index the bars by time "
            "(mlcore.data.validate_ohlcv).",
            rule="not_datetime_index",
            column="close",
        )
    stamps = index.asi8
    if index.hasnans:
        raise _close_rule(index, "nan", np.asarray(index.isna()), "missing timestamp (NaT)")
    backwards = np.zeros(len(index), dtype=bool)
    backwards[1:] = stamps[1:] <= stamps[:-1]
    if backwards.any():
        raise _close_rule(
            index,
            "unsorted",
            backwards,
            "timestamp not after the row before (unsorted or repeated)",
        )
    try:
        values = close.to_numpy(dtype=np.float64)
    except (TypeError, ValueError):
        raise DataValidationError(
            f"close rule 'non_numeric' broken: the close has dtype {close.dtype}. "
            "Fix: convert it to float (pd.to_numeric).",
            rule="non_numeric",
            column="close",
        ) from None
    finite = np.isfinite(values)
    if not finite.all():
        raise _close_rule(index, "nan", ~finite, "NaN or infinite close")
    if (values <= 0).any():
        raise _close_rule(index, "non_positive_price", values <= 0, "close <= 0")
    return values, index


def _whole(name: str, value: object, minimum: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int | np.integer) or value < minimum:
        raise ValueError(f"{name} must be a whole number >= {minimum}, got {value!r}")
    return int(value)


def _non_negative(name: str, value: object) -> float:
    ok = isinstance(value, int | float | np.number) and not isinstance(value, bool)
    if not ok or not math.isfinite(float(cast(float, value))) or float(cast(float, value)) < 0:
        raise ValueError(f"{name} must be a finite number >= 0, got {value!r}")
    return float(cast(float, value))


# ---------------------------------------------------------------------------
# Building blocks
# ---------------------------------------------------------------------------


def trailing_volatility(close: pd.Series | pd.DataFrame, window: int = 20) -> pd.Series:
    """Standard deviation (ddof=1) of the last ``window`` log returns, ending at each bar.

    Row ``t`` uses the returns of bars ``t - window + 1 .. t`` only (known at ``t``'s close);
    the first ``window`` rows are NaN.
    """
    values, index = _prices(close)
    return pd.Series(_volatility(values, _whole("window", window, 2)), index=index, name="vol")


def _volatility(values: _FloatArray, window: int) -> _FloatArray:
    returns = np.empty(len(values))
    returns[0] = np.nan
    returns[1:] = np.log(values[1:] / values[:-1])
    rolling = pd.Series(returns).rolling(window, min_periods=window).std(ddof=1)
    return cast(_FloatArray, rolling.to_numpy(dtype=np.float64))


def _forward_log_return(values: _FloatArray, horizon: int) -> _FloatArray:
    out = np.full(len(values), np.nan)
    if horizon < len(values):
        out[:-horizon] = np.log(values[horizon:] / values[:-horizon])
    return out


def _end_times(index: pd.DatetimeIndex, ends: _IntArray, defined: _BoolArray) -> pd.Series:
    """The timestamp at position ``ends[t]`` where ``defined``, NaT elsewhere."""
    positions = np.where(defined, ends, 0)
    stamps = pd.Series(index.take(positions), index=index, name="t1")
    return stamps.where(defined)


def _result(
    index: pd.DatetimeIndex,
    y: _FloatArray,
    ends: _IntArray,
    values: _FloatArray,
    kind: LabelKind,
    name: str,
) -> Labels:
    defined = ~np.isnan(y)
    safe_ends = np.where(defined, ends, 0)
    returns = np.where(defined, np.log(values[safe_ends] / values), np.nan)
    return Labels(
        y=pd.Series(y, index=index, name=name),
        t1=_end_times(index, ends, defined),
        kind=kind,
        returns=pd.Series(returns, index=index, name="return"),
    )


def _neutral_band(neutral: NeutralBand, values: _FloatArray, horizon: int) -> _FloatArray:
    """The half-width of the neutral band for each row (NaN where it is not known yet)."""
    if isinstance(neutral, tuple):
        if len(neutral) != 3 or neutral[0] != "vol":
            raise ValueError(
                f"a volatility band is written ('vol', k, window), e.g. ('vol', 0.5, 20); "
                f"got {neutral!r}"
            )
        k = _non_negative("the band's k", neutral[1])
        window = _whole("the band's window", neutral[2], 2)
        # sqrt(h): k is in units of the h-bar return's standard deviation.
        return k * _volatility(values, window) * math.sqrt(horizon)
    threshold = _non_negative("neutral (a fixed log-return threshold)", neutral)
    return np.full(len(values), threshold)


# ---------------------------------------------------------------------------
# Labelers
# ---------------------------------------------------------------------------


def forward_return_direction(
    close: pd.Series | pd.DataFrame, horizon: int = 1, *, neutral: NeutralBand = None
) -> Labels:
    """The direction of the log return over the next ``horizon`` bars.

    ``r_t = log(close[t + h] / close[t])``, known at ``t1 = time[t + h]``.

    Parameters
    ----------
    close
        Close prices on a sorted DatetimeIndex (or an OHLCV frame).
    horizon
        Bars ahead, >= 1. The last ``horizon`` rows are undefined.
    neutral
        ``None``: binary labels, 1 if ``r_t > 0`` else 0 (kind ``binary``).
        A threshold ``tau >= 0``: 0 if ``r_t < -tau``, 2 if ``r_t > tau``, else 1 (kind
        ``ternary``). ``("vol", k, window)``: the same with
        ``tau_t = k * sigma_t * sqrt(horizon)``, ``sigma_t`` the standard deviation of the
        ``window`` log returns ending at ``t`` (past only); rows before it is known are
        undefined.
    """
    values, index = _prices(close)
    h = _whole("horizon", horizon, 1)
    r = _forward_log_return(values, h)
    ends = np.arange(len(values), dtype=np.int64) + h
    if neutral is None:
        y = np.where(np.isnan(r), np.nan, (r > 0).astype(np.float64))
        return _result(index, y, ends, values, "binary", f"direction_{h}")
    band = _neutral_band(neutral, values, h)
    with np.errstate(invalid="ignore"):
        y = np.select([r < -band, r > band], [0.0, 2.0], 1.0)
    y[np.isnan(r) | np.isnan(band)] = np.nan
    return _result(index, y, ends, values, "ternary", f"direction_{h}")


def forward_log_return(close: pd.Series | pd.DataFrame, horizon: int = 1) -> Labels:
    """``log(close[t + h] / close[t])`` for regression, known at ``time[t + h]``.

    The last ``horizon`` rows are undefined.
    """
    values, index = _prices(close)
    h = _whole("horizon", horizon, 1)
    r = _forward_log_return(values, h)
    ends = np.arange(len(values), dtype=np.int64) + h
    return _result(index, r, ends, values, "regression", f"log_return_{h}")


def _sides(side: pd.Series, index: pd.DatetimeIndex) -> _FloatArray:
    """+1 long, -1 short, NaN no trade (0 or missing), on the bars' index."""
    if not isinstance(side, pd.Series):
        raise TypeError(f"side must be a pandas Series of +1/-1 on the bars' index, got {side!r}")
    values = side.reindex(index).to_numpy(dtype=np.float64, na_value=np.nan)
    odd = ~np.isnan(values) & ~np.isin(values, (-1.0, 0.0, 1.0))
    if odd.any():
        first = index[np.flatnonzero(odd)[0]]
        raise ValueError(
            f"side must hold +1 (long), -1 (short), 0 or NaN (no trade); found "
            f"{values[odd][0]!r} at {first} and {int(odd.sum()) - 1} more. "
            "Fix: pass np.sign of the primary model's position"
        )
    return np.where(values == 0, np.nan, values)


def triple_barrier_labels(
    close: pd.Series | pd.DataFrame,
    *,
    profit_take: float = 2.0,
    stop_loss: float = 2.0,
    max_holding: int = 10,
    volatility_window: int = 20,
    side: pd.Series | None = None,
    vertical: VerticalBarrier = "sign",
    volatility: pd.Series | None = None,
) -> Labels:
    """López de Prado's triple-barrier method: which barrier does the price touch first?

    From each bar ``t`` (entry at ``close[t]``), the horizontal barriers sit at
    ``close[t] * (1 + profit_take * sigma_t)`` and ``close[t] * (1 - stop_loss * sigma_t)``,
    ``sigma_t`` the trailing volatility known at ``t``; the vertical barrier is
    ``max_holding`` bars later. A close at or beyond a horizontal barrier touches it.
    ``t1`` is the time of the first touch.

    Parameters
    ----------
    close
        Close prices on a sorted DatetimeIndex (or an OHLCV frame).
    profit_take, stop_loss
        Barrier widths in units of ``sigma_t``; 0 removes that barrier.
    max_holding
        Bars until the vertical barrier, >= 1.
    volatility_window
        Returns in the trailing volatility (see :func:`trailing_volatility`); the first
        ``volatility_window`` rows are undefined.
    side
        The primary model's side per bar (+1 long, -1 short, 0/NaN no trade). With a side,
        profit-take is in the side's direction and the result is meta-labels (kind
        ``meta``): 1 if the trade hit profit-take first (or, with ``vertical="sign"``,
        reached the vertical barrier in profit), else 0. Rows without a side are undefined.
    vertical
        ``"sign"``: a vertical touch is labelled by the sign of the return there (binary:
        0 loss, 1 profit). ``"neutral"``: it gets its own class (0 loss, 1 vertical,
        2 profit); meta-labels count it as 0.
    volatility
        A per-bar volatility to use instead of the trailing estimate; it must be known at
        each bar (no look-ahead).

    Rows with zero or unknown volatility, and rows whose window runs past the data without
    a touch, are undefined. Cost: O(N * max_holding) numpy operations.
    """
    values, index = _prices(close)
    n = len(values)
    holding = _whole("max_holding", max_holding, 1)
    upper_width = _non_negative("profit_take", profit_take)
    lower_width = _non_negative("stop_loss", stop_loss)
    if vertical not in ("sign", "neutral"):
        raise ValueError(f"vertical must be 'sign' or 'neutral', got {vertical!r}")
    if volatility is None:
        sigma = _volatility(values, _whole("volatility_window", volatility_window, 2))
    else:
        if not isinstance(volatility, pd.Series):
            raise TypeError("volatility must be a pandas Series on the bars' index")
        sigma = volatility.reindex(index).to_numpy(dtype=np.float64, na_value=np.nan)
    sides = np.ones(n) if side is None else _sides(side, index)
    # A width of 0 removes the barrier.
    upper = upper_width * sigma if upper_width > 0 else np.full(n, np.inf)
    lower = lower_width * sigma if lower_width > 0 else np.full(n, np.inf)
    with np.errstate(invalid="ignore"):
        active = ~np.isnan(sides) & (sigma > 0) & np.isfinite(sigma)

    touched_at = np.zeros(n, dtype=np.int64)  # bars to the first horizontal touch, 0 = none
    outcome = np.zeros(n)  # +1 profit-take, -1 stop-loss
    pending = active.copy()
    for offset in range(1, min(holding, n - 1) + 1):
        rows = n - offset
        gain = sides[:rows] * (values[offset:] / values[:rows] - 1.0)
        waiting = pending[:rows]
        profit = waiting & (gain >= upper[:rows])
        loss = waiting & (gain <= -lower[:rows])
        hit = profit | loss
        touched_at[:rows][hit] = offset
        outcome[:rows][profit] = 1.0
        outcome[:rows][loss] = -1.0
        pending[:rows] &= ~hit
        if not pending.any():
            break

    positions = np.arange(n, dtype=np.int64)
    horizontal = touched_at > 0
    vertical_touch = active & ~horizontal & (positions + holding <= n - 1)
    ends = np.where(horizontal, positions + touched_at, positions + holding)
    safe_ends = np.minimum(ends, n - 1)
    final_gain = sides * (values[safe_ends] / values - 1.0)
    y = np.full(n, np.nan)
    if side is not None:
        kind: LabelKind = "meta"
        y[horizontal] = (outcome[horizontal] > 0).astype(np.float64)
        y[vertical_touch] = (
            (final_gain[vertical_touch] > 0).astype(np.float64) if vertical == "sign" else 0.0
        )
        name = "meta_label"
    else:
        kind = "triple_barrier"
        if vertical == "sign":
            y[horizontal] = (outcome[horizontal] > 0).astype(np.float64)
            y[vertical_touch] = (final_gain[vertical_touch] > 0).astype(np.float64)
        else:
            y[horizontal] = np.where(outcome[horizontal] > 0, 2.0, 0.0)
            y[vertical_touch] = 1.0
        name = "triple_barrier"
    return _result(index, y, safe_ends, values, kind, name)


def meta_labels(
    primary_side: pd.Series,
    close: pd.Series | pd.DataFrame,
    *,
    profit_take: float = 2.0,
    stop_loss: float = 2.0,
    max_holding: int = 10,
    volatility_window: int = 20,
    vertical: VerticalBarrier = "sign",
    volatility: pd.Series | None = None,
) -> Labels:
    """Meta-labels: 1 where the primary model's trade (``primary_side``: +1/-1) hit its
    profit-take first, else 0; see :func:`triple_barrier_labels` with ``side``.

    A secondary model trained on them learns when to act on the primary model's signals
    (bet sizing), not which side to take.
    """
    return triple_barrier_labels(
        close,
        profit_take=profit_take,
        stop_loss=stop_loss,
        max_holding=max_holding,
        volatility_window=volatility_window,
        side=primary_side,
        vertical=vertical,
        volatility=volatility,
    )


# ---------------------------------------------------------------------------
# From configuration
# ---------------------------------------------------------------------------

_METHODS: Final = ("direction", "ternary", "log_return", "triple_barrier")


def _check_whole(minimum: int) -> Any:
    def check(_: object, attribute: attrs.Attribute[Any], value: object) -> None:
        _whole(f"Labeler.{attribute.name}", value, minimum)

    return check


def _check_non_negative(_: object, attribute: attrs.Attribute[Any], value: object) -> None:
    _non_negative(f"Labeler.{attribute.name}", value)


def _combination_problem(method: str, threshold: float, meta_labeling: bool) -> tuple[str, str]:
    """(key, message) when the labeling keys do not go together, else ("", "")."""
    if method == "direction" and threshold:
        return "threshold", (
            f"threshold={threshold!r} is the neutral band of method 'ternary'; "
            "use method 'ternary', or threshold 0 for binary direction labels"
        )
    if meta_labeling and method != "triple_barrier":
        return "meta_labeling", (
            "meta-labeling scores the primary model's trades with triple barriers; "
            f"use method 'triple_barrier' (got {method!r}) or turn meta_labeling off"
        )
    return "", ""


@attrs.frozen(kw_only=True)
class Labeler:
    """A labeling recipe (the ``labels`` config section as an object); call it on bars.

    ``method``: ``direction`` (binary), ``ternary`` (neutral band ``threshold``, a fixed
    log return), ``log_return`` (regression) or ``triple_barrier``. ``meta_labeling``
    turns triple-barrier labels into meta-labels; the call then needs the primary ``side``.
    """

    method: Literal["direction", "ternary", "log_return", "triple_barrier"] = attrs.field(
        default="direction", validator=attrs.validators.in_(_METHODS)
    )
    horizon: int = attrs.field(default=1, validator=_check_whole(1))
    threshold: float = attrs.field(default=0.0, validator=_check_non_negative)
    volatility_window: int = attrs.field(default=20, validator=_check_whole(2))
    profit_take: float = attrs.field(default=2.0, validator=_check_non_negative)
    stop_loss: float = attrs.field(default=2.0, validator=_check_non_negative)
    max_holding: int = attrs.field(default=10, validator=_check_whole(1))
    meta_labeling: bool = False
    vertical: VerticalBarrier = attrs.field(
        default="sign", validator=attrs.validators.in_(("sign", "neutral"))
    )

    def __attrs_post_init__(self) -> None:
        key, problem = _combination_problem(self.method, self.threshold, self.meta_labeling)
        if problem:
            raise ValueError(f"Labeler.{key}: {problem}")

    @classmethod
    def from_config(cls, cfg: LabelsConfig) -> Labeler:
        """The recipe of a ``labels`` config section.

        Raises
        ------
        ConfigError
            The section combines keys that do not go together (the message names the key).
        """
        key, problem = _combination_problem(cfg.method, cfg.threshold, cfg.meta_labeling)
        if problem:
            raise ConfigError(problem, key_path=f"labels.{key}")
        return cls(
            method=cast(Any, cfg.method),
            horizon=cfg.horizon,
            threshold=cfg.threshold,
            volatility_window=cfg.volatility_window,
            profit_take=cfg.profit_take,
            stop_loss=cfg.stop_loss,
            max_holding=cfg.max_holding,
            meta_labeling=cfg.meta_labeling,
        )

    @property
    def lookahead(self) -> int:
        """The most bars after ``t`` that a label at ``t`` can look at."""
        return self.max_holding if self.method == "triple_barrier" else self.horizon

    def __call__(self, close: pd.Series | pd.DataFrame, *, side: pd.Series | None = None) -> Labels:
        """Label the bars; ``side`` (the primary model's +1/-1) is needed for meta-labels."""
        if self.meta_labeling and side is None:
            raise ValueError(
                "meta-labeling needs the primary model's side per bar: call with side=..."
            )
        if side is not None and not self.meta_labeling:
            raise ValueError("side is only used for meta-labels; set meta_labeling=True")
        if self.method == "direction":
            return forward_return_direction(close, self.horizon)
        if self.method == "ternary":
            return forward_return_direction(close, self.horizon, neutral=self.threshold)
        if self.method == "log_return":
            return forward_log_return(close, self.horizon)
        return triple_barrier_labels(
            close,
            profit_take=self.profit_take,
            stop_loss=self.stop_loss,
            max_holding=self.max_holding,
            volatility_window=self.volatility_window,
            side=side,
            vertical=self.vertical,
        )


def make_labels(
    close: pd.Series | pd.DataFrame, config: LabelsConfig, *, side: pd.Series | None = None
) -> Labels:
    """Label the bars as the ``labels`` config section says (see :class:`Labeler`)."""
    return Labeler.from_config(config)(close, side=side)
