"""How analytics errors name a row: its position counted from 1, then its label.

Every message that points at a row says ``row N``, N counted from 1, so the first row is
``row 1``; a file's data rows count the same way from the line after the header, so row N
of a file that ``mlcore report`` reads is row N in every message about it. Where the row
has a label worth showing, the label follows in parentheses: the time of a series
(``row 8 (2024-01-10 00:00:00+00:00)``) or the index label of a frame
(``row 2 (index 'T-17')``). A frame on a plain 0, 1, 2... index has no such label.

``AnalyticsError.row`` holds what identifies the row best: its label where it has one,
else its number N. :func:`row_error` builds such an error, and :func:`first_bad` finds the
row it is about.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import numpy.typing as npt
import pandas as pd

from mlcore.errors import AnalyticsError

__all__ = ["first_bad", "row_error", "row_key", "row_text", "rows_text"]

_SHOWN = 3


def _label(index: pd.Index, position: int) -> object | None:
    if _is_plain(index):
        return None
    label: object = index[position]
    return None if label is pd.NaT else label


def _is_plain(index: pd.Index) -> bool:
    """Whether ``index`` is 0, 1, 2...: its labels only repeat the positions."""
    return isinstance(index, pd.RangeIndex) and index.start == 0 and index.step == 1


def row_text(index: pd.Index, position: int) -> str:
    """``row N`` for the row at ``position`` (from 0) of ``index``, with its label."""
    label = _label(index, position)
    if label is None:
        return f"row {position + 1}"
    shown = label if isinstance(label, pd.Timestamp) else f"index {label!r}"
    return f"row {position + 1} ({shown})"


def rows_text(index: pd.Index, positions: Sequence[int] | npt.NDArray[np.intp]) -> str:
    """The first few rows at ``positions``, as :func:`row_text` names them."""
    named = [row_text(index, int(position)) for position in positions[:_SHOWN]]
    more = f" and {len(positions) - _SHOWN} more" if len(positions) > _SHOWN else ""
    return ", ".join(named) + more


def row_key(index: pd.Index, position: int) -> object:
    """The row's label, or its number counted from 1 when it has none."""
    label = _label(index, position)
    return position + 1 if label is None else label


def first_bad(mask: npt.ArrayLike) -> int | None:
    """The position of the first true value of ``mask``, or None when there is none."""
    positions = np.flatnonzero(mask)
    return int(positions[0]) if positions.size else None


def row_error(
    message: str,
    index: pd.Index,
    rows: int | Sequence[int] | npt.NDArray[np.intp],
    *,
    column: str | None = None,
) -> AnalyticsError:
    """An :class:`~mlcore.errors.AnalyticsError` about the row at position ``rows`` of
    ``index``, or about the rows at several positions.

    Each ``{row}`` in ``message`` becomes the row's name (:func:`row_text`), or the first
    few rows' (:func:`rows_text`); write it ``{{row}}`` inside an f-string. The error's
    ``row`` is the (first) row's :func:`row_key`, its ``column`` is ``column``.
    """
    if isinstance(rows, int | np.integer):
        named, first = row_text(index, int(rows)), int(rows)
    else:
        named, first = rows_text(index, rows), int(rows[0])
    return AnalyticsError(message.replace("{row}", named), column=column, row=row_key(index, first))
