"""The declarative table of every ``ta`` indicator class this plugin wraps.

One row per ``ta`` class: the registered name (``ta:<name>``), where the class lives, the
OHLCV columns it reads, its output methods (with the suffix each gives the feature
name), its parameters (names and defaults exactly as in ``ta``'s constructor, minus the
series arguments and ``fillna``), the arguments the wrapper fixes, and the warm-up.

This module is plain data: it never imports ``ta``, so that :mod:`mlcore_ta.plugin` can
register every indicator while mlcore starts. :mod:`mlcore_ta.indicators` turns each row
into an attrs class; ``tests/test_ta_table.py`` checks the rows against ``ta`` itself.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any, Literal

import attrs

if TYPE_CHECKING:
    from mlcore.protocols import NanPolicy

__all__ = ["EXCLUDED", "FIXED_ARGUMENTS", "TA_INDICATORS", "Param", "ParamKind", "TaSpec"]

#: How a parameter is validated: ``window`` an int >= 1, ``lag`` an int >= 0, ``number``
#: a real number > 0 (an int is accepted), ``flag`` a bool, ``optional_window`` None or
#: an int >= 1.
ParamKind = Literal["window", "lag", "number", "flag", "optional_window"]

#: A parameter without a default in ``ta`` (``SMAIndicator(window)``) is required here too.
REQUIRED: Any = attrs.NOTHING

Warmup = Callable[[Mapping[str, Any]], int]


@attrs.frozen
class Param:
    """One constructor parameter of a ``ta`` class."""

    name: str
    default: Any
    kind: ParamKind


@attrs.frozen
class TaSpec:
    """One ``ta`` indicator class and how mlcore exposes it."""

    name: str  # registered as ``ta:<name>``; features are ``ta_<name>[_<suffix>]_<params>``
    ta_class: str  # "ta.<module>:<Class>"
    inputs: tuple[str, ...]
    outputs: tuple[tuple[str, str], ...]  # (feature-name suffix, ta output method)
    params: tuple[Param, ...]
    warmup: Warmup = attrs.field(eq=False)
    description: str
    fixed: Mapping[str, Any] = attrs.field(factory=dict)  # ta arguments the wrapper forces
    nan_policy: NanPolicy = "propagate"
    dropped_outputs: Mapping[str, str] = attrs.field(factory=dict)  # ta method -> why
    # Parameter sets a feature set computes by default; ``{}`` is ta's defaults.
    default_parameters: tuple[Mapping[str, Any], ...] = ({},)

    @property
    def module(self) -> str:
        return self.ta_class.partition(":")[0]

    @property
    def class_name(self) -> str:
        """The ``ta`` class: ``RSIIndicator``."""
        return self.ta_class.partition(":")[2]

    @property
    def wrapper_name(self) -> str:
        """The wrapper's class name in :mod:`mlcore_ta.indicators`: ``TaRSIIndicator``."""
        return f"Ta{self.class_name}"

    @property
    def family(self) -> str:
        """The ``ta`` module: momentum, trend, volatility, volume or others."""
        return self.module.rpartition(".")[2]

    @property
    def defaults(self) -> dict[str, Any]:
        return {p.name: p.default for p in self.params if p.default is not REQUIRED}


def _spec(
    name: str,
    ta_class: str,
    inputs: str,
    outputs: str,
    params: tuple[Param, ...],
    warmup: Warmup,
    description: str,
    fixed: Mapping[str, Any] | None = None,
    nan_policy: NanPolicy = "propagate",
    dropped_outputs: Mapping[str, str] | None = None,
    default_parameters: tuple[Mapping[str, Any], ...] = ({},),
) -> TaSpec:
    """A row; ``outputs`` is ``"suffix=method ..."`` (``=method`` for the main line)."""
    pairs = tuple(
        (suffix, method) for suffix, _, method in (item.partition("=") for item in outputs.split())
    )
    return TaSpec(
        name=name,
        ta_class=f"ta.{ta_class}",
        inputs=tuple(inputs.split()),
        outputs=pairs,
        params=params,
        warmup=warmup,
        description=description,
        fixed=dict(fixed or {}),
        nan_policy=nan_policy,
        dropped_outputs=dict(dropped_outputs or {}),
        default_parameters=default_parameters,
    )


def _w(name: str, default: Any = REQUIRED) -> Param:
    return Param(name, default, "window")


def _n(name: str, default: float) -> Param:
    return Param(name, default, "number")


