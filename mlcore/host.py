"""PluginHost: finds, isolates and loads plugins, and owns the registries.

There is no global plugin manager: build a host with ``PluginHost.from_config(cfg).load()``
wherever one is needed. Each plugin is imported and registered inside its own try; a
broken plugin becomes a :class:`PluginFailure` and a :class:`MlcorePluginWarning`, and
every other plugin keeps working (strict mode raises :class:`PluginLoadError` instead,
once every plugin has been tried).
"""

from __future__ import annotations

import difflib
import os
import sys
import warnings
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any, Self

import attrs
import pluggy
from packaging.utils import canonicalize_name

from mlcore import _loader, hookspecs
from mlcore._loader import Candidate, LoadSettings
from mlcore._version import PLUGIN_API_VERSION, __version__
from mlcore.config import MlcoreConfig, config_from_dict, load_config
from mlcore.errors import HookResultError, MlcorePluginWarning, PluginLoadError
from mlcore.registry import Provenance, Registry

__all__ = ["PluginFailure", "PluginHost", "PluginInfo", "SkippedPlugin"]

KINDS: tuple[str, ...] = tuple(hookspecs.REGISTRATION_HOOKS.values())
BUILTINS_ENTRY_POINT = "builtins"


@attrs.frozen
class PluginInfo:
    """A loaded plugin: where it came from, which hooks it implements, what it registered."""

    distribution: str
    version: str
    entry_point: str
    value: str
    hooks: tuple[str, ...]
    builtin: bool = False


@attrs.frozen
class PluginFailure:
    """A plugin that could not be loaded, and why, in one line."""

    distribution: str
    version: str
    entry_point: str
    stage: str  # import | requirement | validate | register | configure | require
    cause: str

    def __str__(self) -> str:
        version = f" {self.version}" if self.version else ""
        where = f"entry point {self.entry_point!r}, {self.stage}"
        return f"{self.distribution}{version} ({where}): {self.cause}"


@attrs.frozen
class SkippedPlugin:
    """An installed plugin that was deliberately not imported."""

    distribution: str
    version: str
    entry_point: str
    reason: str


