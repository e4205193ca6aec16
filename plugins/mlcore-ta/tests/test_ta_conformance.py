"""mlcore's conformance suite over every ta wrapper, at its defaults and at parameters
that take the other branches of the warm-up formulas.

The checks run on 400 synthetic daily bars (seed 0) to keep the suite fast. One caveat
is ta's own definition: ``ta:stc`` divides by the range of its stochastic and is NaN while
a ``cycle`` window of it is flat, which a strongly trending start of the data can cause
past the warm-up (seeds 1 and 4 of this market do); the suite's data does not.
"""

from __future__ import annotations

from mlcore_ta.indicators import WRAPPERS, wrapper_for

from mlcore.data import synthetic_ohlcv
from mlcore.testing import parametrize_with_checks

DATA = synthetic_ohlcv(400, seed=0).ohlcv

DEFAULTS = [cls(**cls.default_parameters[0]) for cls in WRAPPERS.values()]
BRANCHES = [
    wrapper_for("donchian_channel")(window=10, offset=3),
    wrapper_for("keltner_channel")(window=10, window_atr=25, original_version=False),
    wrapper_for("vpt")(smoothing_factor=7),
    wrapper_for("kst")(roc1=3, roc2=5, roc3=7, roc4=40, window1=4, window2=4, window3=4),
    wrapper_for("ichimoku")(window1=5, window2=40, window3=20),
    wrapper_for("ppo")(window_slow=5, window_fast=20, window_sign=3),
    wrapper_for("dpo")(window=3),
    wrapper_for("adx")(window=3),
    wrapper_for("stochrsi")(window=5, smooth1=1, smooth2=6),
]


@parametrize_with_checks(DEFAULTS + BRANCHES, data=DATA)
def test_ta_conformance(component, check):
    check(component)
