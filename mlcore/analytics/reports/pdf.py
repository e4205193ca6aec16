"""The PDF performance report: a summary page of metrics, then one page per chart group."""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mlcore._version import __version__
from mlcore.analytics.reports._files import replacing
from mlcore.analytics.reports.artifacts import log_if_tracking
from mlcore.analytics.reports.charts import report_style
from mlcore.analytics.reports.content import Report, as_report
from mlcore.analytics.reports.pages import chart_pages, summary_page

if TYPE_CHECKING:
    from mlcore.analytics.core import AdvancedAnalytics

__all__ = ["write_pdf"]


def write_pdf(
    analytics: AdvancedAnalytics | Report,
    path: str | os.PathLike[str],
    *,
    log_artifacts: bool | None = None,
    **options: Any,
) -> Path:
    """Write the PDF report of ``analytics`` to ``path`` and return the path.

    Pages: the summary (metrics by group, conventions, notes), performance (equity curve
    against the benchmark, underwater chart, worst drawdowns), calendar returns (monthly
    heatmap, annual returns), risk (return distribution with VaR and CVaR, rolling
    Sharpe), the Monte Carlo fan chart with the distributions of final return and maximum
    drawdown, the trades (P&L histogram, cumulative P&L) when there are trades, and the
    regime-shaded price chart when ``prices`` and ``regimes`` are given. ``options`` are
    those of :func:`~mlcore.analytics.reports.content.build_report`. The file's metadata
    holds the title, the creation time and the mlcore version.

    ``log_artifacts``: None logs the report and its inputs to the active MLflow run when
    there is one; True requires one; False never logs.
    """
    report = as_report(analytics, options)
    target = Path(path)
    with report_style() as plt, replacing(target) as partial:
        from matplotlib.backends.backend_pdf import PdfPages

        with PdfPages(partial, metadata=_metadata(report)) as document:
            for page in (summary_page, *(draw for _, draw in chart_pages(report))):
                figure = page(report)
                try:
                    document.savefig(figure)
                finally:
                    plt.close(figure)
    log_if_tracking(report, [target], log_artifacts)
    return target


def _metadata(report: Report) -> dict[str, Any]:
    return {
        "Title": report.title,
        "Author": "mlcore",
        "Subject": report.subtitle,
        "Keywords": "performance report, mlcore",
        "Creator": f"mlcore {__version__}",
        "CreationDate": report.created,
    }
