"""The MLflow pyfunc wrapper of a logged mlcore pipeline.

Imported only where mlflow is installed: by :meth:`mlcore.tracking.MLflowManager.log_model`
and by the process that loads a logged model (``mlflow.pyfunc.load_model``). The logged model
is "a model from code": a two-line entry point (:data:`ENTRY_POINT_SOURCE`) builds a
:class:`PipelineModel`, whose ``load_context`` reads the pipeline that joblib pickled into the
model's artifacts and whose ``predict`` hands it the input frame.

MLflow may pass the input frame without its ``DatetimeIndex`` (a REST request, a frame
read back from JSON): :func:`restore_datetime_index` sets it again from a ``timestamp`` (or
``date``) column.
"""

# No ``from __future__ import annotations``: MLflow reads predict's type hints at run time.

from typing import Any

import joblib
import pandas as pd
from mlflow.pyfunc.model import PythonModel

__all__ = [
    "ENTRY_POINT_FILE",
    "ENTRY_POINT_SOURCE",
    "PIPELINE_ARTIFACT",
    "TIMESTAMP_COLUMNS",
    "PipelineModel",
    "restore_datetime_index",
]

PIPELINE_ARTIFACT = "pipeline"
"""The key of the joblib-pickled pipeline in the model's artifacts."""

TIMESTAMP_COLUMNS = ("timestamp", "date")
"""Columns that carry the bar times when the input has no DatetimeIndex (first match wins,
names compared case-insensitively)."""

ENTRY_POINT_FILE = "mlcore_pipeline_model.py"
ENTRY_POINT_SOURCE = """\
# Written by mlcore.tracking: the MLflow "model from code" entry point of an mlcore pipeline.
import mlflow.models

from mlcore._pyfunc import PipelineModel

mlflow.models.set_model(PipelineModel())
"""


def restore_datetime_index(model_input: Any) -> Any:
    """Give ``model_input`` the UTC ``DatetimeIndex`` of the OHLCV contract where it can.

    - A frame that already has a ``DatetimeIndex`` keeps it: naive times are taken as UTC,
      aware ones are converted to UTC.
    - Otherwise the first column named ``timestamp`` or ``date`` (any case) becomes the index
      and leaves the columns: text is parsed as ISO 8601 (naive means UTC), datetimes are
      taken as they are, and numbers are epoch milliseconds (what ``DataFrame.to_json``
      writes).
    - Anything else is returned unchanged, for the pipeline to accept or refuse.

    Mappings and lists of records are turned into a frame first.
    """
    if isinstance(model_input, dict | list):
        model_input = pd.DataFrame(model_input)
    if not isinstance(model_input, pd.DataFrame):
        return model_input
    index = model_input.index
    if isinstance(index, pd.DatetimeIndex):
        if index.tz is None:
            return model_input.set_axis(index.tz_localize("UTC"), axis=0)
        if str(index.tz) != "UTC":
            return model_input.set_axis(index.tz_convert("UTC"), axis=0)
        return model_input
    by_name = {str(column).lower(): column for column in reversed(list(model_input.columns))}
    column = next((by_name[name] for name in TIMESTAMP_COLUMNS if name in by_name), None)
    if column is None:
        return model_input
    values = model_input[column]
    if pd.api.types.is_numeric_dtype(values) and not pd.api.types.is_bool_dtype(values):
        times = pd.to_datetime(values, unit="ms", utc=True)
    else:
        times = pd.to_datetime(values, utc=True)
    frame = model_input.drop(columns=[column])
    frame.index = pd.DatetimeIndex(times, name=str(column))
    return frame


class PipelineModel(PythonModel):
    """Predicts with a pickled mlcore pipeline (any object with ``predict(frame)``)."""

    pipeline: Any = None

    def load_context(self, context: Any) -> None:
        path = context.artifacts.get(PIPELINE_ARTIFACT)
        if path is None:
            raise FileNotFoundError(
                f"the logged model has no {PIPELINE_ARTIFACT!r} artifact; it was not written by "
                "mlcore.tracking.MLflowManager.log_model"
            )
        self.pipeline = joblib.load(path)

    def predict(
        self, context: Any, model_input: pd.DataFrame, params: dict[str, Any] | None = None
    ) -> Any:
        if self.pipeline is None:
            raise RuntimeError("PipelineModel.predict called before load_context")
        return self.pipeline.predict(restore_datetime_index(model_input))
