"""Labels: hand-computed examples on tiny series, a loop reference for triple barriers, and
the no-look-ahead properties (a label at t depends only on bars up to its window's end)."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mlcore.config import LabelsConfig
from mlcore.errors import ConfigError, DataValidationError
from mlcore.labels import (
    Labeler,
    Labels,
    forward_log_return,
    forward_return_direction,
    make_labels,
    meta_labels,
    trailing_volatility,
    triple_barrier_labels,
)

nan = math.nan
fast = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def bars(prices: list[float] | np.ndarray, freq: str = "D") -> pd.Series:
    index = pd.date_range("2024-01-01", periods=len(prices), freq=freq, tz="UTC", name="timestamp")
    return pd.Series(np.asarray(prices, dtype=float), index=index, name="close")


def from_log_returns(returns: list[float]) -> pd.Series:
    return bars(100.0 * np.exp(np.cumsum([0.0, *returns])))


def positions(labels: Labels) -> list[float]:
    """Each defined row's t1 as a bar position, NaN where undefined."""
    found = labels.y.index.get_indexer(labels.t1)
    return [float(position) if position >= 0 else nan for position in found]


def assert_labels(labels: Labels, y: list[float], t1_positions: list[float]) -> None:
    np.testing.assert_array_equal(labels.y.to_numpy(), np.asarray(y, dtype=float))
    np.testing.assert_array_equal(positions(labels), np.asarray(t1_positions, dtype=float))


CLOSE = bars([100, 101, 99, 99, 102, 100])

log_returns = st.lists(
    st.floats(min_value=-0.05, max_value=0.05, allow_nan=False), min_size=1, max_size=60
)


# ---------------------------------------------------------------------------
# Hand-computed examples
# ---------------------------------------------------------------------------


def test_binary_direction_one_bar_ahead() -> None:
    # log(101/100) > 0, log(99/101) < 0, log(99/99) = 0 is not up, log(102/99) > 0,
    # log(100/102) < 0, and the last bar has no next bar.
    labels = forward_return_direction(CLOSE, 1)
    assert labels.kind == "binary"
    assert labels.name == "direction_1"
    assert_labels(labels, [1, 0, 0, 1, 0, nan], [1, 2, 3, 4, 5, nan])


def test_binary_direction_two_bars_ahead() -> None:
    # 99/100 down, 99/101 down, 102/99 up, 100/99 up; the last two rows are undefined.
    labels = forward_return_direction(CLOSE, 2)
    assert_labels(labels, [0, 0, 1, 1, nan, nan], [2, 3, 4, 5, nan, nan])
    assert labels.t1.iloc[-2:].isna().all()


def test_ternary_direction_with_a_fixed_band() -> None:
    # 1-bar log returns: +0.00995, -0.0202, 0, +0.0299, -0.0198; band 0.015.
    labels = forward_return_direction(CLOSE, 1, neutral=0.015)
    assert labels.kind == "ternary"
    assert_labels(labels, [1, 0, 1, 2, 0, nan], [1, 2, 3, 4, 5, nan])


def test_ternary_band_edges_are_neutral() -> None:
    # r = log(2) exactly at the band is neutral; just above it is up.
    close = bars([1.0, 2.0, 1.0])
    at_edge = forward_return_direction(close, 1, neutral=float(np.log(2.0)))
    inside = forward_return_direction(close, 1, neutral=float(np.log(2.0)) - 1e-9)
    assert at_edge.y.tolist()[:2] == [1.0, 1.0]
    assert inside.y.tolist()[:2] == [2.0, 0.0]


