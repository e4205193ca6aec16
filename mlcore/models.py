"""The model factory: any registered model, or an ensemble of them, built from config.

>>> model = create_model(config, host)                 # training.model_type + model_params
>>> model = create_model("xgboost", host, max_depth=4)  # by name, with parameters

``training.model_type`` names a model registered by a plugin (``lightgbm``, ``xgboost``, an
alias, or ``"<plugin>:<name>"``), or one of the kernel's ensembles (:mod:`mlcore.ensembles`):

.. code-block:: yaml

    training:
      model_type: stacking           # or averaging, blending
      model_params:
        models: [lightgbm, {name: xgboost, max_depth: 4}]
        meta_model: logistic         # stacking only; or any registered model
        weights: [0.5, 0.5]          # blending only

The training section also gives every model that takes them (an attrs field or a keyword of
its factory) ``random_state`` from ``training.seed``, and ``early_stopping_rounds`` and
``validation_fraction``; ``model_params`` wins over both. Errors name the config key:
an unknown model is an :class:`~mlcore.errors.UnknownComponentError` naming
``training.model_type`` and listing the registered models, a parameter the model does not
take is a :class:`~mlcore.errors.ConfigError` naming ``training.model_params.<key>``.
"""

from __future__ import annotations

import copy
import difflib
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, Final

from mlcore.config import MlcoreConfig, TrainingConfig
from mlcore.errors import ConfigError, PluginLoadError, UnknownComponentError

if TYPE_CHECKING:
    from mlcore.host import PluginHost
    from mlcore.registry import Component

__all__ = [
    "ENSEMBLE_TYPES",
    "clone_model",
    "create_model",
    "model_parameter_names",
    "model_task",
]

#: ``training.model_type`` values that build a kernel ensemble instead of a registered model.
ENSEMBLE_TYPES: Final = ("averaging", "blending", "stacking")

#: Fields the training section fills in when the model takes them: name -> config attribute.
_FROM_TRAINING: Final = {
    "random_state": "seed",
    "early_stopping_rounds": "early_stopping_rounds",
    "validation_fraction": "validation_fraction",
}


def create_model(
    config_or_name: TrainingConfig | MlcoreConfig | str,
    host: PluginHost | None = None,
    **params: Any,
) -> Any:
    """Build the unfitted model ``config_or_name`` describes.

    Parameters
    ----------
    config_or_name
        A whole :class:`MlcoreConfig` or its ``training`` section (``model_type``,
        ``model_params``, ``seed`` ...), or a model name (an ensemble type, a registered
        name, an alias or ``"<plugin>:<name>"``).
    host
        The plugin host whose model registry the name resolves in; by default
        ``PluginHost().load()``.
    params
        Parameters on top of ``training.model_params`` (they win).

    Raises
    ------
    UnknownComponentError
        No model is registered under the name (the message names ``training.model_type``,
        suggests close names and lists the registered models).
    ConfigError
        The model does not take a parameter, or refuses its value (the message names
        ``training.model_params.<key>``).
    """
    if host is None:
        from mlcore.host import PluginHost

        host = PluginHost().load()
    if isinstance(config_or_name, MlcoreConfig):
        config_or_name = config_or_name.training
    if isinstance(config_or_name, TrainingConfig):
        training: TrainingConfig | None = config_or_name
        name = config_or_name.model_type
        merged = {**config_or_name.model_params, **params}
    elif isinstance(config_or_name, str):
        training, name, merged = None, config_or_name, dict(params)
    else:
        raise TypeError(
            "create_model takes an MlcoreConfig, a TrainingConfig or a model name, got "
            f"{type(config_or_name).__name__}"
        )
    return _build(name, merged, host, training, "training.model_type", "training.model_params")


def _build(
    name: str,
    params: dict[str, Any],
    host: PluginHost,
    training: TrainingConfig | None,
    name_key: str,
    params_key: str,
) -> Any:
    if name in ENSEMBLE_TYPES:
        return _build_ensemble(name, params, host, training, params_key)
    component = _lookup(host, name, name_key)
    try:
        accepted = _accepted_parameters(component)
    except ImportError as error:
        raise PluginLoadError(
            f"config key '{name_key}': model {component.qualified_name!r} of "
            f"{component.distribution} {component.provenance.version} cannot be imported "
            f"({type(error).__name__}: {error}); reinstall that plugin or choose another model"
        ) from error
    if training is not None and accepted is not None:
        for field, attribute in _FROM_TRAINING.items():
            if field in accepted and field not in params:
                params[field] = getattr(training, attribute)
    if accepted is not None:
        for key in params:
            if key not in accepted:
                lowered = {name.lower(): name for name in sorted(accepted)}
                close = difflib.get_close_matches(key.lower(), list(lowered), n=1, cutoff=0.6)
                hint = f" (did you mean {lowered[close[0]]!r}?)" if close else ""
                raise ConfigError(
                    f"model {component.qualified_name!r} has no parameter {key!r}{hint}; its "
                    f"parameters are: {', '.join(sorted(accepted)) or 'none'}",
                    key_path=f"{params_key}.{key}",
                )
    try:
        return component.create(**params)
    except (TypeError, ValueError) as error:
        culprit = next((key for key in params if key in str(error)), None)
        where = f"{params_key}.{culprit}" if culprit else params_key
        raise ConfigError(
            f"cannot build model {component.qualified_name!r}: {error}", key_path=where
        ) from error


