"""Registries: where plugins put their components and where the kernel finds them.

A component is found by its name, one of its aliases, or its qualified name
``"<plugin>:<name>"``, where ``<plugin>`` is the registering entry point's name or its
distribution's name. Every component records the distribution that registered it.
"""

from __future__ import annotations

import difflib
import inspect
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, Generic, TypeVar

import attrs
from packaging.utils import canonicalize_name

from mlcore._imports import import_attribute
from mlcore.errors import RegistrationError, UnknownComponentError

__all__ = ["Component", "Registry", "Provenance"]

T = TypeVar("T")

KERNEL_PROVENANCE_NAME = "mlcore"


@attrs.frozen
class Provenance:
    """Who registered a component: a distribution, its version and the entry point."""

    distribution: str
    version: str
    plugin: str

    def names(self) -> tuple[str, ...]:
        """The prefixes under which this plugin's components resolve."""
        return tuple(dict.fromkeys((self.plugin, str(canonicalize_name(self.distribution)))))


LOCAL = Provenance(distribution="<local>", version="", plugin="local")


@attrs.frozen
class Component(Generic[T]):
    """A registered factory with its metadata."""

    name: str
    kind: str
    factory: Callable[..., T] | str = attrs.field(repr=False)
    provenance: Provenance
    aliases: tuple[str, ...] = ()
    description: str | None = None
    tags: frozenset[str] = frozenset()
    qualified_only: bool = False

    @property
    def qualified_name(self) -> str:
        return f"{self.provenance.plugin}:{self.name}"

    @property
    def distribution(self) -> str:
        return self.provenance.distribution

    def load(self) -> Callable[..., T]:
        """The factory itself, importing it first when it was registered lazily."""
        if not isinstance(self.factory, str):
            return self.factory
        module_name, _, attr = self.factory.partition(":")
        return import_attribute(module_name, attr)  # type: ignore[no-any-return]

    def create(self, *args: Any, **params: Any) -> T:
        """Build an instance: ``factory(*args, **params)``.

        A registered ready-made instance (a metric object, say) is returned as it is, or
        as an updated copy when ``params`` are given and it is an attrs class.
        """
        target: Any = self.load()
        if isinstance(target, type) or inspect.isroutine(target):
            return target(*args, **params)  # type: ignore[no-any-return]
        if args or params:
            if not attrs.has(type(target)):
                raise TypeError(
                    f"{self.kind[:-1]} {self.qualified_name!r} is a ready-made instance and "
                    "takes no parameters"
                )
            return attrs.evolve(target, *args, **params)  # type: ignore[no-any-return]
        return target  # type: ignore[no-any-return]

    def summary(self) -> str:
        """A one-line description: the registered one, else the factory's first doc line.

        Reading the docstring imports a lazily registered factory; one that fails to
        import has no summary.
        """
        if self.description:
            return self.description
        try:
            doc = inspect.getdoc(self.load()) or ""
        except Exception:  # listing components must survive a broken lazy factory
            return ""
        return doc.strip().splitlines()[0] if doc.strip() else ""

    def parameters(self) -> list[dict[str, Any]]:
        """The factory's parameters: name, default (repr) and annotation, in order.

        Reading them imports a lazily registered factory; a ready-made instance has none.
        """
        factory = self.load()
        if not isinstance(factory, type) and not inspect.isroutine(factory):
            return []  # a ready-made instance takes no parameters
        if isinstance(factory, type) and attrs.has(factory):
            return [_attrs_parameter(f) for f in attrs.fields(factory) if f.init]
        try:
            signature = inspect.signature(factory)
        except (TypeError, ValueError):
            return []
        return [
            _signature_parameter(p)
            for p in signature.parameters.values()
            if p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD)
        ]