def test_ternary_direction_with_a_volatility_band() -> None:
    # Log returns 0.01, -0.01, 0.018, 0, -0.02. With window 2, sigma_t is the std (ddof 1)
    # of the two returns ending at t:
    #   sigma_2 = std(0.01, -0.01) = 0.014142, sigma_3 = std(-0.01, 0.018) = 0.019799,
    #   sigma_4 = std(0.018, 0) = 0.012728; rows 0 and 1 have no sigma yet.
    # h = 1: row 2: 0.018 > 0.014142 -> up; row 3: 0 -> neutral; row 4: -0.02 < -0.012728
    # -> down.
    close = from_log_returns([0.01, -0.01, 0.018, 0.0, -0.02])
    one = forward_return_direction(close, 1, neutral=("vol", 1.0, 2))
    assert_labels(one, [nan, nan, 2, 1, 0, nan], [nan, nan, 3, 4, 5, nan])
    # h = 2: the band is k * sigma * sqrt(2): row 2: |0.018| < 0.014142 * 1.414 = 0.02 ->
    # neutral (without the sqrt it would be up); row 3: |-0.02| < 0.028 -> neutral.
    two = forward_return_direction(close, 2, neutral=("vol", 1.0, 2))
    assert_labels(two, [nan, nan, 1, 1, nan, nan], [nan, nan, 4, 5, nan, nan])


def test_trailing_volatility_uses_past_returns_only() -> None:
    close = from_log_returns([0.01, -0.01, 0.018, 0.0, -0.02])
    vol = trailing_volatility(close, 2)
    expected = [nan, nan, 0.0141421356, 0.0197989899, 0.0127279221, 0.0141421356]
    np.testing.assert_allclose(vol.to_numpy(), expected, rtol=1e-8)


def test_trailing_volatility_window_3_by_hand() -> None:
    # Returns 0.01, -0.01, 0.018, 0, -0.02 (bars 1..5). Bar 3: mean 0.006, squared deviations
    # 1.6e-5 + 2.56e-4 + 1.44e-4 = 4.16e-4, / 2 -> sqrt = 0.0144222; bar 4 (-0.01, 0.018, 0)
    # -> 0.0141892; bar 5 (0.018, 0, -0.02) -> 0.0190088.
    close = from_log_returns([0.01, -0.01, 0.018, 0.0, -0.02])
    vol = trailing_volatility(close, 3)
    expected = [nan, nan, nan, 0.0144222051, 0.0141891978, 0.0190087699]
    np.testing.assert_allclose(vol.to_numpy(), expected, rtol=1e-8)


@fast
@given(
    returns=log_returns,
    window=st.integers(2, 7),
    cut=st.integers(min_value=0),
    shock=st.floats(min_value=0.5, max_value=2.0),
)
def test_trailing_volatility_never_looks_ahead(
    returns: list[float], window: int, cut: int, shock: float
) -> None:
    close = from_log_returns(returns)
    cut = cut % len(close)
    changed = close.copy()
    changed.iloc[cut:] *= shock  # bars from `cut` on move; every sigma before it must stay
    before = trailing_volatility(close, window).iloc[:cut]
    pd.testing.assert_series_equal(trailing_volatility(changed, window).iloc[:cut], before)


def test_forward_log_return() -> None:
    labels = forward_log_return(CLOSE, 1)
    assert labels.kind == "regression"
    expected = [np.log(101 / 100), np.log(99 / 101), 0.0, np.log(102 / 99), np.log(100 / 102)]
    np.testing.assert_allclose(labels.y.to_numpy()[:5], expected, rtol=1e-12)
    assert np.isnan(labels.y.iloc[5])
    assert_labels(labels, [*labels.y.to_numpy()[:5], nan], [1, 2, 3, 4, 5, nan])


# Constant volatility 1% and 2-sigma barriers: +-2% around each entry, 3 bars of holding.
PATH = bars([100, 101, 102.5, 101, 99, 97.5, 98, 100, 100.5, 100.2, 100.1])
FLAT_VOL = pd.Series(0.01, index=PATH.index)
# Row 0 (100; 102 / 98): 101, then 102.5 >= 102: profit at bar 2.
# Row 1 (101; 103.02 / 98.98): 102.5, 101, 99: nothing; vertical at bar 4, return < 0.
# Row 2 (102.5; 104.55 / 100.45): 101, then 99 <= 100.45: loss at bar 4.
# Row 3 (101; 103.02 / 98.98): 99 is above 98.98, then 97.5: loss at bar 5.
# Row 4 (99; 100.98 / 97.02): 97.5, 98, 100: nothing; vertical at bar 7, return > 0.
# Row 5 (97.5; 99.45 / 95.55): 98, then 100 >= 99.45: profit at bar 7.
# Row 6 (98; 99.96 / 96.04): 100 >= 99.96: profit at bar 7.
# Row 7 (100; 102 / 98): 100.5, 100.2, 100.1: vertical at bar 10, return > 0.
# Rows 8-10: the window runs past the data without a touch: undefined.
PATH_T1 = [2, 4, 4, 5, 7, 7, 7, 10, nan, nan, nan]


