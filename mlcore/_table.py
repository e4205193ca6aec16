"""Plain-text tables for the command line."""

from __future__ import annotations

from collections.abc import Sequence
from numbers import Number


def format_table(rows: Sequence[Sequence[object]], headers: Sequence[str]) -> str:
    """Columns padded to their widest cell; numbers right-aligned, floats to 4 digits."""
    body = [[_cell(v) for v in row] for row in rows]
    numeric = [
        bool(rows)
        and all(isinstance(row[i], Number) and not isinstance(row[i], bool) for row in rows)
        for i in range(len(headers))
    ]
    cells = [list(headers), *body]
    widths = [max(len(row[i]) for row in cells) for i in range(len(headers))]

    def line(row: Sequence[str]) -> str:
        parts = [
            value.rjust(width) if right else value.ljust(width)
            for value, width, right in zip(row, widths, numeric, strict=True)
        ]
        return "  ".join(parts).rstrip()

    return "\n".join([line(cells[0]), "  ".join("-" * w for w in widths), *map(line, body)])


def _cell(value: object) -> str:
    if isinstance(value, float):
        return f"{value:.4g}"
    return str(value)