class PluginHost:
    """Loads plugins and holds one :class:`Registry` per component kind.

    Build it with :meth:`from_config`, then call :meth:`load` once.
    """

    def __init__(self, config: MlcoreConfig | None = None) -> None:
        self.config = config if config is not None else MlcoreConfig()
        self.settings = LoadSettings.from_environment(
            autoload=self.config.plugins.autoload,
            disable=self.config.plugins.disable,
            strict=self.config.plugins.strict,
        )
        self._pm = pluggy.PluginManager(hookspecs.PROJECT_NAME)
        self._pm.add_hookspecs(hookspecs)
        self.registries: dict[str, Registry[Any]] = {kind: Registry(kind) for kind in KINDS}
        self.plugins: list[PluginInfo] = []
        self.failures: list[PluginFailure] = []
        self.skipped: list[SkippedPlugin] = []
        self._loaded = False
        if self.settings.trace:
            self._pm.trace.root.setwriter(sys.stderr.write)
            self._pm.enable_tracing()

    @classmethod
    def from_config(
        cls, config: MlcoreConfig | Mapping[str, Any] | str | os.PathLike[str] | None = None
    ) -> Self:
        """A host for ``config``: an :class:`MlcoreConfig`, a mapping, a YAML path, or None."""
        if config is None or isinstance(config, MlcoreConfig):
            return cls(config)
        if isinstance(config, Mapping):
            return cls(config_from_dict(dict(config)))
        return cls(load_config(Path(config)))

    # -- loading -------------------------------------------------------------

    def load(self) -> Self:
        """Register the kernel's builtins, then every selected installed plugin.

        Raises :class:`PluginLoadError` after trying every plugin when strict mode is on
        and one failed, or when a plugin named in ``plugins.require`` is unusable.
        """
        if self._loaded:
            return self
        self._loaded = True
        from mlcore import builtins

        self._add(
            builtins,
            Provenance("mlcore", __version__, BUILTINS_ENTRY_POINT),
            "mlcore.builtins",
            builtin=True,
        )
        candidates = _loader.discover()
        chosen, skipped = _loader.select(candidates, self.settings)
        for candidate, reason in skipped:
            self._trace(
                f"skipping {candidate.distribution}:{candidate.name} ({reason}), not imported"
            )
            self.skipped.append(
                SkippedPlugin(candidate.distribution, candidate.version, candidate.name, reason)
            )
        for candidate in chosen:
            self._load_candidate(candidate)
        self._report_missing_only(candidates)
        self._configure_all()
        self._check_required()
        self._raise_if_strict()
        return self

    def register_plugin(
        self,
        plugin: object,
        *,
        distribution: str = "<local>",
        name: str | None = None,
        version: str = "",
    ) -> bool:
        """Register an in-process plugin object or module (notebooks, tests).

        Failures are handled as for installed plugins; returns whether it was registered.
        """
        entry_point = name or str(getattr(plugin, "__name__", type(plugin).__name__))
        added = self._add(plugin, Provenance(distribution, version, entry_point), entry_point)
        if added and self._loaded:
            self._configure(plugin, self.plugins[-1])
        return added

    def _load_candidate(self, candidate: Candidate) -> None:
        self._trace(f"loading {candidate.distribution}:{candidate.name} = {candidate.value}")
        problem = _loader.kernel_requirement_problem(candidate, __version__)
        if problem:
            self._fail(
                candidate.distribution, candidate.version, candidate.name, "requirement", problem
            )
            return
        try:
            plugin = candidate.entry_point.load()
        except Exception as error:  # a plugin's import may raise anything
            self._fail(
                candidate.distribution,
                candidate.version,
                candidate.name,
                "import",
                _one_line(error),
            )
            return
        provenance = Provenance(candidate.distribution, candidate.version, candidate.name)
        self._add(plugin, provenance, candidate.value)

    def _add(
        self, plugin: object, provenance: Provenance, value: str, *, builtin: bool = False
    ) -> bool:
        where = (provenance.distribution, provenance.version, provenance.plugin)
        if self._pm.is_registered(plugin):
            owner = self._pm.get_name(plugin)
            self.skipped.append(
                SkippedPlugin(*where, reason=f"the same object is already registered as {owner}")
            )
            return False
        try:
            self._pm.register(plugin, name=f"{provenance.distribution}:{provenance.plugin}")
        except Exception as error:  # pluggy validates hookimpl signatures here
            self._fail(*where, "validate", " ".join(str(error).split()))
            return False
        try:
            self._validate(plugin)
            self._register_components(plugin, provenance)
        except Exception as error:
            self._pm.unregister(plugin)
            if isinstance(error, _UnknownHook):
                self._fail(*where, "validate", str(error))
            else:
                self._fail(*where, "register", _one_line(error))
            return False
        hooks = tuple(sorted(caller.name for caller in self._pm.get_hookcallers(plugin) or ()))
        self.plugins.append(PluginInfo(*where, value=value, hooks=hooks, builtin=builtin))
        return True

    def _validate(self, plugin: object) -> None:
        for caller in self._pm.get_hookcallers(plugin) or ():
            if caller.spec is None:
                raise _UnknownHook(_unknown_hook_message(caller.name, self._spec_names()))
            for impl in caller.get_hookimpls():
                if impl.plugin is plugin and impl.kwargnames:
                    warnings.warn(
                        f"plugin {self._pm.get_name(plugin)}: {caller.name}() gives a default to "
                        f"{', '.join(impl.kwargnames)}; pluggy never passes arguments with "
                        "defaults: remove the default",
                        MlcorePluginWarning,
                        stacklevel=_caller_stacklevel(),
                    )

    def _register_components(self, plugin: object, provenance: Provenance) -> None:
        states = {kind: registry.snapshot() for kind, registry in self.registries.items()}
        try:
            for hook_name, kind in hookspecs.REGISTRATION_HOOKS.items():
                for impl in _impls_of(self._pm, hook_name, plugin):
                    registry = self.registries[kind]
                    with registry.registering_as(provenance):
                        result = impl.function(**dict.fromkeys(impl.argnames, registry))
                    if result is not None:
                        raise HookResultError(
                            f"{hook_name}() returned {type(result).__name__}; registration hooks "
                            "return None and call registry.add(name, factory) instead"
                        )
        except BaseException:
            for kind, state in states.items():
                self.registries[kind].restore(state)
            raise

    def _configure_all(self) -> None:
        for info, plugin in list(self._plugins_with_info()):
            self._configure(plugin, info)

    def _configure(self, plugin: object, info: PluginInfo) -> None:
        for impl in _impls_of(self._pm, "mlcore_configure", plugin):
            try:
                impl.function(**dict.fromkeys(impl.argnames, self.config))
            except Exception as error:
                self._pm.unregister(plugin)
                self.plugins.remove(info)
                for registry in self.registries.values():
                    registry.restore(_without_distribution(registry, info))
                self._fail(
                    info.distribution, info.version, info.entry_point, "configure", _one_line(error)
                )

    def _report_missing_only(self, candidates: list[Candidate]) -> None:
        for name in self.settings.only or ():
            if not any(c.matches([name]) for c in candidates):
                self._fail(
                    name, "", "", "import", "listed in MLCORE_LOAD_PLUGINS but not installed"
                )

    def _check_required(self) -> None:
        problems = []
        for distribution, specifier in self.config.plugins.require.items():
            problem = _loader.version_problem(distribution, specifier)
            if problem is None and not self.plugin_info(distribution):
                problem = "is required (plugins.require) but did not load: see the failures above"
            if problem:
                problems.append(f"{distribution} {problem}")
        if problems:
            raise PluginLoadError("required plugins are unusable:\n  " + "\n  ".join(problems))

    def _raise_if_strict(self) -> None:
        if self.settings.strict and self.failures:
            listing = "\n  ".join(str(f) for f in self.failures)
            raise PluginLoadError(
                f"{len(self.failures)} plugin(s) failed to load (strict mode):\n  {listing}"
            )

    def _fail(
        self, distribution: str, version: str, entry_point: str, stage: str, cause: str
    ) -> None:
        failure = PluginFailure(distribution, version, entry_point, stage, cause)
        self.failures.append(failure)
        self._trace(f"failed: {failure}")
        warnings.warn(
            f"mlcore plugin failed to load, the others keep working: {failure}",
            MlcorePluginWarning,
            stacklevel=_caller_stacklevel(),
        )

    def _trace(self, message: str) -> None:
        if self.settings.trace:
            sys.stderr.write(f"mlcore: {message}\n")

    def _spec_names(self) -> list[str]:
        return [
            name
            for name in dir(self._pm.hook)
            if name.startswith("mlcore_") and getattr(self._pm.hook, name).spec is not None
        ]

    def _plugins_with_info(self) -> Iterator[tuple[PluginInfo, object]]:
        for info in self.plugins:
            plugin = self._pm.get_plugin(f"{info.distribution}:{info.entry_point}")
            if plugin is not None:
                yield info, plugin

    # -- using it --------------------------------------------------------------

    @property
    def hook(self) -> pluggy.HookRelay:
        """pluggy's hook relay, for calling hooks with pluggy's own semantics."""
        return self._pm.hook

    def check_pending(self) -> None:
        """Raise :class:`PluginLoadError` for any registered hook implementation without a spec."""
        try:
            self._pm.check_pending()
        except pluggy.PluginValidationError as error:
            raise PluginLoadError(
                f"{error}; known hooks: {', '.join(self._spec_names())}"
            ) from error

    def notify(self, hook_name: str, **kwargs: Any) -> list[Any]:
        """Call an observer hook on every plugin, each in its own try.

        An implementation that raises is reported with a :class:`MlcorePluginWarning`; the
        work that notified goes on. Returns the implementations' non-None results.
        """
        caller = getattr(self._pm.hook, hook_name, None)
        if caller is None or caller.spec is None:
            raise AttributeError(_unknown_hook_message(hook_name, self._spec_names()))
        results = []
        for impl in caller.get_hookimpls():
            try:
                result = impl.function(**{arg: kwargs.get(arg) for arg in impl.argnames})
            except Exception as error:
                warnings.warn(
                    f"plugin {impl.plugin_name}: {hook_name}() raised {_one_line(error)}; ignored",
                    MlcorePluginWarning,
                    stacklevel=_caller_stacklevel(),
                )
                continue
            if result is not None:
                results.append(result)
        return results

    def registry(self, kind: str) -> Registry[Any]:
        """The registry of ``kind`` (``"indicators"``, ``"models"`` ...)."""
        try:
            return self.registries[kind]
        except KeyError:
            close = difflib.get_close_matches(kind, KINDS, n=1)
            hint = f"; did you mean {close[0]!r}?" if close else ""
            raise KeyError(
                f"unknown component kind {kind!r}{hint} (kinds: {', '.join(KINDS)})"
            ) from None

    def create(self, kind: str, name: str, *args: Any, **params: Any) -> Any:
        """Build the component ``name`` of ``kind`` with ``params``."""
        return self.registry(kind).create(name, *args, **params)

    @property
    def indicators(self) -> Registry[Any]:
        return self.registries["indicators"]

    @property
    def models(self) -> Registry[Any]:
        return self.registries["models"]

    @property
    def regime_detectors(self) -> Registry[Any]:
        return self.registries["regime_detectors"]

    @property
    def sentiment_adapters(self) -> Registry[Any]:
        return self.registries["sentiment_adapters"]

    @property
    def retrain_triggers(self) -> Registry[Any]:
        return self.registries["retrain_triggers"]

    @property
    def metrics(self) -> Registry[Any]:
        return self.registries["metrics"]

    @property
    def data_sources(self) -> Registry[Any]:
        return self.registries["data_sources"]

    def plugin_info(self, distribution: str) -> list[PluginInfo]:
        """The loaded plugins of a distribution (one per entry point)."""
        key = canonicalize_name(distribution)
        return [p for p in self.plugins if canonicalize_name(p.distribution) == key]

    def describe(self) -> dict[str, Any]:
        """Everything ``mlcore plugins --json`` prints, as plain data."""
        return {
            "mlcore_version": __version__,
            "plugin_api_version": PLUGIN_API_VERSION,
            "strict": self.settings.strict,
            "plugins": [self._describe_plugin(info) for info in self.plugins],
            "failures": [attrs.asdict(f) for f in self.failures],
            "skipped": [attrs.asdict(s) for s in self.skipped],
        }

    def _describe_plugin(self, info: PluginInfo) -> dict[str, Any]:
        components = {
            kind: [
                c.name
                for c in registry.by_distribution(info.distribution)
                if c.provenance.plugin == info.entry_point
            ]
            for kind, registry in self.registries.items()
        }
        return {**attrs.asdict(info), "components": {k: v for k, v in components.items() if v}}