def test_triple_barrier_by_hand_vertical_sign() -> None:
    labels = triple_barrier_labels(
        PATH, profit_take=2, stop_loss=2, max_holding=3, volatility=FLAT_VOL
    )
    assert labels.kind == "triple_barrier"
    assert_labels(labels, [1, 0, 0, 0, 1, 1, 1, 1, nan, nan, nan], PATH_T1)
    np.testing.assert_allclose(labels.returns.iloc[0], np.log(102.5 / 100))  # type: ignore[union-attr]


def test_triple_barrier_by_hand_vertical_neutral() -> None:
    labels = triple_barrier_labels(
        PATH, profit_take=2, stop_loss=2, max_holding=3, volatility=FLAT_VOL, vertical="neutral"
    )
    assert_labels(labels, [2, 1, 0, 0, 1, 2, 2, 1, nan, nan, nan], PATH_T1)


@pytest.mark.parametrize(
    ("prices", "label", "touch"),
    [
        ([100, 103, 97, 100], 1, 1),  # up then down: the profit-take came first
        ([100, 97, 103, 100], 0, 1),  # down then up: the stop-loss came first
        ([100, 101, 102, 100], 1, 2),  # up, touched on the second bar (102 >= 102)
        ([100, 99.5, 100.5, 97.9], 0, 3),  # wanders, then the stop-loss on the last bar
        ([100, 99.5, 100.5, 99.9], 0, 3),  # no touch: vertical barrier, return < 0
    ],
)
def test_triple_barrier_touch_order(prices: list[float], label: int, touch: int) -> None:
    close = bars(prices)
    labels = triple_barrier_labels(
        close, max_holding=3, volatility=pd.Series(0.01, index=close.index)
    )
    assert labels.y.iloc[0] == label
    assert labels.t1.iloc[0] == close.index[touch]


def test_a_zero_width_removes_that_barrier() -> None:
    close = bars([100, 103, 90, 100])
    vol = pd.Series(0.01, index=close.index)
    no_profit_take = triple_barrier_labels(close, profit_take=0, max_holding=3, volatility=vol)
    assert no_profit_take.y.iloc[0] == 0
    assert no_profit_take.t1.iloc[0] == close.index[2]
    no_barriers = triple_barrier_labels(
        close, profit_take=0, stop_loss=0, max_holding=3, volatility=vol
    )
    assert no_barriers.t1.iloc[0] == close.index[3]  # only the vertical barrier is left


def test_meta_labels_by_hand() -> None:
    # Row 0 short: profit-take at <= 98, stop at >= 102: 102.5 stops it out -> 0.
    # Row 1 long: vertical barrier with a loss -> 0.
    # Row 2 short from 102.5: 99 <= 100.45 takes profit -> 1.
    # Row 3 has no trade; row 4 long: vertical barrier in profit -> 1 ("sign"), 0 ("neutral").
    side = pd.Series([-1, 1, -1, 0, 1], index=PATH.index[:5])
    labels = meta_labels(side, PATH, max_holding=3, volatility=FLAT_VOL)
    assert labels.kind == "meta"
    assert labels.name == "meta_label"
    assert_labels(labels, [0, 0, 1, nan, 1] + [nan] * 6, [2, 4, 4, nan, 7] + [nan] * 6)
    neutral = meta_labels(side, PATH, max_holding=3, volatility=FLAT_VOL, vertical="neutral")
    assert neutral.y.iloc[4] == 0
    via_side = triple_barrier_labels(PATH, max_holding=3, volatility=FLAT_VOL, side=side)
    pd.testing.assert_frame_equal(via_side.to_frame(), labels.to_frame())


