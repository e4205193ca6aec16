"""Performance analytics: trade and return metrics, risk, Monte Carlo, attribution, drawdowns.

:class:`AdvancedAnalytics` is the entry point: add trades, returns or an equity curve (and
optionally a benchmark), then ask for metrics, risk figures, simulations and reports. The
metric functions live in small modules (:mod:`.returns`, :mod:`.risk`, :mod:`.trades`,
:mod:`.drawdowns`, :mod:`.benchmark`, :mod:`.montecarlo`, :mod:`.attribution`,
:mod:`.periods`) that work on plain numpy arrays and pandas Series; :mod:`.conventions`
holds the annualisation and risk-free conventions, :mod:`.series` the input checks,
:mod:`.rows` how their errors name a row, and :mod:`.plugin_metrics` how metrics
registered by plugins are scored. :class:`Backtest`
(:mod:`.backtest`) turns model signals or probabilities into positions, returns and a
trade history to analyse.
"""

from mlcore.analytics.attribution import FactorAttribution
from mlcore.analytics.backtest import (
    Backtest,
    BacktestResult,
    signals_from_classes,
    signals_from_probabilities,
)
from mlcore.analytics.conventions import Conventions
from mlcore.analytics.core import AdvancedAnalytics
from mlcore.analytics.metrics import (
    BasicMetrics,
    BenchmarkMetrics,
    PerformanceMetrics,
    RiskMetrics,
)
from mlcore.analytics.montecarlo import MonteCarloResult

__all__ = [
    "AdvancedAnalytics",
    "Backtest",
    "BacktestResult",
    "BasicMetrics",
    "BenchmarkMetrics",
    "Conventions",
    "FactorAttribution",
    "MonteCarloResult",
    "PerformanceMetrics",
    "RiskMetrics",
    "signals_from_classes",
    "signals_from_probabilities",
]
