"""Plumbing every model plugin needs, so that each plugin writes only its library's part.

- :mod:`mlcore.modeling.inputs`: from numpy arrays, DataFrames and Series to the float
  matrix, class codes or float target, and sample weights a library takes; column checks
  at prediction time; the early-stopping split (the LAST rows, never a random sample).
- :mod:`mlcore.modeling.hyperparameters`: attrs validators for numeric hyperparameters and
  for a dict of extra native parameters, and a repr that shows the non-defaults.
- :mod:`mlcore.modeling.storage`: the saved-model folder, the library's own model file
  plus a JSON sidecar, written atomically; nothing is pickled.
- :mod:`mlcore.modeling.booster`: :class:`NativeBoosterModel`, a base for models around a
  gradient-boosting library's booster: fit, predict, explain, importances, save/load and
  pickling, with the library calls left to a few hooks.
- :mod:`mlcore.modeling.search_space`: a default hyperparameter search space declared as
  data, drawn with any Optuna-like trial (:func:`suggest`).

Errors about data are :class:`mlcore.errors.DataValidationError` naming the argument,
column or row. See "Writing a model plugin" in docs/writing-plugins.md; the XGBoost and
LightGBM plugins (``plugins/mlcore-xgboost``, ``plugins/mlcore-lightgbm``) use all of it.
"""

from mlcore.modeling.booster import NativeBoosterModel
from mlcore.modeling.hyperparameters import (
    Validator,
    copy_mapping,
    extra_params,
    number,
    repr_changed_params,
)
from mlcore.modeling.inputs import (
    LabelledRows,
    check_columns,
    check_index_alignment,
    classes_and_codes,
    codes_for,
    early_stopping_sets,
    eval_set_parts,
    feature_names_of,
    prediction_matrix,
    regression_target,
    sample_weights,
    training_matrix,
    validation_rows,
    warn_absent_classes,
)
from mlcore.modeling.search_space import SearchDimension, Trial, suggest
from mlcore.modeling.storage import (
    SIDECAR,
    ModelFolder,
    classes_from_metadata,
    classes_metadata,
)

__all__ = [
    "SIDECAR",
    "LabelledRows",
    "ModelFolder",
    "NativeBoosterModel",
    "SearchDimension",
    "Trial",
    "Validator",
    "check_columns",
    "check_index_alignment",
    "classes_and_codes",
    "classes_from_metadata",
    "classes_metadata",
    "codes_for",
    "copy_mapping",
    "early_stopping_sets",
    "eval_set_parts",
    "extra_params",
    "feature_names_of",
    "number",
    "prediction_matrix",
    "regression_target",
    "repr_changed_params",
    "sample_weights",
    "suggest",
    "training_matrix",
    "validation_rows",
    "warn_absent_classes",
]