def test_meta_labels_refuse_sides_other_than_plus_minus_one() -> None:
    with pytest.raises(ValueError, match=r"side must hold \+1"):
        meta_labels(pd.Series(0.5, index=PATH.index), PATH, volatility=FLAT_VOL)


def test_triple_barrier_first_rows_wait_for_the_volatility_estimate() -> None:
    close = from_log_returns([0.01, -0.02, 0.015, 0.03, -0.01, 0.02, -0.03, 0.01])
    labels = triple_barrier_labels(close, volatility_window=3, max_holding=2)
    assert labels.y.iloc[:3].isna().all()
    assert labels.y.iloc[3:7].notna().all()


# ---------------------------------------------------------------------------
# Reference implementation (plain loops) and properties
# ---------------------------------------------------------------------------


def reference_triple_barrier(
    close: np.ndarray,
    sigma: np.ndarray,
    *,
    profit_take: float,
    stop_loss: float,
    max_holding: int,
    side: np.ndarray | None = None,
    vertical: str = "sign",
) -> tuple[list[float], list[float]]:
    n = len(close)
    labels: list[float] = [nan] * n
    ends: list[float] = [nan] * n
    for t in range(n):
        s = 1.0 if side is None else side[t]
        if np.isnan(s) or s == 0 or not sigma[t] > 0:
            continue
        for j in range(1, max_holding + 1):
            if t + j >= n:
                break  # the window runs past the data: undefined
            gain = s * (close[t + j] / close[t] - 1.0)
            if profit_take > 0 and gain >= profit_take * sigma[t]:
                labels[t] = 2.0 if vertical == "neutral" and side is None else 1.0
                ends[t] = t + j
                break
            if stop_loss > 0 and gain <= -stop_loss * sigma[t]:
                labels[t], ends[t] = 0.0, t + j
                break
        else:
            gain = s * (close[t + max_holding] / close[t] - 1.0)
            if vertical == "sign":
                labels[t] = 1.0 if gain > 0 else 0.0
            else:
                labels[t] = 0.0 if side is not None else 1.0
            ends[t] = t + max_holding
    return labels, ends


@fast
@given(
    returns=log_returns,
    profit_take=st.sampled_from([0.0, 0.5, 1.0, 2.0]),
    stop_loss=st.sampled_from([0.0, 0.5, 1.0, 2.0]),
    max_holding=st.integers(1, 8),
    vertical=st.sampled_from(["sign", "neutral"]),
    with_side=st.booleans(),
    data=st.data(),
)
def test_triple_barrier_matches_a_loop_reference(
    returns: list[float],
    profit_take: float,
    stop_loss: float,
    max_holding: int,
    vertical: str,
    with_side: bool,
    data: st.DataObject,
) -> None:
    close = from_log_returns(returns)
    sigma = trailing_volatility(close, 3)
    side = None
    if with_side:
        drawn = data.draw(st.lists(st.sampled_from([-1.0, 0.0, 1.0, nan]), min_size=len(close)))
        side = pd.Series(drawn[: len(close)], index=close.index)
    labels = triple_barrier_labels(
        close,
        profit_take=profit_take,
        stop_loss=stop_loss,
        max_holding=max_holding,
        volatility_window=3,
        side=side,
        vertical=vertical,  # type: ignore[arg-type]
    )
    expected, ends = reference_triple_barrier(
        close.to_numpy(),
        sigma.to_numpy(),
        profit_take=profit_take,
        stop_loss=stop_loss,
        max_holding=max_holding,
        side=None if side is None else side.to_numpy(),
        vertical=vertical,
    )
    np.testing.assert_array_equal(labels.y.to_numpy(), expected)
    np.testing.assert_array_equal(positions(labels), ends)


LABELERS = {
    "binary_h1": (lambda c: forward_return_direction(c, 1), 1),
    "binary_h3": (lambda c: forward_return_direction(c, 3), 3),
    "ternary_fixed": (lambda c: forward_return_direction(c, 2, neutral=0.01), 2),
    "ternary_vol": (lambda c: forward_return_direction(c, 2, neutral=("vol", 0.5, 4)), 2),
    "log_return": (lambda c: forward_log_return(c, 4), 4),
    "triple_barrier": (
        lambda c: triple_barrier_labels(
            c, profit_take=1, stop_loss=1.5, volatility_window=4, max_holding=5
        ),
        5,
    ),
}


