"""Google Trends' explore and interest-over-time responses, parsed into interest points.

Both endpoints answer with JSON behind an anti-XSSI first line (``)]}'`` or ``)]}',``).
``/trends/api/explore`` lists widgets, each with a ``request`` and a ``token``; the
``TIMESERIES`` widget's pair is what ``/trends/api/widgetdata/multiline`` takes. That
answer's ``default.timelineData[]`` holds one point per period: ``time`` (unix seconds,
the period's start), ``value[]`` and ``hasData[]`` (one per keyword) and ``isPartial``
on a period that has not ended yet.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Mapping, Sequence
from typing import Any

import attrs
import pandas as pd
from mlcore.errors import SentimentSourceError

__all__ = [
    "SOURCE",
    "TrendPoint",
    "period_length",
    "parse_interest_over_time",
    "parse_timeseries_widget",
    "strip_xssi_prefix",
]

SOURCE = "trends"
XSSI_PREFIX = ")]}'"

#: Google's granularity for a custom time range: up to 7 days hourly, up to 269 days
#: daily, up to about 5 years weekly, monthly beyond.
_GRANULARITY = (
    (pd.Timedelta(days=7), pd.Timedelta(hours=1)),
    (pd.Timedelta(days=269), pd.Timedelta(days=1)),
    (pd.Timedelta(days=5 * 365 + 1), pd.Timedelta(days=7)),
)


@attrs.frozen
class TrendPoint:
    """Search interest (0-100) for one keyword over one period.

    ``interest`` is relative to the busiest period of the requested window (100). The
    value is known once the period is over, so ``period_end`` is its publication time.
    ``partial`` periods had not ended when Google answered; their values change later.
    """

    keyword: str
    period_start: pd.Timestamp
    period_end: pd.Timestamp
    interest: float
    partial: bool


def strip_xssi_prefix(body: str) -> str:
    """The JSON text after Google's anti-XSSI first line, or ``body`` if it has none."""
    if not body.startswith(XSSI_PREFIX):
        return body
    newline = body.find("\n")
    if newline >= 0:
        return body[newline + 1 :]
    return body[len(XSSI_PREFIX) :].removeprefix(",")


def _load(body: str, endpoint: str) -> Any:
    try:
        return json.loads(strip_xssi_prefix(body))
    except json.JSONDecodeError as error:
        raise SentimentSourceError(
            SOURCE,
            f"{endpoint} answered with malformed JSON ({error.msg} at character "
            f"{error.pos}); Google may have served an error or consent page: check base_url",
        ) from None


def _malformed(endpoint: str, path: str, expected: str) -> SentimentSourceError:
    return SentimentSourceError(
        SOURCE, f"{endpoint} answer: '{path}' is missing or not {expected}; the format changed?"
    )


def parse_timeseries_widget(body: str) -> tuple[dict[str, Any], str]:
    """The ``(request, token)`` of the interest-over-time widget in an explore answer."""
    endpoint = "/trends/api/explore"
    payload = _load(body, endpoint)
    widgets = payload.get("widgets") if isinstance(payload, Mapping) else None
    if not isinstance(widgets, list):
        raise _malformed(endpoint, "widgets", "a list")
    for index, widget in enumerate(widgets):
        if isinstance(widget, Mapping) and widget.get("id") == "TIMESERIES":
            request, token = widget.get("request"), widget.get("token")
            if not isinstance(request, Mapping):
                raise _malformed(endpoint, f"widgets[{index}].request", "an object")
            if not isinstance(token, str) or not token:
                raise _malformed(endpoint, f"widgets[{index}].token", "a non-empty string")
            return dict(request), token
    ids = [w.get("id") for w in widgets if isinstance(w, Mapping)]
    raise SentimentSourceError(
        SOURCE,
        f"{endpoint} answer has no TIMESERIES widget (widgets: {ids}); "
        "the keyword may be too rare for Google Trends to chart",
    )


def period_length(times: Sequence[pd.Timestamp], window: pd.Timedelta) -> pd.Timedelta:
    """The length of one period: the smallest step between points, or, for a single
    point, Google's granularity for a window of that length."""
    steps = [later - earlier for earlier, later in itertools.pairwise(times)]
    if steps:
        return min(steps)
    for longest, step in _GRANULARITY:
        if window <= longest:
            return step
    return pd.Timedelta(days=30)


def _point_start(point: Mapping[str, Any], path: str, endpoint: str) -> pd.Timestamp:
    try:
        return pd.Timestamp(int(point["time"]), unit="s", tz="UTC")
    except (KeyError, TypeError, ValueError):
        raise _malformed(endpoint, f"{path}.time", "unix seconds") from None


def _keyword_values(
    point: Mapping[str, Any], keywords: Sequence[str], path: str, endpoint: str
) -> list[float | None]:
    values, has_data = point.get("value"), point.get("hasData", [True] * len(keywords))
    if not isinstance(values, list) or len(values) != len(keywords):
        raise _malformed(endpoint, f"{path}.value", f"a list of {len(keywords)} numbers")
    if not isinstance(has_data, list) or len(has_data) != len(keywords):
        raise _malformed(endpoint, f"{path}.hasData", f"a list of {len(keywords)} booleans")
    parsed: list[float | None] = []
    for index, (value, present) in enumerate(zip(values, has_data, strict=True)):
        if not isinstance(value, int | float) or isinstance(value, bool):
            raise _malformed(endpoint, f"{path}.value[{index}]", "a number")
        # hasData false means Google has no data for the period: missing, not zero.
        parsed.append(float(value) if present else None)
    return parsed


def parse_interest_over_time(
    body: str, keywords: Sequence[str], window: pd.Timedelta
) -> list[TrendPoint]:
    """The points of a ``widgetdata/multiline`` answer, one per keyword and period.

    Periods without data for a keyword (``hasData`` false) give no point for it.
    ``window`` is the requested time range, used for the period length of a lone point.
    """
    endpoint = "/trends/api/widgetdata/multiline"
    payload = _load(body, endpoint)
    default = payload.get("default") if isinstance(payload, Mapping) else None
    timeline = default.get("timelineData") if isinstance(default, Mapping) else None
    if not isinstance(timeline, list):
        raise _malformed(endpoint, "default.timelineData", "a list")
    rows = []
    for index, point in enumerate(timeline):
        path = f"default.timelineData[{index}]"
        if not isinstance(point, Mapping):
            raise _malformed(endpoint, path, "an object")
        start = _point_start(point, path, endpoint)
        values = _keyword_values(point, keywords, path, endpoint)
        rows.append((start, values, bool(point.get("isPartial", False))))
    length = period_length([start for start, _, _ in rows], window)
    return [
        TrendPoint(keyword, start, start + length, value, partial)
        for start, values, partial in rows
        for keyword, value in zip(keywords, values, strict=True)
        if value is not None
    ]
