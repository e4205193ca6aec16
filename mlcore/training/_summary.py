"""The printed summary of a training result."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pandas as pd

from mlcore._table import format_table

if TYPE_CHECKING:
    from mlcore.training._result import TrainingResult


def _cell(value: Any) -> Any:
    if isinstance(value, pd.Timestamp):
        return value.strftime("%Y-%m-%d %H:%M")
    return value


def _shorten(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 4] + " ...)"


def _summary(result: TrainingResult) -> str:
    config = result.config
    data = result.data
    parts = []
    rows = [
        ["source", data["source"]],
        ["bars", data["bars"]],
        ["from", _cell(data["start"])],
        ["to", _cell(data["end"])],
        ["fingerprint", str(data["fingerprint"])[:16]],
        ["training rows (labelled, after warm-up)", data["training_rows"]],
        ["held-out bars (out-of-sample)", data["holdout_bars"]],
    ]
    if data["holdout_start"] is not None:
        rows.append(["held out from", _cell(data["holdout_start"])])
    parts.append(format_table(rows, ["data", "value"]))
    features = result.features
    shown = ", ".join(features["selected"][:6]) + (" ..." if len(features["selected"]) > 6 else "")
    parts.append(
        format_table(
            [
                ["indicators", features["indicators"]],
                ["generated columns", features["generated"]],
                [f"selected ({features['method']})", len(features["selected"])],
                ["first selected", shown],
            ],
            ["features", "value"],
        )
    )
    metrics = list(result.cv.metrics)
    scores = result.cv.scores
    fold_rows = [
        [
            int(row["fold"]),
            int(row["n_train"]),
            int(row["n_test"]),
            _cell(row["test_start"]),
            *[float(row[m]) for m in metrics],
            float(row["fit_time"]),
        ]
        for _, row in scores.iterrows()
    ]
    means = result.cv.mean_scores()
    fold_rows.append(["mean", "", "", "", *[float(means[m]) for m in metrics], ""])
    validation = config.training.validation
    details = [] if validation.method == "combinatorial_purged" else [validation.window]
    if validation.purge:
        details.append("purged")
    if validation.embargo:
        details.append(f"embargo {validation.embargo}")
    parts.append(
        f"Cross-validation: {validation.method}, {len(result.cv.folds)} folds"
        + (f" ({', '.join(details)})" if details else "")
    )
    parts.append(format_table(fold_rows, ["fold", "train", "test", "test from", *metrics, "fit s"]))
    oos = result.oos_scores
    if oos:
        oos_rows = [[name, value] for name, value in oos.items()]
        parts.append(format_table(oos_rows, ["out-of-sample (held out)", "value"]))
    model_rows: list[list[Any]] = [
        ["model_type", config.training.model_type],
        ["model", _shorten(repr(result.pipeline.model), 100)],
    ]
    if result.hpo is not None:
        model_rows.append(["hpo trials", getattr(result.hpo, "n_trials", "")])
        model_rows.append(["hpo best value", getattr(result.hpo, "best_value", "")])
    if result.run_id is not None:
        model_rows.append(["MLflow run id", result.run_id])
        model_rows.append(["tracking uri", result.tracking_uri])
    if result.registered is not None:
        registered = result.registered
        model_rows.append(["registered model", registered.name])
        model_rows.append(["version", registered.version])
        model_rows.append(["alias", registered.alias])
        model_rows.append(["load with", f"mlflow.pyfunc.load_model({registered.uri!r})"])
    parts.append(format_table(model_rows, ["model", "value"]))
    timing_rows = [[stage, seconds] for stage, seconds in result.timings.items()]
    parts.append(format_table(timing_rows, ["stage", "seconds"]))
    if result.performance is not None:  # last: `mlcore run` ends with the report
        parts.append(result.performance.summary())
    return "\n\n".join(parts)
