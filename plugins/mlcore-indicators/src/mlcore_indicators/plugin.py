"""Hook implementations: registers every indicator lazily, importing nothing heavy."""

from __future__ import annotations

from typing import Any

from mlcore import hookimpl

#: name -> (module:class, aliases, in the default feature set)
INDICATORS: dict[str, tuple[str, tuple[str, ...], bool]] = {
    # trend
    "sma": ("trend:SMA", (), True),
    "ema": ("trend:EMA", (), True),
    "wma": ("trend:WMA", (), True),
    "macd": ("trend:MACD", (), True),
    "psar": ("trend:ParabolicSAR", ("sar", "parabolic_sar"), True),
    "adx": ("trend:ADX", ("dmi",), True),
    "ichimoku": ("trend:Ichimoku", (), True),
    "kama": ("trend:KAMA", (), True),
    "trix": ("trend:TRIX", (), True),
    "aroon": ("trend:Aroon", (), True),
    "dema": ("trend:DEMA", (), True),
    "tema": ("trend:TEMA", (), True),
    "adxr": ("trend:ADXR", (), True),
    "vortex": ("trend:Vortex", ("vortex_indicator",), True),
    "mass_index": ("trend:MassIndex", ("mass",), True),
    # momentum
    "rsi": ("momentum:RSI", (), True),
    "stoch": ("momentum:Stochastic", ("stochastic",), True),
    "williams_r": ("momentum:WilliamsR", ("willr",), True),
    "cci": ("momentum:CCI", (), True),
    "roc": ("momentum:ROC", (), True),
    "mom": ("momentum:Momentum", ("momentum",), True),
    "cmo": ("momentum:CMO", (), True),
    "ultosc": ("momentum:UltimateOscillator", ("ultimate_oscillator", "uo"), True),
    "stochrsi": ("momentum:StochRSI", ("stoch_rsi",), True),
    "stochf": ("momentum:StochasticFast", ("stochastic_fast",), True),
    "ppo": ("momentum:PPO", ("percentage_price_oscillator",), True),
    "bop": ("momentum:BalanceOfPower", ("balance_of_power",), True),
    "tsi": ("momentum:TSI", ("true_strength_index",), True),
    "ao": ("momentum:AwesomeOscillator", ("awesome_oscillator",), True),
    # volatility
    "bbands": ("volatility:BollingerBands", ("bollinger", "bollinger_bands"), True),
    "atr": ("volatility:ATR", (), True),
    "natr": ("volatility:NATR", (), True),
    "stddev": ("volatility:RollingStd", ("rolling_std",), True),
    "rv_ratio": ("volatility:RealizedVolatilityRatio", ("volatility_ratio",), True),
    "rolling_percentile": ("volatility:RollingPercentile", ("percentile_rank",), True),
    # volume
    "obv": ("volume:OBV", ("on_balance_volume",), True),
    "vpt": ("volume:VPT", ("volume_price_trend",), True),
    "ad": ("volume:AccumulationDistribution", ("adl", "accumulation_distribution"), True),
    "adosc": ("volume:ChaikinOscillator", ("chaikin_oscillator",), True),
    "cmf": ("volume:ChaikinMoneyFlow", ("chaikin_money_flow",), True),
    "mfi": ("volume:MFI", ("money_flow_index",), True),
    "vwap": ("volume:RollingVWAP", ("rolling_vwap",), True),
    "vwma": ("volume:VWMA", (), True),
    "volume_zscore": ("volume:VolumeZScore", ("volume_z",), True),
    # structure
    "support_resistance": ("structure:SupportResistance", ("swing_levels",), True),
    "linreg": ("structure:LinearRegression", ("trend_line", "linear_regression"), True),
    "breakout": ("structure:Breakout", ("breakouts",), True),
}


@hookimpl
def mlcore_register_indicators(registry: Any) -> None:
    for name, (target, aliases, default) in INDICATORS.items():
        module, _, attr = target.partition(":")
        family = module
        registry.add(
            name,
            f"mlcore_indicators.{module}:{attr}",
            aliases=aliases,
            tags={family, "default"} if default else {family},
        )
