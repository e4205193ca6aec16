"""Jump tests: bipower variation and Lee-Mykland by hand, constants, injected jumps."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from mlcore_microstructure.jumps import (
    MU_4_3,
    THETA,
    BipowerJumpTest,
    LeeMyklandJump,
    lee_mykland_critical_value,
)

NAN = math.nan


def closes(log_returns: list[float]) -> pd.DataFrame:
    close = 100.0 * np.exp(np.cumsum([0.0, *log_returns]))
    index = pd.date_range("2024-01-01", periods=len(close), freq="5min", tz="UTC")
    return pd.DataFrame({"close": close}, index=index)


def test_constants_are_the_normal_moments():
    # E|Z|^(4/3) by numerical integration, and theta = (pi/2)^2 + pi - 5 ~ 0.609
    assert stats.norm.expect(lambda x: abs(x) ** (4 / 3)) == pytest.approx(MU_4_3, rel=1e-9)
    assert pytest.approx(0.6090, abs=1e-4) == THETA


def test_bipower_statistic_matches_a_hand_calculation():
    r = [0.01, -0.02, 0.01, 0.05]  # window n = 4, ending on a large move
    n = 4
    rv = 0.01**2 + 0.02**2 + 0.01**2 + 0.05**2  # 31e-4
    # BV = (pi/2) (n/(n-1)) (|r2 r1| + |r3 r2| + |r4 r3|) = (pi/2)(4/3)(2e-4 + 2e-4 + 5e-4)
    bv = (math.pi / 2) * (4 / 3) * 9e-4
    # TQ = n mu43^-3 (n/(n-2)) (|r3 r2 r1|^(4/3) + |r4 r3 r2|^(4/3))
    tq = 4 * MU_4_3**-3 * 2 * ((2e-6) ** (4 / 3) + (1e-5) ** (4 / 3))
    rj = (rv - bv) / rv
    z = rj / math.sqrt(((math.pi / 2) ** 2 + math.pi - 5) / n * max(1.0, tq / bv**2))
    result = BipowerJumpTest(window=4).compute(closes(r))
    assert list(result.columns) == ["bv_jump_4", "bv_jump_rj_4"]
    assert result.iloc[:4].isna().all().all()  # warmup = window
    assert result.iloc[4].tolist() == pytest.approx([z, rj], rel=1e-9)


def test_lee_mykland_statistic_matches_a_hand_calculation():
    r = [0.01, -0.02, 0.015, -0.08, 0.005]
    # K = 4: at row 4 (r4 = -0.08), sigma^2 = (|r2||r1| + |r3||r2|) / (K - 2) = (2e-4 + 3e-4) / 2
    sigma4 = math.sqrt((2e-4 + 3e-4) / 2)
    # at row 5 (r5 = 0.005): (|r3||r2| + |r4||r3|) / 2 = (3e-4 + 12e-4) / 2
    sigma5 = math.sqrt((3e-4 + 12e-4) / 2)
    result = LeeMyklandJump(window=4, threshold=4.0).compute(closes(r))
    assert list(result.columns) == ["lm_jump_4_4", "lm_jump_flag_4_4"]
    assert result.iloc[:4].isna().all().all()
    assert result.iloc[4].tolist() == pytest.approx([-0.08 / sigma4, 1.0])  # |L| = 5.06 > 4
    assert result.iloc[5].tolist() == pytest.approx([0.005 / sigma5, 0.0])


def test_lee_mykland_critical_value_by_hand():
    # n = 252, alpha = 1%: ln 252 = 5.529429, sqrt(2 ln 252) = 3.325485; c = sqrt(2/pi)
    # = 0.7978846; C_n = 3.325485 / c - (ln pi + ln ln 252) / (2 c 3.325485)
    # = 4.167877 - (1.144730 + 1.710085) / 5.306707 = 4.167877 - 0.537964 = 3.629913;
    # S_n = 1 / (c 3.325485) = 0.376882; beta* = -ln(-ln 0.99) = 4.600149;
    # threshold = 3.629913 + 0.376882 * 4.600149 = 5.363626
    assert lee_mykland_critical_value(252, 0.01) == pytest.approx(5.363626, abs=2e-6)
    assert lee_mykland_critical_value(252, 0.05) < lee_mykland_critical_value(252, 0.01)
    with pytest.raises(ValueError, match="alpha"):
        lee_mykland_critical_value(252, 1.5)


@pytest.fixture(scope="module")
def random_walk() -> np.ndarray:
    return np.random.default_rng(11).normal(0, 0.001, 3000)


def test_an_injected_jump_is_detected(random_walk):
    returns = random_walk.copy()
    returns[1500] = 0.015  # a 15-sigma jump
    data = closes(list(returns))
    row = 1501  # row of return index 1500 (row 0 has no return)
    lee_mykland = LeeMyklandJump(window=50).compute(data)
    assert lee_mykland.iloc[row, 1] == 1.0
    assert lee_mykland.iloc[row, 0] > 10
    bipower = BipowerJumpTest(window=50).compute(data)
    assert bipower.iloc[row, 0] > stats.norm.ppf(0.999)
    assert bipower.iloc[row - 1, 0] < stats.norm.ppf(0.999)  # the jump is not seen earlier


def test_without_jumps_flags_are_rare_and_z_is_roughly_standard(random_walk):
    data = closes(list(random_walk))
    flags = LeeMyklandJump(window=50).compute(data).iloc[50:, 1]
    # under no jumps P(|L| > 4) = 2 (1 - Phi(4 sqrt(2/pi))) ~ 0.0014
    assert flags.mean() < 0.005
    z = BipowerJumpTest(window=100).compute(data).iloc[100:, 0]
    assert abs(z.mean()) < 0.5
    assert (z > stats.norm.ppf(0.999)).mean() < 0.01


def test_a_window_without_moves_is_nan():
    result = LeeMyklandJump(window=3).compute(closes([0.0, 0.0, 0.0, 0.01]))
    assert np.isnan(result.iloc[4, 0])
    assert np.isnan(result.iloc[4, 1])
    assert np.isnan(BipowerJumpTest(window=3).compute(closes([0.0] * 5)).iloc[5, 0])
