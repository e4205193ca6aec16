"""The kernel's own plugin: builtin metrics, retraining triggers and data sources.

It registers through the same hooks as any third-party plugin, with lazy factories: the
model-scoring metrics of :mod:`.metrics` and the performance metrics of
:mod:`.performance` (scores of a return series or a trade history).
"""

from __future__ import annotations

from typing import Any

from mlcore.hookspecs import hookimpl
from mlcore.registry import Registry

METRICS: dict[str, str] = {
    "accuracy": "Fraction of correct class predictions.",
    "precision": "Precision of the positive class (binary) or macro average.",
    "recall": "Recall of the positive class (binary) or macro average.",
    "f1_score": "F1 of the positive class (binary) or macro average.",
    "roc_auc": "Area under the ROC curve from predicted probabilities.",
    "log_loss": "Cross-entropy of predicted probabilities (lower is better).",
    "directional_accuracy": "Fraction of bars whose predicted sign matches the realised sign.",
    "information_coefficient": "Spearman rank correlation of predictions with realised values.",
}

PERFORMANCE_METRICS: dict[str, str] = {
    "total_return": "Compounded return over the whole series.",
    "annual_return": "Compound annual growth rate of the returns.",
    "annual_volatility": "Annualised standard deviation of the returns (lower is better).",
    "sharpe_ratio": "Annualised Sharpe ratio over the per-period risk-free rate.",
    "sortino_ratio": "Annualised mean excess return over the annualised downside risk.",
    "calmar_ratio": "Annual return over the magnitude of the maximum drawdown.",
    "omega_ratio": "Gains above the target return over the losses below it.",
    "downside_risk": "Annualised root mean square shortfall below the target (lower is better).",
    "max_drawdown": "Deepest fall from a running peak, as a negative fraction.",
    "value_at_risk": "Historical VaR: the return at the lower tail quantile.",
    "conditional_value_at_risk": "Historical CVaR: the mean return beyond the VaR.",
    "tail_ratio": "Right tail (95th percentile) over left tail (5th percentile).",
    "kelly_fraction": "Growth-optimal leverage: mean excess return over variance.",
    "probabilistic_sharpe_ratio": "Probability that the true Sharpe beats the benchmark Sharpe.",
    "deflated_sharpe_ratio": "Probabilistic Sharpe ratio corrected for the number of trials.",
    "win_rate": "Share of trades with a positive P&L.",
    "profit_factor": "Gross profit over gross loss of the trades.",
    "expectancy": "Mean P&L per trade.",
}

TRIGGERS: dict[str, tuple[str, str]] = {
    "schedule": ("ScheduleTrigger", "Fires when a time span or a number of bars has passed."),
    "performance_decay": (
        "PerformanceDecayTrigger",
        "Fires when the recent score falls below the baseline by a threshold.",
    ),
    "drift": ("DriftTrigger", "Fires when the measured drift score exceeds a threshold."),
}

DATA_SOURCES: dict[str, tuple[str, str]] = {
    "csv": ("CsvSource", "OHLCV bars from a CSV file."),
    "parquet": ("ParquetSource", "OHLCV bars from a Parquet file."),
    "synthetic": ("SyntheticSource", "A seeded regime-switching synthetic market."),
}


@hookimpl
def mlcore_register_metrics(registry: Registry[Any]) -> None:
    for name, description in METRICS.items():
        registry.add(name, f"mlcore.builtins.metrics:{name}", description=description)
    for name, description in PERFORMANCE_METRICS.items():
        registry.add(
            name,
            f"mlcore.builtins.performance:{name}",
            description=description,
            tags={"performance"},
        )


@hookimpl
def mlcore_register_retrain_triggers(registry: Registry[Any]) -> None:
    for name, (attr, description) in TRIGGERS.items():
        registry.add(name, f"mlcore.builtins.triggers:{attr}", description=description)


@hookimpl
def mlcore_register_data_sources(registry: Registry[Any]) -> None:
    for name, (attr, description) in DATA_SOURCES.items():
        registry.add(name, f"mlcore.builtins.data_sources:{attr}", description=description)
