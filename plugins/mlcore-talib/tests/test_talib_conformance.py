"""mlcore's conformance suite over every TA-Lib wrapper, candlestick patterns included.

No look-ahead holds for every function, the Hilbert-transform cycle indicators and
FRACTAL (whose swing points are reported when their right-hand bars have closed)
included. The checks run on 400 synthetic daily bars to keep the suite fast.
"""

from __future__ import annotations

import pytest
from mlcore_talib import MISSING_TALIB

from mlcore.data import synthetic_ohlcv
from mlcore.testing import parametrize_with_checks

pytest.importorskip("talib", reason=MISSING_TALIB)

from mlcore_talib.indicators import WRAPPERS, wrapper_for

DATA = synthetic_ohlcv(400, seed=0).ohlcv

DEFAULTS = [cls() for cls in WRAPPERS.values()]
OTHERS = [
    wrapper_for("bbands")(timeperiod=10, matype=1),
    wrapper_for("fractal")(leftbars=3, rightbars=4),
    wrapper_for("macdext")(fastmatype=7, slowmatype=6),
]


@parametrize_with_checks(DEFAULTS + OTHERS, data=DATA)
def test_talib_conformance(component, check):
    check(component)
