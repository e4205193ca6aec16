"""The work behind ``mlcore report``: read a file, build the analytics with the config's
``analytics`` conventions, choose the report files, write them, and the summary table.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING

import attrs
import pandas as pd

from mlcore._table import format_table
from mlcore.analytics.reports import write_reports
from mlcore.analytics.reports.content import Report, build_report
from mlcore.analytics.reports.formatting import format_metric, metric_groups, metric_label
from mlcore.analytics.reports.inputs import PerformanceData, read_benchmark, read_performance_file
from mlcore.errors import ConfigError

if TYPE_CHECKING:
    from mlcore.analytics.core import AdvancedAnalytics
    from mlcore.config import MlcoreConfig
    from mlcore.host import PluginHost

__all__ = ["ReportRun", "analytics_from_data", "choose_report_paths", "metrics_table", "run_report"]

ALL_FORMATS = ("pdf", "xlsx", "html")


@attrs.frozen
class ReportRun:
    """What ``mlcore report`` did: the input's kind, the report, and the files written."""

    kind: str
    report: Report = attrs.field(eq=False)
    written: dict[str, Path]


def run_report(
    data_path: Path,
    config: MlcoreConfig,
    *,
    host: PluginHost | None = None,
    benchmark_path: Path | None = None,
    paths: Mapping[str, Path | None] | None = None,
    out_dir: Path | None = None,
) -> ReportRun:
    """Read ``data_path``, compute its report with ``config.analytics`` and write the
    report files :func:`choose_report_paths` picks."""
    data = read_performance_file(data_path)
    benchmark = _benchmark(config, benchmark_path)
    analytics = analytics_from_data(data, config, host=host, benchmark=benchmark)
    report = build_report(
        analytics,
        title=f"Performance report: {data_path.name}",
        simulations=config.analytics.monte_carlo_simulations,
    )
    targets = choose_report_paths(data_path, config, paths or {}, out_dir)
    written = write_reports(report, targets) if targets else {}
    return ReportRun(kind=data.kind, report=report, written=written)


def analytics_from_data(
    data: PerformanceData,
    config: MlcoreConfig,
    *,
    host: PluginHost | None = None,
    benchmark: pd.Series | None = None,
) -> AdvancedAnalytics:
    """An :class:`AdvancedAnalytics` with the config's conventions holding ``data``."""
    from mlcore.analytics import AdvancedAnalytics

    analytics = AdvancedAnalytics.from_config(config, host=host)
    if data.trades is not None:
        analytics.add_trades(data.trades)
    elif data.series is not None and data.kind == "equity":
        analytics.add_equity(data.series)
    elif data.series is not None:
        analytics.add_returns(data.series)
    if benchmark is not None:
        analytics.add_benchmark(benchmark)
    return analytics


def _benchmark(config: MlcoreConfig, path: Path | None) -> pd.Series | None:
    if path is not None:
        return read_benchmark(path)
    named = config.analytics.benchmark
    if named is None:
        return None
    if not Path(named).is_file():
        raise ConfigError(
            f"{named!r} is not a file; mlcore report reads the benchmark from a CSV or "
            "Parquet file of returns or prices: set the key to its path or pass --benchmark",
            key_path="analytics.benchmark",
        )
    return read_benchmark(Path(named))


def choose_report_paths(
    data_path: Path,
    config: MlcoreConfig,
    paths: Mapping[str, Path | None],
    out_dir: Path | None,
) -> dict[str, Path]:
    """The files to write, by format.

    Paths given explicitly (``--pdf``...) are written. ``out_dir`` adds the formats of
    ``analytics.reports`` (all three when it is empty) not given explicitly, each named
    after the input (``trades.csv`` -> ``DIR/trades.pdf``). With neither, the formats of
    ``analytics.reports`` go to ``analytics.output_dir``; when that list is empty nothing
    is written.
    """
    chosen = {kind: Path(path) for kind, path in paths.items() if path is not None}
    configured = list(config.analytics.reports)
    if out_dir is not None:
        formats, directory = configured or list(ALL_FORMATS), out_dir
    elif not chosen:
        formats, directory = configured, Path(config.analytics.output_dir)
    else:
        formats, directory = [], Path()
    for kind in formats:
        chosen.setdefault(kind, directory / f"{data_path.stem}.{kind}")
    return chosen


def metrics_table(report: Report) -> str:
    """The metrics as a plain-text table: group, metric, value."""
    rows = [
        [group, metric_label(name), format_metric(name, report.metrics[name])]
        for group, names in metric_groups(report.metrics, frozenset(report.plugin_metrics)).items()
        for name in names
    ]
    return format_table(rows, ["group", "metric", "value"])