def _lookup(host: PluginHost, name: str, key_path: str) -> Component[Any]:
    try:
        return host.models.get(name)
    except UnknownComponentError as error:
        ensembles = ", ".join(ENSEMBLE_TYPES)
        hint = (
            "; no model plugin is installed: pip install mlcore-lightgbm (or mlcore-xgboost)"
            if not host.models.names()
            else ""
        )
        raise UnknownComponentError(
            f"config key '{key_path}': {error}; the kernel's ensembles are {ensembles}{hint}"
        ) from None


def _accepted_parameters(component: Component[Any]) -> set[str] | None:
    """The names the factory takes; None when it takes any keyword (``**kwargs``)."""
    import inspect

    factory = component.load()
    if isinstance(factory, type) or inspect.isroutine(factory):
        try:
            signature = inspect.signature(factory)
        except (TypeError, ValueError):
            return None
        if any(p.kind is p.VAR_KEYWORD for p in signature.parameters.values()):
            return None
    return {parameter["name"] for parameter in component.parameters()}


def _member_spec(item: Any, key: str) -> tuple[str, dict[str, Any]]:
    """A member written as a name, or as a mapping with a ``name`` and its parameters."""
    if isinstance(item, str) and item.strip():
        return item, {}
    if isinstance(item, Mapping) and isinstance(item.get("name"), str):
        return item["name"], {k: v for k, v in item.items() if k != "name"}
    raise ConfigError(
        f"a member model is a name or a mapping with a 'name' and its parameters, got {item!r}",
        key_path=key,
    )


def _members(value: Any, key: str, host: PluginHost, training: TrainingConfig | None) -> list[Any]:
    """The ensemble's member models: built from names or mappings; model objects as given."""
    if not isinstance(value, Sequence) or isinstance(value, str) or not value:
        raise ConfigError(
            "an ensemble needs a non-empty list of member models, e.g. "
            "models: [lightgbm, {name: xgboost, max_depth: 4}]",
            key_path=key,
        )
    members = []
    for index, item in enumerate(value):
        where = f"{key}[{index}]"
        if hasattr(item, "fit"):
            members.append(item)
            continue
        name, params = _member_spec(item, where)
        members.append(_build(name, params, host, training, where, where))
    return members


def _build_ensemble(
    kind: str,
    params: dict[str, Any],
    host: PluginHost,
    training: TrainingConfig | None,
    params_key: str,
) -> Any:
    from mlcore import ensembles

    params = dict(params)
    members = _members(params.pop("models", None), f"{params_key}.models", host, training)
    if kind == "stacking":
        meta = params.pop("meta_model", "logistic")
        if isinstance(meta, str) and meta != "logistic":
            params["meta_model"] = _build(
                meta, {}, host, training, f"{params_key}.meta_model", f"{params_key}.meta_model"
            )
        elif isinstance(meta, Mapping):
            key = f"{params_key}.meta_model"
            meta_name, meta_params = _member_spec(meta, key)
            params["meta_model"] = _build(meta_name, meta_params, host, training, key, key)
        elif meta != "logistic":
            params["meta_model"] = meta
        if training is not None:
            params.setdefault("random_state", training.seed)
    classes = {
        "averaging": ensembles.AveragingEnsemble,
        "blending": ensembles.BlendingEnsemble,
        "stacking": ensembles.StackingEnsemble,
    }
    cls = classes[kind]
    try:
        return cls(models=members, **params)
    except TypeError as error:
        raise ConfigError(
            f"{kind} ensemble: {error}; its parameters are: "
            f"{', '.join(model_parameter_names(cls))}",
            key_path=params_key,
        ) from error
    except ValueError as error:
        culprit = next((key for key in params if key in str(error)), None)
        raise ConfigError(
            f"{kind} ensemble: {error}",
            key_path=f"{params_key}.{culprit}" if culprit else params_key,
        ) from error


def model_parameter_names(model_or_class: Any) -> list[str]:
    """The constructor parameters of a model (attrs fields or its signature)."""
    import inspect

    import attrs

    cls = model_or_class if isinstance(model_or_class, type) else type(model_or_class)
    if attrs.has(cls):
        return [field.alias or field.name for field in attrs.fields(cls) if field.init]
    try:
        signature = inspect.signature(cls)
    except (TypeError, ValueError):
        return []
    return [
        name
        for name, parameter in signature.parameters.items()
        if parameter.kind not in (parameter.VAR_POSITIONAL, parameter.VAR_KEYWORD)
    ]


def clone_model(model: Any) -> Any:
    """An unfitted copy with the same parameters.

    Uses the model's own ``clone()`` (mlcore components), else scikit-learn's ``clone``,
    else a deep copy.
    """
    clone = getattr(model, "clone", None)
    if callable(clone):
        return clone()
    try:
        from sklearn.base import clone as sklearn_clone

        return sklearn_clone(model)
    except TypeError:  # not a scikit-learn estimator
        return copy.deepcopy(model)


def model_task(model: Any) -> str:
    """``classification`` or ``regression``: the model's ``task`` ClassVar, else a guess from
    scikit-learn's estimator tags, else ``classification`` when it has ``predict_proba``."""
    task = getattr(model, "task", None)
    if task in ("classification", "regression"):
        return str(task)
    try:
        from sklearn.base import is_classifier, is_regressor

        if is_regressor(model):
            return "regression"
        if is_classifier(model):
            return "classification"
    except Exception:  # not a scikit-learn estimator: its tags cannot be read
        pass
    return "classification" if hasattr(model, "predict_proba") else "regression"