@fast
@given(
    returns=log_returns,
    name=st.sampled_from(sorted(LABELERS)),
    cut=st.integers(min_value=1),
    shock=st.floats(min_value=0.5, max_value=2.0),
)
def test_a_label_never_depends_on_bars_after_its_window(
    returns: list[float], name: str, cut: int, shock: float
) -> None:
    labeler, lookahead = LABELERS[name]
    close = from_log_returns(returns)
    cut = cut % len(close) + 1  # bars [0, cut) are kept, the others changed or dropped
    full = labeler(close)
    start = np.arange(len(close))
    with np.errstate(invalid="ignore"):
        # Windows that end before `cut`: their whole horizon, or an earlier barrier touch.
        settled = (start + lookahead < cut) | (np.asarray(positions(full)) < cut)
    changed = close.copy()
    changed.iloc[cut:] *= shock
    prefix = labeler(close.iloc[:cut])
    for other in (labeler(changed), prefix):
        keep = settled[: len(other)]
        np.testing.assert_array_equal(
            other.y.to_numpy()[keep], full.y.to_numpy()[: len(other)][keep]
        )
        np.testing.assert_array_equal(
            np.asarray(positions(other))[keep], np.asarray(positions(full))[: len(other)][keep]
        )
    # A label defined on the prefix is one whose window closed inside it.
    assert not (prefix.defined.to_numpy() & ~settled[:cut]).any()


@fast
@given(returns=log_returns, name=st.sampled_from(sorted(LABELERS)))
def test_t1_is_never_before_its_bar_and_within_the_window(returns: list[float], name: str) -> None:
    labeler, lookahead = LABELERS[name]
    close = from_log_returns(returns)
    labels = labeler(close)
    ends = np.asarray(positions(labels))
    start = np.arange(len(close))
    defined = ~np.isnan(ends)
    assert (labels.y.notna().to_numpy() == defined).all()
    assert (ends[defined] > start[defined]).all()
    assert (ends[defined] - start[defined] <= lookahead).all()
    if name != "triple_barrier":  # fixed horizons end exactly `lookahead` bars later
        assert (ends[defined] - start[defined] == lookahead).all()
        assert labels.y.iloc[-lookahead:].isna().all()
    values = set(labels.y.dropna().unique())
    allowed = {
        "binary_h1": {0.0, 1.0},
        "binary_h3": {0.0, 1.0},
        "ternary_fixed": {0.0, 1.0, 2.0},
        "ternary_vol": {0.0, 1.0, 2.0},
        "triple_barrier": {0.0, 1.0},
    }
    assert name == "log_return" or values <= allowed[name]


# ---------------------------------------------------------------------------
# The Labels object
# ---------------------------------------------------------------------------


def test_dropna_gives_integer_classes_and_aligned_t1() -> None:
    labels = forward_return_direction(CLOSE, 2).dropna()
    assert labels.y.dtype == np.int64
    assert labels.y.index.equals(labels.t1.index)
    assert len(labels) == 4
    assert labels.t1.notna().all()


def test_to_frame() -> None:
    frame = forward_return_direction(CLOSE, 1).to_frame()
    assert list(frame.columns) == ["direction_1", "t1", "return"]
    assert frame.index.equals(CLOSE.index)


def test_align_keeps_rows_with_features_and_a_defined_label() -> None:
    labels = forward_return_direction(CLOSE, 1)
    # A feature with a 2-bar warm-up, on one row fewer than the labels.
    features = pd.DataFrame({"f": [nan, nan, 1.0, 2.0, 3.0]}, index=CLOSE.index[:5])
    X, aligned = labels.align(features)
    assert X.index.equals(CLOSE.index[2:5])
    assert aligned.y.index.equals(X.index)
    assert aligned.y.tolist() == [0, 1, 0]
    kept, _ = labels.align(features, dropna=False)
    assert kept.index.equals(CLOSE.index[:5])


