"""The ``mlcore`` command."""

from __future__ import annotations

import json
import os
import sys
import time
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from mlcore._table import format_table
from mlcore._version import __version__
from mlcore.config import MlcoreConfig, dump_config, load_config
from mlcore.errors import MlcoreError, PluginLoadError
from mlcore.host import KINDS, PluginHost

F = TypeVar("F", bound=Callable[..., Any])


def config_option(function: F) -> F:
    """``--config FILE``: the YAML configuration (default: the built-in defaults)."""
    return click.option(
        "--config",
        "-c",
        "config_path",
        type=click.Path(exists=True, dir_okay=False, path_type=Path),
        envvar="MLCORE_CONFIG",
        help="YAML configuration file (env MLCORE_CONFIG).",
    )(function)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "--version", "-V", prog_name="mlcore")
def main() -> None:
    """mlcore: features, models, regimes, sentiment and reports for trading, from plugins."""


# ---------------------------------------------------------------------------
# plugins and components
# ---------------------------------------------------------------------------


@main.command()
@config_option
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
def plugins(config_path: Path | None, as_json: bool) -> None:
    """List installed plugins, their hooks, components and load failures.

    Exits non-zero only when strict mode is on and a plugin failed to load.
    """
    host, error = _load_host(config_path)
    description = host.describe()
    if as_json:
        click.echo(json.dumps(description, indent=2))
    else:
        _print_plugins(description)
    if error is not None:
        click.echo(f"error: {error}", err=True)
        sys.exit(1)


def _print_plugins(description: dict[str, Any]) -> None:
    rows = []
    for plugin in description["plugins"]:
        counts = ", ".join(f"{len(v)} {k}" for k, v in plugin["components"].items()) or "-"
        rows.append([plugin["distribution"], plugin["version"], plugin["entry_point"], counts])
    click.echo(format_table(rows, ["distribution", "version", "entry point", "components"]))
    for failure in description["failures"]:
        click.secho(
            f"FAILED {failure['distribution']} {failure['version']} "
            f"({failure['entry_point']}, {failure['stage']}): {failure['cause']}",
            fg="red",
        )
    for skipped in description["skipped"]:
        click.echo(
            f"skipped {skipped['distribution']} ({skipped['entry_point']}): {skipped['reason']}"
        )


@main.command()
@click.argument("kind", required=False, type=click.Choice(KINDS))
@config_option
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
def components(kind: str | None, config_path: Path | None, as_json: bool) -> None:
    """List registered components (of one KIND) with description, parameters and provenance."""
    host, _ = _load_host(config_path)
    kinds = [kind] if kind else list(KINDS)
    listing = {k: [_describe_component(c) for c in host.registry(k)] for k in kinds}
    if as_json:
        click.echo(json.dumps(listing if kind is None else listing[kind], indent=2))
        return
    for name in kinds:
        with_family = name == "indicators"
        rows = [
            [
                c["name"],
                *([c["family"] or "?"] if with_family else []),
                c["qualified_name"],
                c["distribution"],
                _format_parameters(c),
                c["description"],
            ]
            for c in listing[name]
        ]
        headers = ["name", "qualified", "distribution", "parameters", "description"]
        if with_family:
            headers.insert(1, "family")
        click.secho(f"{name} ({len(rows)})", bold=True)
        if rows:
            click.echo(format_table(rows, headers))


def _describe_component(component: Any) -> dict[str, Any]:
    try:
        parameters: list[dict[str, Any]] | str = component.parameters()
    except Exception as error:  # a lazy factory that fails to import is listed, not fatal
        parameters = f"unavailable: {type(error).__name__}: {error}"
    description = {
        "name": component.name,
        "qualified_name": component.qualified_name,
        "aliases": list(component.aliases),
        "description": component.summary(),
        "tags": sorted(component.tags),
        "distribution": component.provenance.distribution,
        "version": component.provenance.version,
        "entry_point": component.provenance.plugin,
        "parameters": parameters,
    }
    if component.kind == "indicators":
        description["family"] = _indicator_family(component)
    return description


