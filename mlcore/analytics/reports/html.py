"""The HTML tearsheet: one self-contained file with the content of the PDF report.

Charts are inline SVG (their text stays text, so it can be searched and copied), the
style sheet is inline, and nothing is fetched from elsewhere: the file opens offline and
can be mailed or logged as one artifact.
"""

from __future__ import annotations

import io
import os
import re
from html import escape
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

from mlcore._version import __version__
from mlcore.analytics.reports._files import replacing
from mlcore.analytics.reports.artifacts import log_if_tracking
from mlcore.analytics.reports.charts import report_style
from mlcore.analytics.reports.content import Report, as_report
from mlcore.analytics.reports.formatting import format_metric, metric_groups, metric_label
from mlcore.analytics.reports.pages import chart_pages

if TYPE_CHECKING:
    from mlcore.analytics.core import AdvancedAnalytics

__all__ = ["figure_svg", "render_html", "write_html"]

_STYLE: Final = """
body { font-family: "DejaVu Sans", "Helvetica Neue", Arial, sans-serif; color: #222;
       margin: 0 auto; max-width: 1180px; padding: 24px 32px 48px; background: #fff; }
header { border-bottom: 3px solid #1f4e79; margin-bottom: 24px; }
h1 { color: #1f4e79; font-size: 28px; margin: 0 0 6px; }
h2 { color: #1f4e79; font-size: 19px; margin: 32px 0 12px; border-bottom: 1px solid #dde4ec;
     padding-bottom: 4px; }
h3 { color: #1f4e79; font-size: 14px; margin: 0 0 6px; }
.subtitle { color: #555; font-size: 13px; margin: 0 0 14px; }
.groups { display: flex; flex-wrap: wrap; gap: 18px 32px; }
.group { flex: 1 1 320px; }
table { border-collapse: collapse; font-size: 13px; width: 100%; }
th { background: #1f4e79; color: #fff; font-weight: 600; padding: 5px 8px; text-align: left; }
td { padding: 4px 8px; border-bottom: 1px solid #eef1f5; }
td.value { text-align: right; font-family: "DejaVu Sans Mono", Menlo, Consolas, monospace; }
tr:nth-child(even) td { background: #f6f8fb; }
figure { margin: 0 0 18px; }
figure svg { width: 100%; height: auto; }
.notes { color: #555; font-size: 13px; }
footer { color: #888; font-size: 12px; margin-top: 40px; border-top: 1px solid #dde4ec;
         padding-top: 8px; }
"""
_SVG_START: Final = re.compile(r"<svg\b")
_ID_REFERENCE: Final = re.compile(r'(\bid="|href="#|url\(#)')
# The RDF metadata block and the namespace declarations name URIs; an SVG element inside
# HTML needs neither, and without them the page holds no address at all.
_SVG_METADATA: Final = re.compile(r"\s*<metadata>.*?</metadata>", re.DOTALL)
_SVG_NAMESPACES: Final = re.compile(r'\s+xmlns(?::\w+)?="[^"]*"')


def write_html(
    analytics: AdvancedAnalytics | Report,
    path: str | os.PathLike[str],
    *,
    log_artifacts: bool | None = None,
    **options: Any,
) -> Path:
    """Write the HTML tearsheet of ``analytics`` to ``path`` and return the path.

    ``options`` are those of :func:`~mlcore.analytics.reports.content.build_report`;
    ``log_artifacts`` as for :func:`~mlcore.analytics.reports.pdf.write_pdf`.
    """
    report = as_report(analytics, options)
    document = render_html(report)
    target = Path(path)
    with replacing(target) as partial:
        partial.write_text(document, encoding="utf-8")
    log_if_tracking(report, [target], log_artifacts)
    return target


def render_html(report: Report) -> str:
    """The tearsheet of ``report`` as one HTML document."""
    sections = [_summary_section(report)]
    with report_style() as plt:
        for number, (title, draw) in enumerate(chart_pages(report), start=1):
            figure = draw(report)
            try:
                figure.suptitle("")  # the section heading carries the title
                svg = figure_svg(figure, prefix=f"c{number}")
            finally:
                plt.close(figure)
            sections.append(f"<section><h2>{escape(title)}</h2><figure>{svg}</figure></section>")
    if report.notes:
        items = "".join(f"<li>{escape(note)}</li>" for note in report.notes)
        sections.append(f'<section class="notes"><h2>Notes</h2><ul>{items}</ul></section>')
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f'<meta name="generator" content="mlcore {escape(__version__)}">\n'
        f"<title>{escape(report.title)}</title>\n<style>{_STYLE}</style>\n</head>\n<body>\n"
        f"<header><h1>{escape(report.title)}</h1>"
        f'<p class="subtitle">{escape(report.subtitle)}</p></header>\n'
        + "\n".join(sections)
        + f"\n<footer>Generated {report.created:%Y-%m-%d %H:%M} UTC by mlcore "
        f"{escape(__version__)}.</footer>\n</body>\n</html>\n"
    )


def figure_svg(figure: Any, prefix: str) -> str:
    """``figure`` as an inline ``<svg>`` element: no XML prolog, metadata or namespace
    declarations, and every element id (and reference to one) prefixed with ``prefix`` so
    that several charts share one page."""
    buffer = io.StringIO()
    figure.savefig(buffer, format="svg", metadata={"Date": None})
    text = buffer.getvalue()
    start = _SVG_START.search(text)
    svg = text[start.start() :] if start else text
    svg = _SVG_NAMESPACES.sub("", _SVG_METADATA.sub("", svg, count=1))
    return _ID_REFERENCE.sub(lambda match: f"{match.group(1)}{prefix}-", svg)


def _summary_section(report: Report) -> str:
    groups = metric_groups(report.metrics, frozenset(report.plugin_metrics))
    blocks = []
    for title, names in groups.items():
        rows = "".join(
            _row(metric_label(name), name, format_metric(name, report.metrics[name]))
            for name in names
        )
        blocks.append(_group(title, rows))
    if report.key_figures:
        rows = "".join(_row(figure.label, figure.key, figure.text) for figure in report.key_figures)
        blocks.append(_group("Key figures", rows))
    return f'<section><h2>Summary</h2><div class="groups">{"".join(blocks)}</div></section>'


def _group(title: str, rows: str) -> str:
    return f'<div class="group"><h3>{escape(title)}</h3><table>{rows}</table></div>'


def _row(label: str, key: str, text: str) -> str:
    return (
        f"<tr><td>{escape(label)}</td>"
        f'<td class="value" data-key="{escape(key)}">{escape(text)}</td></tr>'
    )
