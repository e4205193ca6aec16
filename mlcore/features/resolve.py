"""From the ``features`` config to indicator instances.

Three ways to name indicators, combined in this order:

- ``technical_indicators: {trend: [sma, ema], momentum: [rsi]}`` (the seed layout): each
  name (a registered name, an alias or ``"<plugin>:<name>"``) expands to one instance per
  entry of its class's ``default_parameters``; the family group is only a heading.
- ``indicators: [rsi, {name: bbands, period: [20, 50], nbdev: 2}]``: a bare name expands as
  above; a mapping gives explicit parameters, and a list value asks for one instance per
  value (several lists: their cartesian product, in key order). A tuple is one value.
- Both empty: the default set, every registered indicator tagged ``"default"``, ordered by
  (family, name), each expanded by its ``default_parameters``.

Identical instances named twice are kept once. Two different indicators that claim one
column name are a :class:`~mlcore.errors.FeatureError` naming both.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator, Mapping
from typing import Any

import attrs

from mlcore.config import FeaturesConfig
from mlcore.errors import ConfigError, FeatureError, UnknownComponentError
from mlcore.features.failures import FeatureFailure, one_line, report_failure
from mlcore.protocols import Indicator
from mlcore.registry import Component, Registry

__all__ = ["DEFAULT_TAG", "ResolvedIndicator", "resolve_indicators"]

#: The tag that puts a registered indicator in the default feature set.
DEFAULT_TAG = "default"

_SECTION = "features"
_DEFAULT_SOURCE = "the default set"


@attrs.frozen
class ResolvedIndicator:
    """An indicator instance with the component it came from and the config key that asked
    for it (``features.technical_indicators.momentum[2]``, or ``the default set``)."""

    indicator: Any
    component: Component[Any] | None
    source: str

    @property
    def label(self) -> str:
        """``name(param=value, ...)``, for messages and progress bars."""
        name = self.component.name if self.component else type(self.indicator).__name__
        params = _params(self.indicator)
        shown = ", ".join(f"{k}={v!r}" for k, v in params.items()) if params else ""
        return f"{name}({shown})"

    @property
    def distribution(self) -> str:
        return self.component.distribution if self.component else "<unregistered>"

    @property
    def version(self) -> str:
        return self.component.provenance.version if self.component else ""

    def failure(self, stage: str, error: BaseException, *, suffix: str = "") -> FeatureFailure:
        return FeatureFailure(
            self.label + suffix, self.distribution, self.version, stage, one_line(error)
        )


def _params(indicator: Any) -> dict[str, Any]:
    get_params = getattr(indicator, "get_params", None)
    if callable(get_params):
        try:
            return dict(get_params())
        except Exception:  # a protocol-only indicator may define anything
            return {}
    return {}


def resolve_indicators(
    config: FeaturesConfig, registry: Registry[Any], *, strict: bool = False
) -> tuple[list[ResolvedIndicator], list[FeatureFailure]]:
    """The indicator instances ``config`` asks for, and the ones that could not be built.

    Raises
    ------
    UnknownComponentError
        A name is not registered; the message gives the config key, suggestions and the
        registered names.
    ConfigError
        Explicit parameters do not fit the indicator (unknown or invalid), with the key.
    FeatureError
        Two indicators claim one column name; or nothing is asked for and no indicator is
        tagged ``"default"``; or, with ``strict``, an indicator could not be built.
    """
    failures: list[FeatureFailure] = []
    requests = list(_requests(config))
    if requests:
        resolved = [
            item
            for path, spec in requests
            for item in _resolve_entry(path, spec, registry, failures, strict)
        ]
    else:
        resolved = _default_set(registry, failures, strict)
        if not resolved and not failures:
            raise FeatureError(
                "no indicator is tagged 'default' in the registry, so there is no default "
                "feature set; install the default indicators (pip install mlcore-indicators) "
                "or name indicators in features.indicators / features.technical_indicators"
            )
    return _deduplicate(resolved), failures


def _requests(config: FeaturesConfig) -> Iterator[tuple[str, str | Mapping[str, Any]]]:
    for family, specs in config.technical_indicators.items():
        for index, spec in enumerate(specs):
            yield f"{_SECTION}.technical_indicators.{family}[{index}]", spec
    for index, spec in enumerate(config.indicators):
        yield f"{_SECTION}.indicators[{index}]", spec


def _lookup(registry: Registry[Any], name: str, path: str) -> Component[Any]:
    try:
        return registry.get(name)
    except UnknownComponentError as error:
        raise UnknownComponentError(f"config key '{path}': {error}") from None


def _factory_class(component: Component[Any]) -> Any:
    """The class whose ClassVars describe the component (importing a lazy factory)."""
    factory = component.load()
    return factory if isinstance(factory, type) else type(factory)


def _default_parameter_sets(cls: Any) -> list[dict[str, Any]]:
    sets = getattr(cls, "default_parameters", None)
    if sets is None:
        return [{}]
    return [dict(parameters) for parameters in sets]


def _expand(parameters: Mapping[str, Any]) -> list[dict[str, Any]]:
    """``{period: [7, 14], nbdev: 2}`` -> one dict per combination, in key order."""
    keys = list(parameters)
    choices = [v if isinstance(v, list) else [v] for v in parameters.values()]
    return [dict(zip(keys, combo, strict=True)) for combo in itertools.product(*choices)]


def _resolve_entry(
    path: str,
    spec: str | Mapping[str, Any],
    registry: Registry[Any],
    failures: list[FeatureFailure],
    strict: bool,
) -> list[ResolvedIndicator]:
    if isinstance(spec, Mapping):
        name = str(spec["name"])
        explicit: dict[str, Any] | None = {k: v for k, v in spec.items() if k != "name"}
    else:
        name, explicit = str(spec), None
    component = _lookup(registry, name, path)
    try:
        cls = _factory_class(component)
    except Exception as error:  # a lazy factory's import may raise anything
        _fail(
            FeatureFailure(name, *_who(component), "import", one_line(error)),
            failures,
            strict,
            error,
        )
        return []
    if explicit is None:
        return _build_all(component, _default_parameter_sets(cls), path, failures, strict)
    built = []
    for parameters in _expand(explicit):
        try:
            indicator = component.create(**parameters)
        except (TypeError, ValueError) as error:
            raise ConfigError(
                f"cannot build indicator {name!r} with {parameters}: {one_line(error)}; "
                f"{_parameter_help(component)}",
                key_path=path,
            ) from error
        built.extend(_checked(component, indicator, path, failures, strict))
    return built


def _build_all(
    component: Component[Any],
    parameter_sets: list[dict[str, Any]],
    path: str,
    failures: list[FeatureFailure],
    strict: bool,
) -> list[ResolvedIndicator]:
    built = []
    for parameters in parameter_sets:
        try:
            indicator = component.create(**parameters)
        except Exception as error:  # the plugin's own default_parameters are at fault
            shown = f"{component.name}({', '.join(f'{k}={v!r}' for k, v in parameters.items())})"
            failure = FeatureFailure(shown, *_who(component), "build", one_line(error))
            _fail(failure, failures, strict, error)
            continue
        built.extend(_checked(component, indicator, path, failures, strict))
    return built


def _checked(
    component: Component[Any],
    indicator: Any,
    path: str,
    failures: list[FeatureFailure],
    strict: bool,
) -> list[ResolvedIndicator]:
    resolved = ResolvedIndicator(indicator, component, path)
    if not isinstance(indicator, Indicator):
        error = TypeError(
            f"{type(indicator).__name__} is not an Indicator: it needs family, nan_policy, "
            "inputs, outputs, warmup and compute(ohlcv)"
        )
        _fail(resolved.failure("build", error), failures, strict, error)
        return []
    outputs = tuple(indicator.outputs)
    if len(set(outputs)) != len(outputs):
        raise FeatureError(
            f"indicator {resolved.label} from distribution '{resolved.distribution}' "
            f"({path}) repeats a column name in its outputs {list(outputs)}",
            indicator=resolved.label,
        )
    return [resolved]


def _default_set(
    registry: Registry[Any], failures: list[FeatureFailure], strict: bool
) -> list[ResolvedIndicator]:
    chosen: list[tuple[tuple[str, str, str], Component[Any], Any]] = []
    for component in registry.components():
        if DEFAULT_TAG not in component.tags or _is_overridden(registry, component):
            continue
        try:
            cls = _factory_class(component)
        except Exception as error:
            failure = FeatureFailure(component.name, *_who(component), "import", one_line(error))
            _fail(failure, failures, strict, error)
            continue
        family = str(getattr(cls, "family", "other"))
        chosen.append(((family, component.name, component.qualified_name), component, cls))
    chosen.sort(key=lambda item: item[0])
    resolved = []
    for _, component, cls in chosen:
        sets = _default_parameter_sets(cls)
        resolved.extend(_build_all(component, sets, _DEFAULT_SOURCE, failures, strict))
    return resolved


def _is_overridden(registry: Registry[Any], component: Component[Any]) -> bool:
    """Whether another component has since taken this one's plain name (override=True)."""
    if component.qualified_only:
        return False
    try:
        return registry.get(component.name) is not component
    except UnknownComponentError:
        return True