HLC = "high low close"

_PSAR_SIDE = (
    "the SAR only while the trend is up (down), NaN the rest of the time by design, so "
    "never a complete feature; psar with the reversal flags carries the same information"
)

#: nan_policy of the indicators that skip a missing input by construction: exponential
#: smoothing (pandas' ewm carries the last value over a NaN), RSI (a NaN change counts as
#: no change), true range (the max of the ranges that exist), cumulative sums (pandas'
#: cumsum skips NaN) and PSAR (a NaN extreme never wins a comparison). The others
#: propagate: a NaN blanks a rolling window, or every later row of a recursion.
IGNORE: NanPolicy = "ignore"
HLCV = "high low close volume"

# Warm-up: the rows before the first value that is complete and uses no bar after its own.
# Where ta seeds a series with a whole-series mean (KST, DPO, Vortex, TRIX, Ichimoku's
# visual shift) or wraps around the end of the array (KAMA's np.roll), those rows are
# inside the warm-up, and the wrapper blanks every warm-up row to NaN.
TA_INDICATORS: tuple[TaSpec, ...] = (
    # --- momentum -------------------------------------------------------------------
    _spec(
        "awesome_oscillator",
        "momentum:AwesomeOscillatorIndicator",
        "high low",
        "=awesome_oscillator",
        (_w("window1", 5), _w("window2", 34)),
        lambda p: max(p["window1"], p["window2"]) - 1,
        "ta Awesome Oscillator: SMA(window1) - SMA(window2) of the median price.",
    ),
    _spec(
        "kama",
        "momentum:KAMAIndicator",
        "close",
        "=kama",
        (_w("window", 10), _w("pow1", 2), _w("pow2", 30)),
        # ta's efficiency ratio wraps around the array end (np.roll) before row `window`;
        # its first KAMA value (row window - 1) is the close itself and uses no such ratio.
        lambda p: p["window"] - 1,
        "ta Kaufman's Adaptive Moving Average.",
    ),
    _spec(
        "ppo",
        "momentum:PercentagePriceOscillator",
        "close",
        "=ppo signal=ppo_signal hist=ppo_hist",
        (_w("window_slow", 26), _w("window_fast", 12), _w("window_sign", 9)),
        lambda p: max(p["window_slow"], p["window_fast"]) + p["window_sign"] - 2,
        "ta Percentage Price Oscillator with signal line and histogram.",
        nan_policy=IGNORE,
    ),
    _spec(
        "pvo",
        "momentum:PercentageVolumeOscillator",
        "volume",
        "=pvo signal=pvo_signal hist=pvo_hist",
        (_w("window_slow", 26), _w("window_fast", 12), _w("window_sign", 9)),
        lambda p: max(p["window_slow"], p["window_fast"]) + p["window_sign"] - 2,
        "ta Percentage Volume Oscillator with signal line and histogram.",
        nan_policy=IGNORE,
    ),
    _spec(
        "roc",
        "momentum:ROCIndicator",
        "close",
        "=roc",
        (_w("window", 12),),
        lambda p: p["window"],
        "ta Rate of Change (percent) over `window` bars.",
    ),
    _spec(
        "rsi",
        "momentum:RSIIndicator",
        "close",
        "=rsi",
        (_w("window", 14),),
        lambda p: p["window"] - 1,
        "ta Relative Strength Index (Wilder smoothing as an EWM).",
        nan_policy=IGNORE,
    ),
    _spec(
        "stochrsi",
        "momentum:StochRSIIndicator",
        "close",
        "=stochrsi k=stochrsi_k d=stochrsi_d",
        (_w("window", 14), _w("smooth1", 3), _w("smooth2", 3)),
        lambda p: 2 * p["window"] + p["smooth1"] + p["smooth2"] - 4,
        "ta Stochastic RSI with its %K and %D smoothings.",
        nan_policy=IGNORE,
    ),
    _spec(
        "stoch",
        "momentum:StochasticOscillator",
        HLC,
        "=stoch signal=stoch_signal",
        (_w("window", 14), _w("smooth_window", 3)),
        lambda p: p["window"] + p["smooth_window"] - 2,
        "ta Stochastic Oscillator %K and its signal %D.",
    ),
    _spec(
        "tsi",
        "momentum:TSIIndicator",
        "close",
        "=tsi",
        (_w("window_slow", 25), _w("window_fast", 13)),
        lambda p: p["window_slow"] + p["window_fast"] - 1,
        "ta True Strength Index.",
        nan_policy=IGNORE,
    ),
    _spec(
        "ultimate_oscillator",
        "momentum:UltimateOscillator",
        HLC,
        "=ultimate_oscillator",
        (
            _w("window1", 7),
            _w("window2", 14),
            _w("window3", 28),
            _n("weight1", 4.0),
            _n("weight2", 2.0),
            _n("weight3", 1.0),
        ),
        lambda p: max(p["window1"], p["window2"], p["window3"]),
        "ta Ultimate Oscillator.",
    ),
    _spec(
        "williams_r",
        "momentum:WilliamsRIndicator",
        HLC,
        "=williams_r",
        (_w("lbp", 14),),
        lambda p: p["lbp"] - 1,
        "ta Williams %R over `lbp` bars.",
    ),
    # --- trend ----------------------------------------------------------------------
    _spec(
        "adx",
        "trend:ADXIndicator",
        HLC,
        "=adx pos=adx_pos neg=adx_neg",
        (_w("window", 14),),
        # ta fills its warm-up with zeros: +DI/-DI start at window + 1, ADX at 2 * window - 1.
        lambda p: max(2 * p["window"] - 1, p["window"] + 1),
        "ta Average Directional Index with +DI and -DI.",
    ),
    _spec(
        "aroon",
        "trend:AroonIndicator",
        "high low",
        "up=aroon_up down=aroon_down indicator=aroon_indicator",
        (_w("window", 25),),
        lambda p: p["window"],
        "ta Aroon up, down and oscillator.",
    ),
    _spec(
        "cci",
        "trend:CCIIndicator",
        HLC,
        "=cci",
        (_w("window", 20), _n("constant", 0.015)),
        lambda p: p["window"] - 1,
        "ta Commodity Channel Index.",
    ),
    _spec(
        "dpo",
        "trend:DPOIndicator",
        "close",
        "=dpo",
        (_w("window", 20),),
        # ta fills the first window/2 + 1 shifted closes with the whole-series mean.
        lambda p: max(p["window"] - 1, int(0.5 * p["window"] + 1)),
        "ta Detrended Price Oscillator: the close window/2 + 1 bars ago minus today's SMA.",
    ),
    _spec(
        "ema",
        "trend:EMAIndicator",
        "close",
        "=ema_indicator",
        (_w("window", 14),),
        lambda p: p["window"] - 1,
        "ta Exponential Moving Average.",
        nan_policy=IGNORE,
    ),
    _spec(
        "ichimoku",
        "trend:IchimokuIndicator",
        "high low",
        "conversion_line=ichimoku_conversion_line base_line=ichimoku_base_line "
        "a=ichimoku_a b=ichimoku_b",
        (_w("window1", 9), _w("window2", 26), _w("window3", 52)),
        lambda p: max(p["window1"], p["window2"], p["window3"]) - 1,
        "ta Ichimoku conversion and base lines and senkou spans A and B as known at each "
        "bar (visual=False; no chikou span).",
        # visual=True shifts the spans window2 bars forward and fills the gap with the
        # whole-series mean: a chart display, and look-ahead as a feature.
        fixed={"visual": False},
    ),
    _spec(
        "kst",
        "trend:KSTIndicator",
        "close",
        "=kst sig=kst_sig diff=kst_diff",
        (
            _w("roc1", 10),
            _w("roc2", 15),
            _w("roc3", 20),
            _w("roc4", 30),
            _w("window1", 10),
            _w("window2", 10),
            _w("window3", 10),
            _w("window4", 15),
            _w("nsig", 9),
        ),
        # ta seeds the first roc_i closes with the whole-series mean; the signal line
        # averages nsig KST values.
        lambda p: max(p[f"roc{i}"] + p[f"window{i}"] for i in range(1, 5)) + p["nsig"] - 2,
        "ta Know Sure Thing oscillator with signal and difference.",
    ),
    _spec(
        "macd",
        "trend:MACD",
        "close",
        "=macd signal=macd_signal diff=macd_diff",
        (_w("window_slow", 26), _w("window_fast", 12), _w("window_sign", 9)),
        lambda p: max(p["window_slow"], p["window_fast"]) + p["window_sign"] - 2,
        "ta MACD line, signal line and histogram (diff).",
        nan_policy=IGNORE,
    ),
    _spec(
        "mass_index",
        "trend:MassIndex",
        "high low",
        "=mass_index",
        (_w("window_fast", 9), _w("window_slow", 25)),
        lambda p: 2 * p["window_fast"] + p["window_slow"] - 3,
        "ta Mass Index.",
        nan_policy=IGNORE,
    ),
    _spec(
        "psar",
        "trend:PSARIndicator",
        HLC,
        "=psar up_indicator=psar_up_indicator down_indicator=psar_down_indicator",
        (_n("step", 0.02), _n("max_step", 0.2)),
        lambda p: 2,
        "ta Parabolic SAR and its trend-reversal flags.",
        nan_policy=IGNORE,
        dropped_outputs={
            "psar_up": _PSAR_SIDE,
            "psar_down": _PSAR_SIDE,
        },
    ),
    _spec(
        "sma",
        "trend:SMAIndicator",
        "close",
        "=sma_indicator",
        (_w("window"),),
        lambda p: p["window"] - 1,
        "ta Simple Moving Average (window is required, as in ta).",
        default_parameters=({"window": 20},),
    ),
    _spec(
        "stc",
        "trend:STCIndicator",
        "close",
        "=stc",
        (
            _w("window_slow", 50),
            _w("window_fast", 23),
            _w("cycle", 10),
            _w("smooth1", 3),
            _w("smooth2", 3),
        ),
        lambda p: (
            max(p["window_slow"], p["window_fast"])
            + 2 * p["cycle"]
            + p["smooth1"]
            + p["smooth2"]
            - 5
        ),
        "ta Schaff Trend Cycle (NaN where a `cycle` window of its stochastic is flat).",
    ),
    _spec(
        "trix",
        "trend:TRIXIndicator",
        "close",
        "=trix",
        (_w("window", 15),),
        lambda p: 3 * p["window"] - 2,
        "ta TRIX: rate of change of a triple-smoothed EMA.",
        nan_policy=IGNORE,
    ),
    _spec(
        "vortex",
        "trend:VortexIndicator",
        HLC,
        "pos=vortex_indicator_pos neg=vortex_indicator_neg diff=vortex_indicator_diff",
        (_w("window", 14),),
        # ta seeds the first previous close with the whole-series mean.
        lambda p: p["window"],
        "ta Vortex indicator +VI, -VI and their difference.",
    ),
    _spec(
        "wma",
        "trend:WMAIndicator",
        "close",
        "=wma",
        (_w("window", 9),),
        lambda p: p["window"] - 1,
        "ta Weighted Moving Average.",
    ),
    # --- volatility -----------------------------------------------------------------
    _spec(
        "atr",
        "volatility:AverageTrueRange",
        HLC,
        "=average_true_range",
        (_w("window", 14),),
        lambda p: p["window"] - 1,
        "ta Average True Range (Wilder), seeded with the mean of the first window ranges.",
        nan_policy=IGNORE,
    ),
    _spec(
        "bollinger_bands",
        "volatility:BollingerBands",
        "close",
        "mavg=bollinger_mavg hband=bollinger_hband lband=bollinger_lband "
        "wband=bollinger_wband pband=bollinger_pband hband_indicator=bollinger_hband_indicator "
        "lband_indicator=bollinger_lband_indicator",
        (_w("window", 20), _n("window_dev", 2)),
        lambda p: p["window"] - 1,
        "ta Bollinger Bands: middle, upper, lower, width, %B and band-crossing flags.",
    ),
    _spec(
        "donchian_channel",
        "volatility:DonchianChannel",
        HLC,
        "hband=donchian_channel_hband lband=donchian_channel_lband "
        "mband=donchian_channel_mband wband=donchian_channel_wband "
        "pband=donchian_channel_pband",
        # offset shifts the channel later in time; a negative one would look ahead.
        (_w("window", 20), Param("offset", 0, "lag")),
        lambda p: p["window"] - 1 + p["offset"],
        "ta Donchian Channel: upper, lower, middle, width and %B.",
    ),
    _spec(
        "keltner_channel",
        "volatility:KeltnerChannel",
        HLC,
        "mband=keltner_channel_mband hband=keltner_channel_hband "
        "lband=keltner_channel_lband wband=keltner_channel_wband "
        "pband=keltner_channel_pband hband_indicator=keltner_channel_hband_indicator "
        "lband_indicator=keltner_channel_lband_indicator",
        (
            _w("window", 20),
            _w("window_atr", 10),
            Param("original_version", True, "flag"),
            _n("multiplier", 2),
        ),
        # original_version: SMA bands of the typical price; else EMA(close) +- ATR(window_atr).
        lambda p: (
            p["window"] - 1 if p["original_version"] else max(p["window"], p["window_atr"]) - 1
        ),
        "ta Keltner Channel: middle, upper, lower, width, %B and band-crossing flags.",
    ),
    _spec(
        "ulcer_index",
        "volatility:UlcerIndex",
        "close",
        "=ulcer_index",
        (_w("window", 14),),
        lambda p: p["window"] - 1,
        "ta Ulcer Index.",
    ),
    # --- volume ---------------------------------------------------------------------
    _spec(
        "acc_dist_index",
        "volume:AccDistIndexIndicator",
        HLCV,
        "=acc_dist_index",
        (),
        lambda p: 0,
        "ta Accumulation/Distribution Index.",
        nan_policy=IGNORE,
    ),
    _spec(
        "chaikin_money_flow",
        "volume:ChaikinMoneyFlowIndicator",
        HLCV,
        "=chaikin_money_flow",
        (_w("window", 20),),
        lambda p: p["window"] - 1,
        "ta Chaikin Money Flow.",
    ),
    _spec(
        "ease_of_movement",
        "volume:EaseOfMovementIndicator",
        "high low volume",
        "=ease_of_movement sma=sma_ease_of_movement",
        (_w("window", 14),),
        lambda p: p["window"],
        "ta Ease of Movement and its SMA.",
    ),
    _spec(
        "force_index",
        "volume:ForceIndexIndicator",
        "close volume",
        "=force_index",
        (_w("window", 13),),
        lambda p: p["window"],
        "ta Force Index (EMA of price change times volume).",
        nan_policy=IGNORE,
    ),
    _spec(
        "mfi",
        "volume:MFIIndicator",
        HLCV,
        "=money_flow_index",
        (_w("window", 14),),
        lambda p: p["window"] - 1,
        "ta Money Flow Index.",
    ),
    _spec(
        "nvi",
        "volume:NegativeVolumeIndexIndicator",
        "close volume",
        "=negative_volume_index",
        (),
        lambda p: 0,
        "ta Negative Volume Index (starts at 1000).",
    ),
    _spec(
        "obv",
        "volume:OnBalanceVolumeIndicator",
        "close volume",
        "=on_balance_volume",
        (),
        lambda p: 0,
        "ta On-Balance Volume.",
        nan_policy=IGNORE,
    ),
    _spec(
        "vpt",
        "volume:VolumePriceTrendIndicator",
        "close volume",
        "=volume_price_trend",
        (Param("smoothing_factor", None, "optional_window"),),
        lambda p: p["smoothing_factor"] or 1,
        "ta Volume-Price Trend, optionally smoothed by an SMA of smoothing_factor bars.",
        # dropnans=True would drop rows and break the one-row-per-bar contract.
        fixed={"dropnans": False},
    ),
    _spec(
        "vwap",
        "volume:VolumeWeightedAveragePrice",
        HLCV,
        "=volume_weighted_average_price",
        (_w("window", 14),),
        lambda p: p["window"] - 1,
        "ta rolling Volume-Weighted Average Price of the typical price over `window` bars.",
    ),
    # --- others ---------------------------------------------------------------------
    _spec(
        "cumulative_return",
        "others:CumulativeReturnIndicator",
        "close",
        "=cumulative_return",
        (),
        lambda p: 0,
        "ta cumulative return (percent) since the first bar of the data.",
    ),
    _spec(
        "daily_log_return",
        "others:DailyLogReturnIndicator",
        "close",
        "=daily_log_return",
        (),
        lambda p: 1,
        "ta bar-to-bar log return (percent).",
    ),
    _spec(
        "daily_return",
        "others:DailyReturnIndicator",
        "close",
        "=daily_return",
        (),
        lambda p: 1,
        "ta bar-to-bar return (percent).",
    ),
)

#: ``ta`` arguments every wrapper fixes: ``fillna=True`` fills backwards (``bfill``) and
#: invents values, so NaN stays NaN.
FIXED_ARGUMENTS: Mapping[str, Any] = {"fillna": False}

#: ``ta`` indicator classes deliberately not wrapped, with the reason. None today: every
#: class is exposed, with look-ahead outputs and arguments removed (see the README).
EXCLUDED: Mapping[str, str] = {}