def _indicator_family(component: Any) -> str | None:
    """The ``family`` ClassVar of the indicator's class; None when it cannot be imported."""
    try:
        factory = component.load()
    except Exception:  # listed as unavailable by its parameters, not fatal
        return None
    cls = factory if isinstance(factory, type) else type(factory)
    family = getattr(cls, "family", None)
    return family if isinstance(family, str) else None


def _format_parameters(component: dict[str, Any]) -> str:
    parameters = component["parameters"]
    if isinstance(parameters, str):
        return parameters
    return ", ".join(
        p["name"] if p["required"] else f"{p['name']}={p['default']}" for p in parameters
    )


# ---------------------------------------------------------------------------
# features
# ---------------------------------------------------------------------------


class _FitBars(click.ParamType[int | str]):
    """A number of bars (at least 1) or ``all``."""

    name = "N|all"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        if isinstance(value, int) or value == "all":
            return value
        text = str(value).strip().lower()
        if text == "all":
            return text
        if not text.isdigit() or int(text) < 1:
            self.fail(f"{value!r} is neither a number of bars (at least 1) nor 'all'", param, ctx)
        return int(text)


@main.command()
@click.argument("data", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@config_option
@click.option(
    "--out",
    "-o",
    "out",
    required=True,
    type=click.Path(dir_okay=False, writable=True, path_type=Path),
    help="Output file: .parquet (or .pq) or .csv.",
)
@click.option("--strict", is_flag=True, help="Fail when an indicator fails instead of skipping it.")
@click.option(
    "--sentiment-items",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Item file from `mlcore sentiment fetch`: add the sentiment columns from it "
    "(turns sentiment on).",
)
@click.option(
    "--fit-bars",
    type=_FitBars(),
    help="Fit the regime detector on the first N bars and add its filtered probabilities "
    "(needs regimes.enabled); 'all' fits on every bar, for analysis only.",
)
def features(
    data: Path,
    config_path: Path | None,
    out: Path,
    strict: bool,
    sentiment_items: Path | None,
    fit_bars: int | str | None,
) -> None:
    """Compute the features of the OHLCV bars in DATA (CSV or Parquet) and write them to OUT.

    The indicators come from the config's `features` section (the default set when it
    names none); a progress bar runs on stderr. With `sentiment.enabled` (or
    --sentiment-items) the sentiment columns follow, aligned point-in-time: from
    --sentiment-items, else `sentiment.items_path`, else collected from `sentiment.sources`.

    With `regimes.enabled` and `regimes.as_features`, the regime columns (`regime_p_bull`,
    ...) need a training window for the detector: --fit-bars N fits it on the first N bars
    and adds its FILTERED probabilities for every bar (row t uses bars up to t). Without
    --fit-bars they are left out, with a notice. --fit-bars all fits on every bar, so every
    row's probabilities come from a fit that saw later bars: for analysis, not backtests.
    """
    from mlcore.data import load_ohlcv
    from mlcore.features import FeatureEngineeringPipeline

    writer = _feature_writer(out)
    cfg = _read_config(config_path)
    sentiment = cfg.sentiment
    if sentiment_items is not None:
        import attrs

        sentiment = attrs.evolve(sentiment, enabled=True)
    host, error = _load_host_from(cfg)
    if error is not None:
        raise click.ClickException(str(error))
    wants_regimes = cfg.regimes.enabled and cfg.regimes.as_features
    if fit_bars is not None and not wants_regimes:
        raise click.BadParameter(
            "fits the regime detector, but the config's regimes.enabled or "
            "regimes.as_features is false; turn both on, or drop --fit-bars",
            param_hint="'--fit-bars'",
        )
    started = time.perf_counter()
    try:
        ohlcv = load_ohlcv(data, policy=cfg.data.policy)  # type: ignore[arg-type]
    except (MlcoreError, OSError) as failure:
        raise click.ClickException(f"{data}: {failure}") from failure
    if isinstance(fit_bars, int) and fit_bars > len(ohlcv):
        raise click.BadParameter(
            f"{fit_bars} is more than the {len(ohlcv)} bars in {data}", param_hint="'--fit-bars'"
        )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # failures are reported below, once each
        try:
            pipeline = FeatureEngineeringPipeline(
                cfg.features,
                host=host,
                strict=strict,
                sentiment=sentiment,
                sentiment_items=sentiment_items,
            )
            total = len(pipeline.resolved_indicators) * (1 + len(pipeline.timeframes))
            with click.progressbar(
                length=total,
                label="indicators",
                file=sys.stderr,
                item_show_func=lambda label: label,
            ) as bar:

                def advance(done: int, _total: int, label: str) -> None:
                    bar.update(done - bar.pos, label or None)

                pipeline.progress = advance
                frame = pipeline.generate_features(ohlcv)
        except MlcoreError as failure:
            raise click.ClickException(str(failure)) from failure
    for skipped in pipeline.failures:
        click.secho(f"skipped: {skipped}", fg="yellow", err=True)
    for failed in pipeline.sentiment_failures:
        click.secho(f"sentiment source failed: {failed}", fg="yellow", err=True)
    if fit_bars is not None:
        frame = _with_regime_features(frame, ohlcv, cfg, host, fit_bars)
    elif wants_regimes:
        click.secho(
            "regime columns left out: they need a training window for the detector; "
            "add --fit-bars N to fit it on the first N bars (or --fit-bars all, analysis only)",
            fg="yellow",
            err=True,
        )
    try:
        writer(frame)
    except (OSError, ImportError) as failure:
        raise click.ClickException(f"cannot write {out}: {failure}") from failure
    seconds = time.perf_counter() - started
    click.echo(
        f"{frame.shape[0]} rows x {frame.shape[1]} columns written to {out} in {seconds:.2f} s"
    )


def _with_regime_features(
    frame: Any, ohlcv: Any, cfg: MlcoreConfig, host: PluginHost, fit_bars: int | str
) -> Any:
    """``frame`` followed by the filtered probabilities of the detector fit on the first
    ``fit_bars`` bars (``all``: every bar)."""
    from mlcore.features import RegimeFeatures

    n = len(ohlcv) if fit_bars == "all" else int(fit_bars)
    name = cfg.regimes.detector
    click.echo(f"fitting regime detector {name} on {n} of {len(ohlcv)} bars", err=True)
    try:
        regimes = RegimeFeatures(cfg.regimes, host.regime_detectors).fit(ohlcv.iloc[:n])
        return regimes.add_to(frame, ohlcv)
    except MlcoreError as failure:
        raise click.ClickException(str(failure)) from failure
    except ValueError as failure:
        raise click.ClickException(f"regime detector {name!r}: {failure}") from failure


def _feature_writer(out: Path) -> Callable[[Any], None]:
    name = out.name.lower()
    if name.endswith((".parquet", ".pq")):
        return lambda frame: frame.to_parquet(out)
    if name.endswith(".csv"):
        return lambda frame: frame.to_csv(out, index_label="timestamp")
    raise click.BadParameter(
        f"{out} ends in neither .parquet, .pq nor .csv; name the output file with one",
        param_hint="'--out'",
    )


# ---------------------------------------------------------------------------
# regimes
# ---------------------------------------------------------------------------


@main.command()
@click.argument("data", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@config_option
@click.option(
    "--out",
    "-o",
    "out",
    required=True,
    type=click.Path(dir_okay=False, writable=True, path_type=Path),
    help="Output file: .parquet (or .pq) or .csv.",
)
@click.option(
    "--chart",
    type=click.Path(dir_okay=False, writable=True, path_type=Path),
    help="PNG of the close shaded by regime (default: OUT with a .png suffix).",
)
@click.option(
    "--fit-bars",
    type=click.IntRange(min=1),
    help="Fit the detector on the first N bars only (default: all bars).",
)
def regimes(
    data: Path, config_path: Path | None, out: Path, chart: Path | None, fit_bars: int | None
) -> None:
    """Detect market regimes in the OHLCV bars in DATA (CSV or Parquet).

    Builds the regime detector named by the config's `regimes.detector` with
    `regimes.params`, fits it on the first --fit-bars bars and writes each bar's `regime`,
    `regime_name` and FILTERED probabilities (`p_bull`, `p_bear`, `p_sideways`,
    `p_state3`, ...; row t uses bars up to t) to OUT, prints the regime statistics and
    saves a price chart shaded by regime.

    Fitting on all bars (the default) and reading the filtered probabilities is for
    analysis: the fit has seen every bar. For trading, fit on a training window
    (--fit-bars) and use only the rows after it.
    """
    import numpy as np

    from mlcore.data import load_ohlcv
    from mlcore.regimes import detect_regimes, plot_regimes, regime_statistics

    writer = _feature_writer(out)
    chart_path = chart if chart is not None else out.with_suffix(".png")
    cfg = _read_config(config_path)
    host, error = _load_host_from(cfg)
    if error is not None:
        raise click.ClickException(str(error))
    try:
        ohlcv = load_ohlcv(data, policy=cfg.data.policy)  # type: ignore[arg-type]
    except (MlcoreError, OSError) as failure:
        raise click.ClickException(f"{data}: {failure}") from failure
    if fit_bars is not None and fit_bars > len(ohlcv):
        raise click.BadParameter(
            f"{fit_bars} is more than the {len(ohlcv)} bars in {data}", param_hint="'--fit-bars'"
        )
    name = cfg.regimes.detector
    try:
        detector = host.regime_detectors.create(name, **cfg.regimes.params)
    except MlcoreError as failure:
        raise click.ClickException(f"regimes.detector: {failure}") from failure
    except (TypeError, ValueError, ImportError) as failure:
        raise click.ClickException(
            f"regimes.params: cannot build regime detector {name!r}: {failure}"
        ) from failure
    click.echo(f"fitting {name} on {fit_bars or len(ohlcv)} of {len(ohlcv)} bars", err=True)
    started = time.perf_counter()
    try:
        frame = detect_regimes(ohlcv, detector, fit_bars=fit_bars)
    except (MlcoreError, ValueError) as failure:
        raise click.ClickException(f"regime detector {name!r}: {failure}") from failure
    try:
        writer(frame)
    except (OSError, ImportError) as failure:
        raise click.ClickException(f"cannot write {out}: {failure}") from failure
    close = ohlcv["close"].to_numpy(dtype=float)
    statistics = regime_statistics(
        np.diff(np.log(close)),
        frame["regime"].to_numpy()[1:],
        periods_per_year=cfg.analytics.periods_per_year,
        n_regimes=len(frame.columns) - 2,
    )
    rows = [[label, *record.values()] for label, record in statistics.to_dict("index").items()]
    click.echo(format_table(rows, ["regime", *statistics.columns]))
    try:
        plot_regimes(ohlcv, frame["regime"], chart_path)
    except (MlcoreError, OSError) as failure:
        raise click.ClickException(f"cannot write {chart_path}: {failure}") from failure
    seconds = time.perf_counter() - started
    click.echo(
        f"{len(frame)} bars written to {out} and the chart to {chart_path} in {seconds:.2f} s"
    )


# ---------------------------------------------------------------------------
# report
# ---------------------------------------------------------------------------


def _report_file_option(kind: str, description: str) -> Callable[[F], F]:
    return click.option(
        f"--{kind}",
        f"{kind}_path",
        type=click.Path(dir_okay=False, writable=True, path_type=Path),
        help=f"Write the {description} to this file.",
    )


@main.command()
@click.argument("data", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@config_option
@click.option(
    "--benchmark",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="CSV or Parquet of the benchmark's returns or prices (default: analytics.benchmark).",
)
@_report_file_option("pdf", "PDF report")
@_report_file_option("xlsx", "Excel workbook")
@_report_file_option("html", "HTML tearsheet")
@click.option(
    "--out-dir",
    type=click.Path(file_okay=False, path_type=Path),
    help="Write the formats of analytics.reports (all three when empty) here, named after DATA.",
)
def report(
    data: Path,
    config_path: Path | None,
    benchmark: Path | None,
    pdf_path: Path | None,
    xlsx_path: Path | None,
    html_path: Path | None,
    out_dir: Path | None,
) -> None:
    """Performance report of the trades, returns or equity curve in DATA (CSV or Parquet).

    DATA is a trade history when it has entry_time and exit_time columns, a return series
    when it has a time column and a 'return(s)' column, and an equity curve when it has a
    time column and an 'equity', 'value' or 'close' column. Prints the metrics (with the
    conventions of the config's `analytics` section) and writes the requested reports;
    without --pdf/--xlsx/--html/--out-dir, the formats of analytics.reports go to
    analytics.output_dir.
    """
    from mlcore.analytics.reports.command import metrics_table, run_report

    cfg = _read_config(config_path)
    host, error = _load_host_from(cfg)
    if error is not None:
        raise click.ClickException(str(error))
    paths = {"pdf": pdf_path, "xlsx": xlsx_path, "html": html_path}
    try:
        outcome = run_report(
            data, cfg, host=host, benchmark_path=benchmark, paths=paths, out_dir=out_dir
        )
    except (MlcoreError, OSError) as failure:
        raise click.ClickException(str(failure)) from failure
    click.echo(f"{data}: {outcome.kind}, {len(outcome.report.returns)} periods")
    click.echo(metrics_table(outcome.report))
    for note in outcome.report.notes:
        click.secho(f"note: {note}", fg="yellow", err=True)
    for kind, path in outcome.written.items():
        click.echo(f"{kind} report written to {path}")
    if not outcome.written:
        click.echo("no report file requested: pass --pdf, --xlsx, --html or --out-dir", err=True)


# ---------------------------------------------------------------------------
# sentiment
# ---------------------------------------------------------------------------


@main.group()
def sentiment() -> None:
    """Collect sentiment items from the sources that plugins provide."""


@sentiment.command("fetch")
@click.option("--symbol", help="Instrument (default: sentiment.symbol, else data.symbol).")
@click.option("--since", required=True, help="Start of the publication range (2026-01-01).")
@click.option("--until", help="End of the publication range (default: now, UTC).")
@click.option(
    "--sources",
    help="Comma-separated registered sources (default: sentiment.sources): finnhub,news",
)
@config_option
@click.option(
    "--out",
    "-o",
    "out",
    required=True,
    type=click.Path(dir_okay=False, writable=True, path_type=Path),
    help="Item file: .parquet (or .pq) or .csv.",
)
def sentiment_fetch(
    symbol: str | None,
    since: str,
    until: str | None,
    sources: str | None,
    config_path: Path | None,
    out: Path,
) -> None:
    """Fetch the items of each source for SYMBOL published since --since and write them to
    OUT, with the unscored ones scored by `sentiment.scorer`.

    A failing source is reported in the summary table and the others are kept; the
    command fails only when every source failed. The file feeds `mlcore features
    --sentiment-items` and `sentiment.items_path`.
    """
    from mlcore.sentiment.command import (
        check_item_file,
        every_source_failed,
        fetch_to_file,
        summary_table,
    )

    try:
        check_item_file(out)
    except ValueError as bad_name:
        raise click.BadParameter(str(bad_name), param_hint="'--out'") from None
    cfg = _read_config(config_path)
    host, error = _load_host_from(cfg)
    if error is not None:
        raise click.ClickException(str(error))
    names = [name.strip() for name in sources.split(",") if name.strip()] if sources else None
    started = time.perf_counter()
    try:
        collection = fetch_to_file(
            host, out, since=since, until=until, symbol=symbol, sources=names
        )
    except (MlcoreError, OSError, ImportError) as failure:
        raise click.ClickException(str(failure)) from failure
    click.echo(summary_table(collection))
    seconds = time.perf_counter() - started
    click.echo(
        f"{len(collection.items)} items for {collection.symbol} from {collection.start} to "
        f"{collection.end} written to {out} in {seconds:.2f} s"
    )
    if every_source_failed(collection):
        raise click.ClickException("every sentiment source failed; see the table above")


# ---------------------------------------------------------------------------
# config
# ---------------------------------------------------------------------------


@main.group()
def config() -> None:
    """Check and show configuration files."""


@config.command("validate")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
def config_validate(file: Path) -> None:
    """Check FILE: unknown keys and wrong types are reported with their key path."""
    try:
        load_config(file)
    except (MlcoreError, OSError) as error:
        click.secho(f"{file}: invalid", fg="red", err=True)
        click.echo(str(error), err=True)
        sys.exit(1)
    click.echo(f"{file}: valid")


@config.command("show")
@click.argument(
    "file", required=False, type=click.Path(exists=True, dir_okay=False, path_type=Path)
)
def config_show(file: Path | None) -> None:
    """Print the resolved configuration (FILE merged onto the defaults) as YAML."""
    cfg = _read_config(file)
    click.echo(dump_config(cfg), nl=False)


# ---------------------------------------------------------------------------
# run
# ---------------------------------------------------------------------------


class _Holdout(click.ParamType[float | int]):
    """A fraction of the bars (``0.2``) or a whole number of bars (``500``)."""

    name = "fraction-or-bars"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        if isinstance(value, int | float):
            return value
        text = str(value).strip()
        try:
            holdout = int(text) if text.isdigit() else float(text)
        except ValueError:
            self.fail(
                f"{value!r} is neither a fraction such as 0.2 nor a number of bars", param, ctx
            )
        if isinstance(holdout, float) and not 0.0 <= holdout < 1.0:
            self.fail(f"a fraction must be in [0, 1), got {holdout}", param, ctx)
        return holdout


def job_options(function: F) -> F:
    """The options ``train`` and ``run`` share."""
    options = [
        click.option(
            "--holdout",
            type=_Holdout(),
            default=None,
            help="The last bars held out for the out-of-sample check: a fraction, or a number "
            "of bars (0: none). Default: training.holdout (0.2).",
        ),
        click.option(
            "--alias",
            type=click.Choice(["champion", "challenger"]),
            default="champion",
            show_default=True,
            help="Registry alias for the new model version (the previous champion keeps "
            "'previous_champion').",
        ),
        click.option("--run-name", help="The MLflow run's name."),
        click.option(
            "--no-mlflow", is_flag=True, help="Do not track or register (mlflow.enabled: false)."
        ),
    ]
    for option in reversed(options):
        function = option(function)
    return function


@main.command()
@config_option
@job_options
def train(
    config_path: Path | None,
    holdout: float | int | None,
    alias: str,
    run_name: str | None,
    no_mlflow: bool,
) -> None:
    """Train, validate, track and register the model the config describes.

    Data -> features -> labels -> purged walk-forward CV (+ Optuna when hpo.enabled) ->
    final fit -> MLflow run and registered model -> out-of-sample signals on the held-out
    bars, then a summary table. Without --config, the quickstart (the synthetic market).
    """
    cfg = _read_config(config_path) if config_path is not None else _quickstart()
    _train(cfg, holdout=holdout, alias=alias, run_name=run_name, no_mlflow=no_mlflow)


@main.command()
@click.argument(
    "config_file", required=False, type=click.Path(exists=True, dir_okay=False, path_type=Path)
)
@job_options
def run(
    config_file: Path | None,
    holdout: float | int | None,
    alias: str,
    run_name: str | None,
    no_mlflow: bool,
) -> None:
    """Run the main job described by CONFIG_FILE (default: the quickstart, on the synthetic
    market, tracked in ./mlflow.db): the same job as `mlcore train`.

    It ends with the performance report: the out-of-sample signals (the held-out bars', or
    the walk-forward out-of-fold predictions without a hold-out) are backtested, the
    headline metrics are printed, and the formats in analytics.reports (pdf, xlsx, html)
    are written to analytics.output_dir and logged to the MLflow run."""
    cfg = _read_config(config_file) if config_file is not None else _quickstart()
    _train(cfg, holdout=holdout, alias=alias, run_name=run_name, no_mlflow=no_mlflow)


def _quickstart() -> MlcoreConfig:
    from mlcore.training import quickstart_config

    return quickstart_config()


class _ProgressBars:
    """One click progress bar on stderr per stage (folds, trials); a line per step when
    stderr is not a terminal (logs, CI)."""

    def __init__(self) -> None:
        self.bars: dict[str, Any] = {}
        self.interactive = sys.stderr.isatty()

    def __call__(self, stage: str, done: int, total: int) -> None:
        if not self.interactive:
            if done:
                click.echo(f"{stage} {done}/{total}", err=True)
            return
        bar = self.bars.get(stage)
        if bar is None or done == 0:
            if bar is not None:
                bar.render_finish()
            bar = click.progressbar(length=total, label=f"{stage:<6}", file=sys.stderr)
            bar.render_progress()
            self.bars[stage] = bar
        bar.update(done - bar.pos)
        if done >= total:
            bar.render_finish()
            del self.bars[stage]

    def close(self) -> None:
        for bar in self.bars.values():
            bar.render_finish()
        self.bars.clear()


def _train(
    cfg: MlcoreConfig,
    *,
    holdout: float | int | None,
    alias: str,
    run_name: str | None,
    no_mlflow: bool,
) -> None:
    import attrs

    from mlcore.training import TrainingJob

    if no_mlflow:
        cfg = attrs.evolve(cfg, mlflow=attrs.evolve(cfg.mlflow, enabled=False))
    # MLflow's artifact download bar would interleave with the job's own progress bars.
    os.environ.setdefault("MLFLOW_ENABLE_ARTIFACTS_PROGRESS_BAR", "false")
    host, error = _load_host_from(cfg)
    if error is not None:
        raise click.ClickException(str(error))
    bars = _ProgressBars()
    job = TrainingJob(cfg, host, holdout=holdout, alias=alias, run_name=run_name, progress=bars)
    try:
        result = job.run()
    except (MlcoreError, OSError) as failure:
        raise click.ClickException(str(failure)) from failure
    finally:
        bars.close()
    click.echo(result.summary())


# ---------------------------------------------------------------------------
# helpers
# ---------------------------------------------------------------------------


def _read_config(path: Path | None) -> MlcoreConfig:
    try:
        return load_config(path) if path is not None else MlcoreConfig()
    except MlcoreError as error:
        raise click.ClickException(str(error)) from error


def _load_host(path: Path | None) -> tuple[PluginHost, PluginLoadError | None]:
    return _load_host_from(_read_config(path))


def _load_host_from(cfg: MlcoreConfig) -> tuple[PluginHost, PluginLoadError | None]:
    """Load plugins; failures are reported by the caller, not as Python warnings."""
    host = PluginHost.from_config(cfg)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            host.load()
        except PluginLoadError as error:
            return host, error
    return host, None


if __name__ == "__main__":  # pragma: no cover
    main()