class _UnknownHook(Exception):
    pass


def _impls_of(pm: pluggy.PluginManager, hook_name: str, plugin: object) -> list[pluggy.HookImpl]:
    caller = getattr(pm.hook, hook_name, None)
    if caller is None:
        return []
    return [impl for impl in caller.get_hookimpls() if impl.plugin is plugin]


def _unknown_hook_message(name: str, known: list[str]) -> str:
    close = difflib.get_close_matches(name, known, n=1)
    hint = f"; did you mean {close[0]!r}?" if close else ""
    return f"unknown hook {name!r}{hint}"


def _without_distribution(registry: Registry[Any], info: PluginInfo) -> tuple[dict[str, Any], ...]:
    components, aliases, qualified = registry.snapshot()
    mine = {
        id(c)
        for c in qualified.values()
        if c.provenance.plugin == info.entry_point and c.distribution == info.distribution
    }
    components = {k: c for k, c in components.items() if id(c) not in mine}
    aliases = {a: n for a, n in aliases.items() if n in components}
    qualified = {k: c for k, c in qualified.items() if id(c) not in mine}
    return components, aliases, qualified


def _caller_stacklevel() -> int:
    """The ``stacklevel`` that points a warning at the first frame outside this module."""
    frame, level = sys._getframe(1), 1
    while frame is not None and frame.f_code.co_filename == __file__:
        frame, level = frame.f_back, level + 1  # type: ignore[assignment]
    return level


def _one_line(error: BaseException) -> str:
    text = str(error).strip().splitlines()
    return f"{type(error).__name__}: {text[0]}" if text else type(error).__name__
