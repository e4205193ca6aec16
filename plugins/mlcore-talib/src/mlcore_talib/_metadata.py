"""TA-Lib's function metadata, the shape of the static catalog, and what is not exposed.

:mod:`._catalog` is generated from the installed TA-Lib by ``scripts/generate_catalog.py``
(with :func:`read_installed` and :func:`render_catalog`) and committed, so that the plugin
registers every function without importing TA-Lib while mlcore starts. A test checks that
the catalog still equals the installed TA-Lib's metadata.
"""

from __future__ import annotations

import importlib
import json
from collections.abc import Iterable, Mapping
from typing import Any, NamedTuple

__all__ = [
    "EXCLUDED_FUNCTIONS",
    "EXCLUDED_GROUPS",
    "FAMILIES",
    "Parameter",
    "TalibFunction",
    "exclusion_reason",
    "read_installed",
    "render_catalog",
]


class Parameter(NamedTuple):
    """An optional input of a TA-Lib function: its name, default and TA-Lib's help text."""

    name: str
    default: int | float
    help: str


class TalibFunction(NamedTuple):
    """One TA-Lib function as ``talib.abstract`` describes it."""

    name: str  # TA-Lib's name: "RSI", "CDLDOJI"
    group: str  # TA-Lib's group: "Momentum Indicators"
    display_name: str
    inputs: tuple[str, ...]  # OHLCV columns, in the order the function takes them
    parameters: tuple[Parameter, ...]
    outputs: tuple[str, ...]
    flags: tuple[str, ...]  # TA-Lib's function flags ("Function has an unstable period")

    @property
    def family(self) -> str:
        return FAMILIES[self.group]

    @property
    def registered_name(self) -> str:
        """The name under which it resolves as ``talib:<name>``: ``rsi``, ``cdldoji``."""
        return self.name.lower()

    @property
    def wrapper_name(self) -> str:
        """The class in :mod:`mlcore_talib.indicators`: ``TalibRSI``."""
        return f"Talib{self.name}"


#: TA-Lib group -> mlcore family of the functions it holds.
FAMILIES: Mapping[str, str] = {
    "Pattern Recognition": "pattern",
    "Overlap Studies": "trend",
    "Momentum Indicators": "momentum",
    "Volume Indicators": "volume",
    "Volatility Indicators": "volatility",
    "Cycle Indicators": "cycle",
    "Price Transform": "price",
    "Statistic Functions": "statistic",
}

#: Groups not exposed, and why.
EXCLUDED_GROUPS: Mapping[str, str] = {
    "Math Operators": (
        "element-wise arithmetic of two series (ADD, SUB, MULT, DIV), rolling MAX/MIN/SUM "
        "that numpy and pandas do directly, and *INDEX functions that return positions in "
        "the array (they change with where the data starts): not features"
    ),
    "Math Transform": (
        "element-wise functions of the close (SIN, COS, LN, SQRT, CEIL, ...): numpy ufuncs, "
        "and meaningless on a price level"
    ),
}

#: Functions of the exposed groups that are not exposed, and why.
EXCLUDED_FUNCTIONS: Mapping[str, str] = {
    "MAVP": (
        "a moving average whose period is a second per-bar input series ('periods'), which "
        "no OHLCV frame has"
    ),
}


def exclusion_reason(function: TalibFunction) -> str | None:
    """Why ``function`` is not exposed, or None when it is."""
    return EXCLUDED_FUNCTIONS.get(function.name) or EXCLUDED_GROUPS.get(function.group)


def read_installed() -> tuple[TalibFunction, ...]:
    """Every function of the installed TA-Lib, by group (TA-Lib's order), then name."""
    # TA-Lib ships no type information: its modules are used as Any.
    talib: Any = importlib.import_module("talib")
    ta_lib: Any = importlib.import_module("talib._ta_lib")
    abstract: Any = importlib.import_module("talib.abstract")

    functions = []
    for group, names in talib.get_function_groups().items():
        for name in sorted(names):
            info = abstract.Function(name).info
            helps = {
                str(item["name"]): str(item["help"])
                for item in (
                    ta_lib._ta_getOptInputParameterInfo(name.encode(), i)
                    for i in range(len(info["parameters"]))
                )
            }
            functions.append(
                TalibFunction(
                    name=name,
                    group=group,
                    display_name=str(info["display_name"]),
                    inputs=tuple(_flatten(info["input_names"].values())),
                    parameters=tuple(
                        Parameter(str(key), value, helps.get(str(key), ""))
                        for key, value in info["parameters"].items()
                    ),
                    outputs=tuple(str(output) for output in info["output_names"]),
                    flags=tuple(str(flag) for flag in info["function_flags"] or ()),
                )
            )
    return tuple(functions)


def _flatten(values: Iterable[str | list[str]]) -> list[str]:
    flat: list[str] = []
    for value in values:
        flat.extend([value] if isinstance(value, str) else value)
    return flat


def render_catalog(functions: Iterable[TalibFunction], talib_version: str) -> str:
    """The source of :mod:`._catalog` for ``functions``."""
    lines = [
        f'"""TA-Lib {talib_version} function metadata, generated by scripts/generate_catalog.py.',
        "",
        "Do not edit: run ``python plugins/mlcore-talib/scripts/generate_catalog.py`` after a",
        "TA-Lib upgrade. ``tests/test_talib_catalog.py`` fails while this file is out of date.",
        '"""',
        "",
        "# ruff: noqa: E501",
        "from mlcore_talib._metadata import Parameter as P",
        "from mlcore_talib._metadata import TalibFunction as F",
        "",
        '__all__ = ["FUNCTIONS", "TALIB_VERSION"]',
        "",
        f"TALIB_VERSION = {_literal(talib_version)}",
        "",
        "# fmt: off",
        "FUNCTIONS: tuple[F, ...] = (",
    ]
    for function in functions:
        parameters = " ".join(
            f"P({_literal(p.name)}, {p.default!r}, {_literal(p.help)}),"
            for p in function.parameters
        )
        lines += [
            "    F(",
            f"        {_literal(function.name)}, {_literal(function.group)}, "
            f"{_literal(function.display_name)},",
            f"        {_literal(function.inputs)},",
            f"        ({parameters}),",
            f"        {_literal(function.outputs)},",
            f"        {_literal(function.flags)},",
            "    ),",
        ]
    lines += [")", "# fmt: on", ""]
    return "\n".join(lines)


def _literal(value: str | tuple[str, ...]) -> str:
    """A Python literal with double quotes, as ruff format writes them."""
    if isinstance(value, str):
        return json.dumps(value)
    items = ", ".join(json.dumps(item) for item in value)
    return f"({items},)" if len(value) == 1 else f"({items})"