def _attrs_parameter(field: attrs.Attribute[Any]) -> dict[str, Any]:
    default: Any = field.default
    if isinstance(default, attrs.Factory):  # type: ignore[arg-type]
        default = None if default.takes_self else default.factory()
    return {
        "name": field.alias or field.name,
        "default": None if default is attrs.NOTHING else repr(default),
        "required": default is attrs.NOTHING,
        "type": _type_name(field.type),
    }


def _signature_parameter(parameter: inspect.Parameter) -> dict[str, Any]:
    empty = parameter.default is inspect.Parameter.empty
    return {
        "name": parameter.name,
        "default": None if empty else repr(parameter.default),
        "required": empty,
        "type": _type_name(parameter.annotation),
    }


def _type_name(annotation: Any) -> str | None:
    if annotation is None or annotation is inspect.Parameter.empty:
        return None
    if isinstance(annotation, str):
        return annotation
    return getattr(annotation, "__name__", None) or repr(annotation)


class Registry(Generic[T]):
    """Components of one kind, addressed by name, alias or ``"<plugin>:<name>"``.

    ``kind`` is the plural noun (``"indicators"``). The host sets who is registering;
    components added outside the host are attributed to ``<local>``.
    """

    def __init__(self, kind: str) -> None:
        self.kind = kind
        self._components: dict[str, Component[T]] = {}
        self._aliases: dict[str, str] = {}
        self._qualified: dict[str, Component[T]] = {}
        self._provenance: Provenance = LOCAL

    def add(
        self,
        name: str,
        factory: Callable[..., T] | str,
        *,
        aliases: tuple[str, ...] | list[str] = (),
        description: str | None = None,
        tags: set[str] | frozenset[str] | list[str] | tuple[str, ...] | None = None,
        override: bool = False,
        qualified_only: bool = False,
    ) -> Component[T]:
        """Register ``factory`` under ``name`` (and ``aliases``).

        ``factory`` is a class, a callable, or a lazy ``"package.module:attr"`` string that is
        imported on first use. A name already taken by another component raises
        :class:`RegistrationError` naming both distributions unless ``override=True``;
        the replaced component stays reachable by its qualified name.
        ``qualified_only=True`` makes the component reachable only as ``"<plugin>:<name>"``,
        for plugins that mirror another library's names (``ta:rsi``) and must not clash.
        """
        _check_name(self.kind, name, self._provenance)
        _check_factory(self.kind, name, factory, self._provenance)
        component = Component(
            name=name,
            kind=self.kind,
            factory=factory,
            provenance=self._provenance,
            aliases=tuple(aliases),
            description=description,
            tags=frozenset(tags or ()),
            qualified_only=qualified_only,
        )
        if not qualified_only:
            self._add_unqualified(component, override=override)
        for prefix in component.provenance.names():
            self._qualified[f"{prefix}:{name}"] = component
        return component

    def _add_unqualified(self, component: Component[T], *, override: bool) -> None:
        name = component.name
        if not override:
            for key in (name, *component.aliases):
                self._check_free(key, component)
        self._components[name] = component
        for alias in component.aliases:
            self._aliases[alias] = name

    def get(self, name: str) -> Component[T]:
        """The component registered as ``name``, an alias, or ``"<plugin>:<name>"``."""
        if name in self._components:
            return self._components[name]
        if name in self._aliases:
            return self._components[self._aliases[name]]
        qualified = self._qualified.get(name) or self._qualified.get(_canonical_qualified(name))
        if qualified is not None:
            return qualified
        raise UnknownComponentError(self._unknown_message(name))

    def create(self, name: str, *args: Any, **params: Any) -> T:
        """Build the component registered as ``name`` with ``params``."""
        return self.get(name).create(*args, **params)

    def names(self) -> list[str]:
        """Every name that resolves on its own (qualified-only components excluded), sorted."""
        return sorted(self._components)

    def components(self) -> list[Component[T]]:
        """Every reachable component, sorted by name then qualified name."""
        unique = {id(c): c for c in self._qualified.values()}
        unique.update({id(c): c for c in self._components.values()})
        return sorted(unique.values(), key=lambda c: (c.name, c.qualified_name))

    def by_distribution(self, distribution: str) -> list[Component[T]]:
        """The components a distribution registered (including ones later overridden)."""
        wanted = canonicalize_name(distribution)
        seen = {id(c): c for c in self._qualified.values()}
        found = [c for c in seen.values() if canonicalize_name(c.distribution) == wanted]
        return sorted(found, key=lambda c: c.name)

    def __contains__(self, name: object) -> bool:
        if not isinstance(name, str):
            return False
        try:
            self.get(name)
        except UnknownComponentError:
            return False
        return True

    def __iter__(self) -> Iterator[Component[T]]:
        return iter(self.components())

    def __len__(self) -> int:
        return len(self.components())

    def __repr__(self) -> str:
        return f"Registry({self.kind!r}, {len(self)} components)"

    @contextmanager
    def registering_as(self, provenance: Provenance) -> Iterator[Registry[T]]:
        """Attribute what is added inside the block to ``provenance``."""
        previous, self._provenance = self._provenance, provenance
        try:
            yield self
        finally:
            self._provenance = previous

    def snapshot(self) -> tuple[dict[str, Any], ...]:
        """Opaque copy of the registry's state, for :meth:`restore`."""
        return (dict(self._components), dict(self._aliases), dict(self._qualified))

    def restore(self, state: tuple[dict[str, Any], ...]) -> None:
        """Return to a state taken by :meth:`snapshot`."""
        self._components, self._aliases, self._qualified = (dict(s) for s in state)

    def _check_free(self, key: str, new: Component[T]) -> None:
        owner = self._components.get(key) or self._components.get(self._aliases.get(key, ""))
        if owner is None:
            return
        raise RegistrationError(
            f"{self.kind[:-1]} name {key!r} from {_who(new.provenance)} is already registered "
            f"by {_who(owner.provenance)} (as {owner.qualified_name!r}); choose another name, "
            "or pass override=True to replace it (the original stays reachable as "
            f"{owner.qualified_name!r})"
        )

    def _unknown_message(self, name: str) -> str:
        candidates = [*self._components, *self._aliases, *self._qualified]
        close = difflib.get_close_matches(name, candidates, n=3, cutoff=0.6)
        hint = f"; did you mean {', '.join(repr(c) for c in close)}?" if close else ""
        known = ", ".join(self.names()) or "none"
        return f"unknown {self.kind[:-1]} {name!r}{hint} (registered {self.kind}: {known})"