def test_labels_refuse_misaligned_parts() -> None:
    y = pd.Series([1.0, 0.0], index=CLOSE.index[:2])
    with pytest.raises(ValueError, match="share y's index"):
        Labels(y=y, t1=pd.Series(CLOSE.index[1:3], index=CLOSE.index[1:3]), kind="binary")
    with pytest.raises(ValueError, match="kind"):
        Labels(y=y, t1=pd.Series(CLOSE.index[1:3], index=y.index), kind="other")  # type: ignore[arg-type]


# ---------------------------------------------------------------------------
# Bad input
# ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("close", "rule"),
    [
        (bars([100, nan, 101]), "nan"),
        (bars([100, -1, 101]), "non_positive_price"),
        (pd.Series([1.0, 2.0], index=[0, 1]), "not_datetime_index"),
        (bars([100, 101, 102]).iloc[[0, 2, 1]], "unsorted"),
        (pd.DataFrame({"open": [1.0]}, index=bars([1.0]).index), "missing_column"),
    ],
)
def test_bad_close_is_refused_with_the_rule(close: pd.Series, rule: str) -> None:
    with pytest.raises(DataValidationError) as caught:
        forward_return_direction(close)
    assert caught.value.rule == rule
    assert "Fix:" in str(caught.value)


def test_an_ohlcv_frame_is_labelled_by_its_close() -> None:
    frame = pd.DataFrame({"open": CLOSE, "close": CLOSE})
    pd.testing.assert_series_equal(
        forward_return_direction(frame).y, forward_return_direction(CLOSE).y
    )


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: forward_return_direction(CLOSE, 0), "horizon must be a whole number >= 1"),
        (lambda: forward_return_direction(CLOSE, neutral=-0.1), "threshold"),
        (lambda: forward_return_direction(CLOSE, neutral=("ewm", 1, 5)), r"\('vol', k, window\)"),
        (lambda: triple_barrier_labels(CLOSE, max_holding=0), "max_holding"),
        (lambda: triple_barrier_labels(CLOSE, vertical="up"), "vertical"),  # type: ignore[arg-type]
    ],
)
def test_bad_parameters_are_named(call: object, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        call()  # type: ignore[operator]


# ---------------------------------------------------------------------------
# From configuration
# ---------------------------------------------------------------------------


def test_make_labels_dispatches_on_the_method() -> None:
    close = from_log_returns(list(np.random.default_rng(3).normal(0, 0.01, 80)))
    cases = [
        (LabelsConfig(method="direction", horizon=2), forward_return_direction(close, 2)),
        (
            LabelsConfig(method="ternary", horizon=1, threshold=0.005),
            forward_return_direction(close, 1, neutral=0.005),
        ),
        (LabelsConfig(method="log_return", horizon=3), forward_log_return(close, 3)),
        (
            LabelsConfig(method="triple_barrier", profit_take=1, stop_loss=2, max_holding=4),
            triple_barrier_labels(close, profit_take=1, stop_loss=2, max_holding=4),
        ),
    ]
    for config, expected in cases:
        got = make_labels(close, config)
        assert got.kind == expected.kind
        pd.testing.assert_frame_equal(got.to_frame(), expected.to_frame())
    side = pd.Series(1.0, index=close.index)
    meta = make_labels(close, LabelsConfig(method="triple_barrier", meta_labeling=True), side=side)
    assert meta.kind == "meta"


def test_labeler_knows_how_far_its_labels_look_ahead() -> None:
    assert Labeler.from_config(LabelsConfig(horizon=3)).lookahead == 3
    assert Labeler(method="triple_barrier", max_holding=7).lookahead == 7


def test_config_combinations_that_do_not_fit_name_the_key() -> None:
    with pytest.raises(ConfigError, match=r"labels\.threshold.*ternary"):
        Labeler.from_config(LabelsConfig(method="direction", threshold=0.01))
    with pytest.raises(ConfigError, match=r"labels\.meta_labeling"):
        Labeler.from_config(LabelsConfig(method="direction", meta_labeling=True))
    with pytest.raises(ValueError, match="needs the primary model's side"):
        Labeler(method="triple_barrier", meta_labeling=True)(CLOSE)
    with pytest.raises(ValueError, match=r"Labeler\.horizon"):
        Labeler(horizon=0)
