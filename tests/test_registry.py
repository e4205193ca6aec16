from __future__ import annotations

import attrs
import pytest

from mlcore.errors import RegistrationError, UnknownComponentError
from mlcore.registry import Provenance, Registry


@attrs.frozen
class Window:
    """A toy component with one parameter."""

    period: int = 14


def registry_with(*entries: tuple[str, str, object]) -> Registry[object]:
    registry: Registry[object] = Registry("indicators")
    for distribution, name, factory in entries:
        with registry.registering_as(Provenance(distribution, "1.0", distribution.split("-")[-1])):
            registry.add(name, factory)
    return registry


def test_add_and_get_by_name_alias_and_qualified_name() -> None:
    registry: Registry[object] = Registry("indicators")
    with registry.registering_as(Provenance("mlcore-demo", "1.2", "demo")):
        component = registry.add(
            "window", Window, aliases=("win",), description="A window", tags={"x"}
        )
    assert registry.get("window") is component
    assert registry.get("win") is component
    assert registry.get("demo:window") is component
    assert registry.get("mlcore-demo:window") is component
    assert registry.get("mlcore_demo:window") is component  # distribution names are normalised
    assert component.distribution == "mlcore-demo"
    assert component.provenance.version == "1.2"
    assert component.tags == frozenset({"x"})
    assert registry.create("window", period=5) == Window(period=5)


def test_duplicate_name_names_both_distributions() -> None:
    registry = registry_with(("mlcore-first", "window", Window))
    with (
        registry.registering_as(Provenance("mlcore-second", "2.0", "second")),
        pytest.raises(RegistrationError, match=r"mlcore-second 2\.0.*mlcore-first 1\.0"),
    ):
        registry.add("window", Window)


def test_alias_clash_is_a_duplicate() -> None:
    registry = registry_with(("mlcore-first", "window", Window))
    with pytest.raises(RegistrationError, match="already registered"):
        registry.add("other", Window, aliases=("window",))


def test_override_keeps_the_original_reachable_by_qualified_name() -> None:
    registry = registry_with(("mlcore-first", "window", Window))
    original = registry.get("window")
    with registry.registering_as(Provenance("mlcore-second", "1.0", "second")):
        replacement = registry.add("window", lambda: Window(3), override=True)
    assert registry.get("window") is replacement
    assert registry.get("first:window") is original
    assert registry.get("second:window") is replacement
    assert [c.distribution for c in registry.by_distribution("mlcore-first")] == ["mlcore-first"]


def test_unknown_name_suggests_close_matches() -> None:
    registry = registry_with(("mlcore-first", "window", Window), ("mlcore-first", "widow", Window))
    with pytest.raises(UnknownComponentError, match=r"did you mean 'window'") as error:
        registry.get("windw")
    assert "registered indicators: widow, window" in str(error.value)
    assert "windw" not in registry


def test_lazy_factory_is_not_imported_until_used() -> None:
    registry: Registry[object] = Registry("models")
    component = registry.add("decoder", "json:JSONDecoder")
    assert component.create().decode("[1]") == [1]
    assert [p["name"] for p in component.parameters()][:2] == ["object_hook", "parse_float"]


def test_lazy_factory_of_a_missing_module_fails_on_use_only() -> None:
    registry: Registry[object] = Registry("models")
    registry.add("ghost", "mlcore_no_such_module:Thing")
    with pytest.raises(ModuleNotFoundError):
        registry.create("ghost")


@pytest.mark.parametrize(
    ("name", "factory", "match"),
    [
        ("a:b", Window, "without ':'"),
        ("", Window, "non-empty"),
        (" pad", Window, "surrounding spaces"),
        ("ok", "no_colon", "package.module:attribute"),
        ("ok", 42, "must be a class"),
    ],
)
def test_invalid_registrations_are_refused(name: str, factory: object, match: str) -> None:
    with pytest.raises(RegistrationError, match=match):
        Registry("indicators").add(name, factory)  # type: ignore[arg-type]


def test_parameters_come_from_attrs_fields_and_signatures() -> None:
    registry: Registry[object] = Registry("indicators")
    registry.add("window", Window)

    def build(alpha: float, beta: int = 2) -> object:
        return (alpha, beta)

    registry.add("built", build)
    assert registry.get("window").parameters() == [
        {"name": "period", "default": "14", "required": False, "type": "int"}
    ]
    assert registry.get("built").parameters() == [
        {"name": "alpha", "default": None, "required": True, "type": "float"},
        {"name": "beta", "default": "2", "required": False, "type": "int"},
    ]
    assert registry.get("window").summary() == "A toy component with one parameter."


def test_ready_made_instances_are_returned_or_evolved() -> None:
    registry: Registry[object] = Registry("metrics")
    registry.add("window14", Window(14))
    assert registry.create("window14") == Window(14)
    assert registry.create("window14", period=3) == Window(3)
    assert registry.get("window14").parameters() == []


def test_snapshot_and_restore_roll_back_registrations() -> None:
    registry = registry_with(("mlcore-first", "window", Window))
    state = registry.snapshot()
    registry.add("extra", Window)
    registry.restore(state)
    assert registry.names() == ["window"]
    assert "local:extra" not in registry


def test_qualified_only_components_never_clash() -> None:
    registry = registry_with(("mlcore-indicators", "rsi", Window))
    with registry.registering_as(Provenance("mlcore-ta", "1.0", "ta")):
        mirrored = registry.add("rsi", lambda: Window(7), qualified_only=True)
    assert registry.get("rsi").distribution == "mlcore-indicators"
    assert registry.get("ta:rsi") is mirrored
    assert registry.names() == ["rsi"]
    assert [c.qualified_name for c in registry] == ["indicators:rsi", "ta:rsi"]
    assert len(registry) == 2