def _who(provenance: Provenance) -> str:
    version = f" {provenance.version}" if provenance.version else ""
    return f"distribution '{provenance.distribution}{version}'"


def _canonical_qualified(name: str) -> str:
    prefix, sep, rest = name.partition(":")
    if not sep:
        return name
    return f"{canonicalize_name(prefix)}:{rest}"


def _check_name(kind: str, name: object, provenance: Provenance) -> None:
    if not isinstance(name, str) or not name or ":" in name or name != name.strip():
        raise RegistrationError(
            f"invalid {kind[:-1]} name {name!r} from {_who(provenance)}: a name is a "
            "non-empty string without ':' or surrounding spaces"
        )


def _check_factory(kind: str, name: str, factory: object, provenance: Provenance) -> None:
    if isinstance(factory, str):
        module, sep, attr = factory.partition(":")
        if sep and module and attr:
            return
        raise RegistrationError(
            f"{kind[:-1]} {name!r} from {_who(provenance)}: lazy factory {factory!r} must "
            "look like 'package.module:attribute'"
        )
    if not callable(factory) and not attrs.has(type(factory)):
        raise RegistrationError(
            f"{kind[:-1]} {name!r} from {_who(provenance)}: factory must be a class, a "
            f"callable, an attrs instance or a 'module:attr' string, got {type(factory).__name__}"
        )
