"""Every hook mlcore calls, in one module, grouped by kind.

Plugins implement hooks with ``from mlcore import hookimpl`` and expose the module (or
object) through the ``mlcore.plugins`` entry-point group. Arguments are passed by keyword
and an implementation may accept any subset of them; the nouns are the same across hooks:
``registry``, ``config``, ``model``, ``data``, ``result``, ``error``, ``run_id``.

Every hook is documented in ``docs/hooks.md``, with its signature and an example.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from pluggy import HookimplMarker, HookspecMarker

if TYPE_CHECKING:
    from mlcore.config import MlcoreConfig
    from mlcore.registry import Registry

__all__ = ["PROJECT_NAME", "REGISTRATION_HOOKS", "hookimpl", "hookspec"]

PROJECT_NAME = "mlcore"

hookspec = HookspecMarker(PROJECT_NAME)
hookimpl = HookimplMarker(PROJECT_NAME)

#: Registration hook name -> the component kind whose registry it receives.
REGISTRATION_HOOKS: dict[str, str] = {
    "mlcore_register_indicators": "indicators",
    "mlcore_register_models": "models",
    "mlcore_register_regime_detectors": "regime_detectors",
    "mlcore_register_sentiment_adapters": "sentiment_adapters",
    "mlcore_register_retrain_triggers": "retrain_triggers",
    "mlcore_register_metrics": "metrics",
    "mlcore_register_data_sources": "data_sources",
}


# -------------------------------------------------------------------------
# Registration hooks: one per component kind, called once per plugin at load
# -------------------------------------------------------------------------


@hookspec
def mlcore_register_indicators(registry: Registry[Any]) -> None:
    """Register indicator factories (see :class:`mlcore.protocols.Indicator`).

    :param registry: the indicator registry; call ``registry.add(name, factory, ...)``.
        ``factory`` may be a lazy ``"module:attr"`` string so that loading the plugin does
        not import its heavy dependencies.

    .. versionadded:: 0.1
    """


@hookspec
def mlcore_register_models(registry: Registry[Any]) -> None:
    """Register model factories (see :class:`mlcore.protocols.Model`).

    :param registry: the model registry.

    .. versionadded:: 0.1
    """


@hookspec
def mlcore_register_regime_detectors(registry: Registry[Any]) -> None:
    """Register regime detector factories (see :class:`mlcore.protocols.RegimeDetector`).

    :param registry: the regime detector registry.

    .. versionadded:: 0.1
    """


@hookspec
def mlcore_register_sentiment_adapters(registry: Registry[Any]) -> None:
    """Register sentiment sources and scorers (see :class:`mlcore.protocols.SentimentAdapter`).

    :param registry: the sentiment adapter registry.

    .. versionadded:: 0.1
    """


@hookspec
def mlcore_register_retrain_triggers(registry: Registry[Any]) -> None:
    """Register retraining triggers (see :class:`mlcore.protocols.RetrainTrigger`).

    :param registry: the retrain trigger registry.

    .. versionadded:: 0.1
    """


@hookspec
def mlcore_register_metrics(registry: Registry[Any]) -> None:
    """Register metrics for model scoring or trade analytics (see :class:`mlcore.protocols.Metric`).

    :param registry: the metric registry.

    .. versionadded:: 0.1
    """


@hookspec
def mlcore_register_data_sources(registry: Registry[Any]) -> None:
    """Register market data sources (see :class:`mlcore.protocols.DataSource`).

    :param registry: the data source registry.

    .. versionadded:: 0.1
    """


# -------------------------------------------------------------------------
# Configuration
# -------------------------------------------------------------------------


@hookspec(historic=True)
def mlcore_configure(config: MlcoreConfig) -> None:
    """Receive the resolved configuration once every plugin is loaded.

    Historic: a plugin registered later still receives the call. A plugin reads its own
    settings with ``config.plugins.settings_for("<distribution>")``.

    :param config: the resolved :class:`mlcore.config.MlcoreConfig`.

    .. versionadded:: 0.1
    """


# -------------------------------------------------------------------------
# Lifecycle (observers): notifications, alerts and tracking integrations.
# An exception in an observer is reported as a warning and never stops the work.
# -------------------------------------------------------------------------


@hookspec
def mlcore_before_fit(model: Any, data: Any, config: Any, run_id: str | None) -> None:
    """Called before a model is fit.

    :param model: the unfitted model.
    :param data: the training data (``X``, or ``(X, y)``).
    :param config: the training configuration in force.
    :param run_id: the tracking run id, or None when nothing is tracked.

    .. versionadded:: 0.1
    """


@hookspec
def mlcore_after_fit(model: Any, data: Any, config: Any, run_id: str | None, result: Any) -> None:
    """Called after a model was fit successfully.

    :param model: the fitted model.
    :param data: the training data.
    :param config: the training configuration in force.
    :param run_id: the tracking run id, or None.
    :param result: what the fit produced (scores, timings), or None.

    .. versionadded:: 0.1
    """


@hookspec
def mlcore_on_fit_error(
    model: Any, data: Any, config: Any, run_id: str | None, error: BaseException
) -> None:
    """Called when a fit raised; the error is re-raised after the hook.

    :param model: the model whose fit failed.
    :param data: the training data.
    :param config: the training configuration in force.
    :param run_id: the tracking run id, or None.
    :param error: the exception the fit raised.

    .. versionadded:: 0.1
    """


@hookspec
def mlcore_on_drift(model: Any, data: Any, run_id: str | None, result: Any) -> None:
    """Called when drift is detected in the features or in the model's performance.

    :param model: the serving model.
    :param data: the recent data the drift was measured on.
    :param run_id: the tracking run id of the serving model, or None.
    :param result: the drift report (statistic per feature, threshold, decision).

    .. versionadded:: 0.1
    """


@hookspec
def mlcore_after_retrain(model: Any, run_id: str | None, result: Any) -> None:
    """Called after an automated retrain finished, whether or not it was promoted.

    :param model: the newly trained candidate model.
    :param run_id: the tracking run id of the retrain.
    :param result: the retrain outcome (scores of candidate and champion, decision).

    .. versionadded:: 0.1
    """


@hookspec
def mlcore_on_model_promoted(model: Any, run_id: str | None, result: Any) -> None:
    """Called when a model becomes the champion (serving) model.

    :param model: the promoted model (or its registry reference).
    :param run_id: the tracking run id of the promoted model.
    :param result: the promotion record (registered name, version, alias, previous champion).

    .. versionadded:: 0.1
    """