def _same(left: Any, right: Any) -> bool:
    if type(left) is not type(right):
        return False
    if left is right or left == right:
        return True
    return bool(_params(left)) and _params(left) == _params(right)


def _deduplicate(resolved: list[ResolvedIndicator]) -> list[ResolvedIndicator]:
    kept: list[ResolvedIndicator] = []
    owners: dict[str, ResolvedIndicator] = {}
    for item in resolved:
        outputs = tuple(item.indicator.outputs)
        first = owners.get(outputs[0]) if outputs else None
        if first is not None and _same(first.indicator, item.indicator):
            continue  # the same indicator asked for twice
        for column in outputs:
            owner = owners.get(column)
            if owner is not None:
                raise FeatureError(
                    f"feature column {column!r} is produced by two indicators: "
                    f"{owner.label} from '{owner.distribution}' ({owner.source}) and "
                    f"{item.label} from '{item.distribution}' ({item.source}); "
                    "remove one of them from the config, or disable one plugin",
                    indicator=item.label,
                )
        owners.update(dict.fromkeys(outputs, item))
        kept.append(item)
    return kept


def _who(component: Component[Any]) -> tuple[str, str]:
    return component.distribution, component.provenance.version


def _parameter_help(component: Component[Any]) -> str:
    try:
        parameters = component.parameters()
    except Exception:
        return "check its parameters with: mlcore components indicators"
    if not parameters:
        return "it takes no parameters"
    listing = ", ".join(
        p["name"] if p["required"] else f"{p['name']}={p['default']}" for p in parameters
    )
    return f"its parameters are: {listing}"


def _fail(
    failure: FeatureFailure, failures: list[FeatureFailure], strict: bool, error: BaseException
) -> None:
    report_failure(failure, strict=strict, error=error)
    failures.append(failure)
