"""Entry-point discovery and the decisions taken before a plugin is imported."""

from __future__ import annotations

import os
from collections.abc import Iterable
from importlib import metadata

import attrs
from packaging.requirements import InvalidRequirement, Requirement
from packaging.specifiers import SpecifierSet
from packaging.utils import canonicalize_name
from packaging.version import InvalidVersion, Version

__all__ = ["ENTRY_POINT_GROUP", "Candidate", "LoadSettings", "discover", "select"]

ENTRY_POINT_GROUP = "mlcore.plugins"
KERNEL_DISTRIBUTION = "mlcore"


@attrs.frozen
class Candidate:
    """An installed plugin entry point, not yet imported."""

    distribution: str
    version: str
    name: str
    value: str
    entry_point: metadata.EntryPoint = attrs.field(eq=False, repr=False)
    requires: tuple[str, ...] = attrs.field(default=(), eq=False, repr=False)

    @property
    def key(self) -> str:
        return str(canonicalize_name(self.distribution))

    def matches(self, names: Iterable[str]) -> bool:
        """Whether any of ``names`` is this plugin's distribution or entry-point name."""
        wanted = {str(canonicalize_name(n)) for n in names}
        return self.key in wanted or str(canonicalize_name(self.name)) in wanted


@attrs.frozen
class LoadSettings:
    """Which plugins to load: the config's ``plugins`` section merged with the environment."""

    autoload: bool = True
    only: tuple[str, ...] | None = None  # MLCORE_LOAD_PLUGINS
    disable: tuple[str, ...] = ()
    strict: bool = False
    trace: bool = False

    @classmethod
    def from_environment(
        cls, *, autoload: bool, disable: Iterable[str], strict: bool
    ) -> LoadSettings:
        only = os.environ.get("MLCORE_LOAD_PLUGINS")
        return cls(
            autoload=autoload and not _truthy("MLCORE_DISABLE_PLUGIN_AUTOLOAD"),
            only=None if only is None else tuple(n.strip() for n in only.split(",") if n.strip()),
            disable=tuple(disable),
            strict=strict or _truthy("MLCORE_STRICT_PLUGINS"),
            trace=_truthy("MLCORE_TRACE_PLUGINS"),
        )


def _truthy(variable: str) -> bool:
    return os.environ.get(variable, "").strip().lower() in {"1", "true", "yes", "on"}


def discover(group: str = ENTRY_POINT_GROUP) -> list[Candidate]:
    """Installed entry points of ``group``, sorted by (distribution, name), without duplicates.

    The same distribution found twice on ``sys.path`` (an editable and a regular install)
    is listed once: the first one Python would import.
    """
    found: dict[tuple[str, str], Candidate] = {}
    for distribution in metadata.distributions():
        dist_name = distribution.metadata["Name"] or "<unknown>"
        for entry_point in distribution.entry_points:
            if entry_point.group != group:
                continue
            candidate = Candidate(
                distribution=dist_name,
                version=distribution.version or "",
                name=entry_point.name,
                value=entry_point.value,
                entry_point=entry_point,
                requires=tuple(distribution.requires or ()),
            )
            found.setdefault((candidate.key, candidate.name), candidate)
    return sorted(found.values(), key=lambda c: (c.key, c.name))


def select(
    candidates: list[Candidate], settings: LoadSettings
) -> tuple[list[Candidate], list[tuple[Candidate, str]]]:
    """Split candidates into those to import and those skipped, with the reason."""
    chosen: list[Candidate] = []
    skipped: list[tuple[Candidate, str]] = []
    for candidate in candidates:
        reason = _skip_reason(candidate, settings)
        if reason:
            skipped.append((candidate, reason))
        else:
            chosen.append(candidate)
    return chosen, skipped


def _skip_reason(candidate: Candidate, settings: LoadSettings) -> str | None:
    if settings.only is not None:
        if not candidate.matches(settings.only):
            return "not listed in MLCORE_LOAD_PLUGINS"
    elif not settings.autoload:
        return "autoload is off (plugins.autoload or MLCORE_DISABLE_PLUGIN_AUTOLOAD)"
    if candidate.matches(settings.disable):
        return "disabled by plugins.disable"
    return None


def kernel_requirement_problem(candidate: Candidate, kernel_version: str) -> str | None:
    """Why ``candidate`` cannot run on this kernel version, or None when it can."""
    for line in candidate.requires:
        try:
            requirement = Requirement(line)
        except InvalidRequirement:
            continue
        if canonicalize_name(requirement.name) != KERNEL_DISTRIBUTION:
            continue
        if requirement.marker is not None and not requirement.marker.evaluate({"extra": ""}):
            continue
        if not requirement.specifier.contains(kernel_version, prereleases=True):
            return (
                f"requires mlcore{requirement.specifier} but mlcore {kernel_version} is "
                f"running; upgrade {candidate.distribution} or install a matching mlcore"
            )
    return None


def version_problem(distribution: str, specifier: str) -> str | None:
    """Why the installed ``distribution`` does not satisfy ``specifier``, or None."""
    try:
        installed = metadata.version(distribution)
    except metadata.PackageNotFoundError:
        return (
            "is required (plugins.require) but not installed: "
            f"pip install '{distribution}{specifier}'"
        )
    try:
        ok = SpecifierSet(specifier).contains(Version(installed), prereleases=True)
    except InvalidVersion:
        ok = False
    if ok:
        return None
    return (
        f"version {installed} is installed but plugins.require asks for {specifier}: "
        f"pip install '{distribution}{specifier}'"
    )
