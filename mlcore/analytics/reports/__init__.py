"""Performance reports: a PDF report, an Excel workbook and a self-contained HTML
tearsheet, from one :class:`~mlcore.analytics.AdvancedAnalytics`.

:func:`build_report` computes what the reports show once; :func:`write_pdf`,
:func:`write_excel` and :func:`write_html` write one format each (from an analytics object
or a built :class:`Report`), and :func:`write_reports` writes several from one build. While
an MLflow run is active, every report and its inputs are logged to it as artifacts.
matplotlib and openpyxl (the ``mlcore[reports]`` extra) are imported only when a report is
written. ``docs/reports.md`` is the user guide.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

from mlcore.analytics.reports.artifacts import log_if_tracking, log_report_artifacts
from mlcore.analytics.reports.content import Report, as_report, build_report
from mlcore.analytics.reports.excel import write_excel
from mlcore.analytics.reports.html import write_html
from mlcore.analytics.reports.pdf import write_pdf

if TYPE_CHECKING:
    from mlcore.analytics.core import AdvancedAnalytics

__all__ = [
    "FORMATS",
    "Report",
    "build_report",
    "log_report_artifacts",
    "report_paths",
    "write_excel",
    "write_html",
    "write_pdf",
    "write_reports",
]

#: Report format -> writer; the format is also the file suffix.
FORMATS: Final[Mapping[str, Callable[..., Path]]] = {
    "pdf": write_pdf,
    "xlsx": write_excel,
    "html": write_html,
}


def write_reports(
    analytics: AdvancedAnalytics | Report,
    paths: Mapping[str, str | os.PathLike[str]],
    *,
    log_artifacts: bool | None = None,
    **options: Any,
) -> dict[str, Path]:
    """Write several reports from one build: ``paths`` maps a format (``pdf``, ``xlsx``,
    ``html``) to its file. Returns the same mapping with the paths written.

    The report is computed once (one Monte Carlo simulation for all formats) and, while
    an MLflow run is active, logged once with its inputs (``log_artifacts`` as for
    :func:`write_pdf`).
    """
    unknown = sorted(set(paths) - set(FORMATS))
    if unknown:
        raise ValueError(f"unknown report format(s) {unknown}; use {sorted(FORMATS)}")
    report = as_report(analytics, options)
    written = {
        kind: FORMATS[kind](report, path, log_artifacts=False) for kind, path in paths.items()
    }
    log_if_tracking(report, written.values(), log_artifacts)
    return written


def report_paths(
    directory: str | os.PathLike[str], stem: str, formats: Iterable[str]
) -> dict[str, Path]:
    """``{format: directory / f"{stem}.{format}"}`` for each format."""
    return {kind: Path(directory) / f"{stem}.{kind}" for kind in formats}
