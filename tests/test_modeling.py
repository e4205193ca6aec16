"""mlcore.modeling: the plumbing model plugins share, on small hand-made inputs.

Expected values are written out by hand in each test (codes of sorted labels, row counts,
the rows of the slice), so that they do not come from the code under test.
"""

from __future__ import annotations

import json
import os
import warnings
from pathlib import Path
from typing import Any

import attrs
import numpy as np
import pandas as pd
import pytest

from mlcore.errors import DataValidationError
from mlcore.modeling import (
    SIDECAR,
    ModelFolder,
    check_columns,
    check_index_alignment,
    classes_and_codes,
    classes_from_metadata,
    classes_metadata,
    codes_for,
    copy_mapping,
    early_stopping_sets,
    eval_set_parts,
    extra_params,
    feature_names_of,
    number,
    prediction_matrix,
    regression_target,
    repr_changed_params,
    sample_weights,
    suggest,
    training_matrix,
    validation_rows,
    warn_absent_classes,
)
from mlcore.modeling import storage as storage_module

FEATURES = ("a", "b", "c")


def frame(rows: int = 4) -> pd.DataFrame:
    index = pd.date_range("2024-01-01", periods=rows, freq="D", tz="UTC")
    values = np.arange(rows * 3, dtype=float).reshape(rows, 3)
    return pd.DataFrame(values, index=index, columns=list(FEATURES))


# ---------------------------------------------------------------------------
# Feature matrices and columns
# ---------------------------------------------------------------------------


def test_training_matrix_keeps_float_arrays_and_converts_frames() -> None:
    array = np.ones((3, 2), dtype=np.float32)
    assert training_matrix(array) is array  # no copy on the fast path
    X = frame().assign(flag=True)
    matrix = training_matrix(X)
    assert matrix.dtype == np.float64
    np.testing.assert_array_equal(matrix[1], [3.0, 4.0, 5.0, 1.0])
    assert training_matrix([[1, 2], [3, 4]]).tolist() == [[1.0, 2.0], [3.0, 4.0]]


def test_training_matrix_errors_name_the_column_and_the_row() -> None:
    X = frame()
    X.iloc[2, 1] = np.inf
    with pytest.raises(
        DataValidationError, match=r"column 'b' at row 2 \(Timestamp\('2024-01-03"
    ) as info:
        training_matrix(X)
    assert info.value.column == "b"
    with pytest.raises(DataValidationError, match=r"columns \['name'\] are not numeric"):
        training_matrix(frame().assign(name="x"))
    with pytest.raises(DataValidationError, match=r"reshape\(1, -1\)"):
        training_matrix(np.zeros(3))
    with pytest.raises(DataValidationError, match="at least one row"):
        training_matrix(np.zeros((0, 3)), "eval_set X")


def test_feature_names() -> None:
    assert feature_names_of(frame(), 3) == FEATURES
    assert feature_names_of(np.zeros((2, 3)), 3) == ("f0", "f1", "f2")
    assert feature_names_of(pd.DataFrame(np.zeros((1, 2)), columns=[0, 1]), 2) == ("0", "1")
    duplicated = pd.DataFrame(np.zeros((1, 3)), columns=["a", "b", "a"])
    with pytest.raises(DataValidationError, match=r"duplicate column names \['a'\]"):
        feature_names_of(duplicated, 3)


@pytest.mark.parametrize(
    ("columns", "message"),
    [
        (["a", "c"], r"missing \['b'\]\. Pass the columns in fit order"),
        (["a", "b", "c", "close"], r"unexpected \['close'\]"),
        (["a", "x", "c"], r"missing \['b'\]; unexpected \['x'\]"),
        (["b", "a", "c"], "another order: position 0 is 'b' where the model expects 'a'"),
        (["a", "c", "b"], "another order: position 1 is 'c' where the model expects 'b'"),
    ],
)
def test_column_mismatch_names_the_columns(columns: list[str], message: str) -> None:
    X = pd.DataFrame(np.zeros((2, len(columns))), columns=columns)
    with pytest.raises(DataValidationError, match=message) as info:
        check_columns(X, FEATURES, "X does not have the features Toy was fit on")
    assert str(info.value).startswith("X does not have the features Toy was fit on: ")
    assert info.value.rule == "feature_names"
    with pytest.raises(DataValidationError, match=message):
        prediction_matrix(X, FEATURES, "Toy")


def test_prediction_matrix() -> None:
    array = np.zeros((1, 3))
    assert prediction_matrix(array, FEATURES, "Toy") is array  # the single-row fast path
    np.testing.assert_array_equal(prediction_matrix(frame(), FEATURES, "Toy"), frame().to_numpy())
    with pytest.raises(
        DataValidationError, match=r"X has 2 features but Toy was fit on 3 \(a, b, c\)"
    ):
        prediction_matrix(np.zeros((1, 2)), FEATURES, "Toy")


def test_index_alignment() -> None:
    X = frame()
    check_index_alignment(X, pd.Series(range(4), index=X.index), "y")
    check_index_alignment(X.to_numpy(), pd.Series(range(4)), "y")  # no index on X: nothing to do
    shifted = pd.Series(range(4), index=X.index + pd.Timedelta("1D"))
    with pytest.raises(DataValidationError, match="at position 0 X has Timestamp") as info:
        check_index_alignment(X, shifted, "y")
    assert "y = y.loc[X.index]" in str(info.value)
    with pytest.raises(DataValidationError, match="X has 4 rows and sample_weight has 3"):
        check_index_alignment(X, pd.Series(range(3)), "sample_weight")


# ---------------------------------------------------------------------------
# Targets and weights
# ---------------------------------------------------------------------------


def test_string_labels_are_coded_in_sorted_order() -> None:
    classes, codes = classes_and_codes(["up", "down", "flat", "up", "down"], 5)
    assert classes.tolist() == ["down", "flat", "up"]
    assert codes.tolist() == [2, 0, 1, 2, 0]
    assert codes.dtype == np.int64
    assert classes[codes].tolist() == ["up", "down", "flat", "up", "down"]


def test_minus_one_and_one_labels_become_codes_zero_and_one() -> None:
    classes, codes = classes_and_codes(pd.Series([1, -1, -1, 1]), 4)
    assert classes.tolist() == [-1, 1]
    assert codes.tolist() == [1, 0, 0, 1]
    assert codes_for(np.array([-1, 1, 1]), classes, 3, "eval_set y").tolist() == [0, 1, 1]
    with pytest.raises(DataValidationError, match=r"eval_set y holds labels \[0\] that are not"):
        codes_for(np.array([-1, 0]), classes, 2, "eval_set y")


def test_bad_labels() -> None:
    index = pd.date_range("2024-01-01", periods=3, freq="D")
    with pytest.raises(DataValidationError, match=r"y holds NaN \(first at row 1 \(Timestamp"):
        classes_and_codes(pd.Series([0.0, np.nan, 1.0], index=index), 3)
    with pytest.raises(DataValidationError, match="missing labels"):
        classes_and_codes(np.array(["a", None, "b"], dtype=object), 3)
    with pytest.raises(DataValidationError, match=r"one class only \(\[1\]\)"):
        classes_and_codes([1, 1, 1], 3)
    with pytest.raises(DataValidationError, match="y has 2 values but X has 3 rows"):
        classes_and_codes([0, 1], 3)
    with pytest.raises(DataValidationError, match=r"got shape \(3, 2\)"):
        classes_and_codes(np.zeros((3, 2)), 3)


def test_regression_target() -> None:
    target = regression_target(pd.Series([1, 2, 3]).to_frame(), 3)  # a one-column frame
    assert target.dtype == np.float64
    assert target.tolist() == [1.0, 2.0, 3.0]
    with pytest.raises(
        DataValidationError, match=r"2 NaN or infinite value\(s\), the first at row 1"
    ):
        regression_target([0.5, np.nan, np.inf], 3)
    with pytest.raises(DataValidationError, match="y must hold numbers"):
        regression_target(["a", "b"], 2)


def test_sample_weights() -> None:
    assert sample_weights(None, 3) is None
    assert sample_weights([1, 2, 0], 3).tolist() == [1.0, 2.0, 0.0]  # type: ignore[union-attr]
    with pytest.raises(DataValidationError, match=r"finite and >= 0; row 1 is -1\.0"):
        sample_weights([1.0, -1.0, 1.0], 3)
    with pytest.raises(DataValidationError, match="row 2 is inf"):
        sample_weights([1.0, 1.0, np.inf], 3)
    with pytest.raises(DataValidationError, match="sums to 0"):
        sample_weights([0.0, 0.0], 2)
    with pytest.raises(DataValidationError, match="eval_set sample_weight has 2 values"):
        sample_weights([1.0, 1.0], 3, "eval_set sample_weight")


# ---------------------------------------------------------------------------
# The early-stopping split
# ---------------------------------------------------------------------------


def test_validation_rows_rule() -> None:
    assert validation_rows(503, 0.1) == 51  # ceil(50.3)
    assert validation_rows(500, 0.1) == 50
    assert validation_rows(10, 0.7) == 7  # 0.7 * 10 is 7.000000000000001 in floats
    with pytest.raises(DataValidationError, match=r"validation_fraction=0\.5 of 1 rows"):
        validation_rows(1, 0.5)


def _encode_float(y: Any, rows: int) -> np.ndarray:
    return regression_target(y, rows, "eval_set y")


def test_the_validation_slice_is_the_last_rows() -> None:
    matrix = np.arange(20, dtype=float).reshape(10, 2)  # row i is [2i, 2i + 1]
    target = np.arange(10) * 10
    weights = np.linspace(1, 2, 10)
    train, validation = early_stopping_sets(
        matrix,
        target,
        weights,
        feature_names=("x", "y"),
        validation_fraction=0.25,  # ceil(2.5) = 3 rows
        eval_target=_encode_float,
    )
    assert validation is not None
    assert train[0][:, 0].tolist() == [0, 2, 4, 6, 8, 10, 12]
    assert validation[0][:, 0].tolist() == [14, 16, 18]
    assert train[1].tolist() == [0, 10, 20, 30, 40, 50, 60]
    assert validation[1].tolist() == [70, 80, 90]
    np.testing.assert_array_equal(validation[2], weights[7:])  # type: ignore[arg-type]
    np.testing.assert_array_equal(train[2], weights[:7])  # type: ignore[arg-type]


def test_no_validation_without_a_fraction() -> None:
    matrix, target = np.zeros((4, 2)), np.zeros(4)
    train, validation = early_stopping_sets(
        matrix,
        target,
        None,
        feature_names=("x", "y"),
        validation_fraction=0,
        eval_target=_encode_float,
    )
    assert validation is None
    assert train[0] is matrix
    assert train[2] is None


def test_an_eval_set_validates_and_every_row_trains() -> None:
    X = frame(6)
    matrix, target = X.to_numpy(), np.arange(6.0)
    X_val = frame(2)
    y_val = pd.Series([5, 7], index=X_val.index)

    def split(eval_set: Any) -> tuple[Any, Any]:
        return early_stopping_sets(
            matrix,
            target,
            None,
            feature_names=FEATURES,
            validation_fraction=0.5,  # ignored: the eval set validates
            eval_set=eval_set,
            eval_target=_encode_float,
        )

    for eval_set in ((X_val, y_val), [(X_val, y_val, [1.0, 3.0])]):
        train, validation = split(eval_set)
        assert train[0] is matrix
        np.testing.assert_array_equal(validation[0], X_val.to_numpy())
        assert validation[1].tolist() == [5.0, 7.0]
    assert validation[2].tolist() == [1.0, 3.0]
    with pytest.raises(DataValidationError, match=r"eval_set X does not .* missing \['c'\]"):
        split((X_val.drop(columns="c"), y_val))
    with pytest.raises(DataValidationError, match="eval_set X has 2 features but X has 3"):
        split((np.zeros((2, 2)), [1.0, 2.0]))
    with pytest.raises(DataValidationError, match="eval_set y has 1 values but X has 2 rows"):
        split((X_val, [1.0]))


def test_eval_set_parts() -> None:
    assert eval_set_parts(("X", "y")) == ("X", "y", None)
    assert eval_set_parts([("X", "y", "w")]) == ("X", "y", "w")
    with pytest.raises(TypeError, match="got dict"):
        eval_set_parts({"X": 1})


def test_a_class_missing_from_the_trained_rows_is_warned_about() -> None:
    classes = np.array(["down", "up"])
    with pytest.warns(UserWarning, match=r"Toy: the rows trained on hold no row of class \['up'\]"):
        warn_absent_classes(np.array([0, 0, 0]), classes, model="Toy", validation_fraction=0.1)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        warn_absent_classes(np.array([0, 1]), classes, model="Toy", validation_fraction=0.1)


# ---------------------------------------------------------------------------
# Hyperparameters
# ---------------------------------------------------------------------------


def _reserved(model: Any) -> dict[str, str]:
    return {"eta": "set it with the rate parameter"}


@attrs.define(repr=False)
class Toy:
    n: int = attrs.field(default=10, validator=number(int, low=1))
    rate: float = attrs.field(default=0.1, validator=number(float, low=0, high=1, low_open=True))
    rounds: int | None = attrs.field(default=None, validator=number(int, low=1, optional=True))
    params: dict[str, Any] = attrs.field(
        factory=dict, converter=copy_mapping, validator=extra_params(_reserved)
    )

    def __repr__(self) -> str:
        return repr_changed_params(self)


@pytest.mark.parametrize(
    ("arguments", "error", "message"),
    [
        ({"n": 0}, ValueError, r"Toy\.n must be an int >= 1, got 0"),
        ({"n": 2.0}, TypeError, r"Toy\.n must be an int >= 1, got 2\.0"),
        ({"n": True}, TypeError, r"Toy\.n must be an int >= 1, got True"),
        ({"rate": 0}, ValueError, r"Toy\.rate must be a number in \(0, 1\], got 0"),
        ({"rate": float("nan")}, ValueError, r"Toy\.rate must be a number in \(0, 1\], got nan"),
        ({"rate": "0.1"}, TypeError, "Toy.rate must be a number"),
        ({"rounds": 0}, ValueError, r"Toy\.rounds must be an int >= 1 or None, got 0"),
        ({"params": {"eta": 0.3}}, ValueError, r"Toy\.params\['eta'\]: set it with the rate"),
        ({"params": {1: 2}}, TypeError, r"Toy\.params keys must be str, got 1"),
        ({"params": {"f": object()}}, TypeError, "is not a JSON value"),
        ({"params": [("a", 1)]}, TypeError, "must be a dict of extra native parameters"),
    ],
)
def test_hyperparameter_errors_name_the_class_and_the_field(
    arguments: dict[str, Any], error: type[Exception], message: str
) -> None:
    with pytest.raises(error, match=message):
        Toy(**arguments)


def test_hyperparameters_accept_what_they_should() -> None:
    assert Toy(n=np.int64(3), rate=1, rounds=2).n == 3  # type: ignore[arg-type]
    toy = Toy(n=3, rate=1e-9, rounds=None, params={"max_bin": np.int64(64)})
    extra = {"max_bin": 64}
    copy = Toy(params=extra)
    extra["max_bin"] = 2  # the model keeps its own dict
    assert copy.params == {"max_bin": 64}
    assert repr(toy) == "Toy(n=3, rate=1e-09, params={'max_bin': np.int64(64)})"
    assert repr(Toy()) == "Toy()"


# ---------------------------------------------------------------------------
# Search spaces
# ---------------------------------------------------------------------------


class FakeTrial:
    """Optuna's two suggest methods, answering the low end (ints) or the high end (floats)."""

    def __init__(self) -> None:
        self.asked: dict[str, tuple[Any, ...]] = {}

    def suggest_float(self, name: str, low: float, high: float, *, log: bool = False) -> float:
        self.asked[name] = ("float", low, high, log)
        return high

    def suggest_int(self, name: str, low: int, high: int, *, log: bool = False) -> int:
        self.asked[name] = ("int", low, high, log)
        return np.int64(low)  # type: ignore[return-value]  # a trial may give numpy ints


def test_suggest_draws_one_value_per_dimension() -> None:
    space = {"depth": ("int", 3.0, 10.0, False), "rate": ("float", 0.01, 0.3, True)}
    trial = FakeTrial()
    params = suggest(trial, space, prefix="toy_")  # type: ignore[arg-type]
    assert params == {"depth": 3, "rate": 0.3}
    assert type(params["depth"]) is int
    assert trial.asked == {
        "toy_depth": ("int", 3, 10, False),
        "toy_rate": ("float", 0.01, 0.3, True),
    }


# ---------------------------------------------------------------------------
# The saved-model folder
# ---------------------------------------------------------------------------

FOLDER = ModelFolder(format="mlcore-toy-model", model_file="model.bin", distribution="mlcore-toy")


def test_storage_round_trip(tmp_path: Path) -> None:
    path = tmp_path / "saved"
    metadata = {"model_class": "Toy", "params": {"n": np.int64(3)}, "weights": np.arange(2.0)}
    FOLDER.write(path, b"\x00native\xff", metadata)
    assert sorted(os.listdir(path)) == ["mlcore-model.json", "model.bin"]
    read, raw = FOLDER.read(path, model_class="Toy")
    assert raw == b"\x00native\xff"
    assert read == {
        "format": "mlcore-toy-model",
        "format_version": 1,
        "model_class": "Toy",
        "params": {"n": 3},
        "weights": [0.0, 1.0],
    }
    assert json.loads((path / SIDECAR).read_text()) == read


def test_storage_refuses_what_it_did_not_write(tmp_path: Path) -> None:
    FOLDER.write(tmp_path / "toy", b"x", {"model_class": "ToyRegressor"})
    with pytest.raises(TypeError, match="holds a ToyRegressor, not a ToyClassifier: load it with"):
        FOLDER.read(tmp_path / "toy", model_class="ToyClassifier")
    other = ModelFolder(format="mlcore-other-model", model_file="model.bin", distribution="x")
    with pytest.raises(ValueError, match="describes a 'mlcore-toy-model' model"):
        other.read(tmp_path / "toy")
    newer = attrs.evolve(FOLDER, format_version=2)
    newer.write(tmp_path / "newer", b"x", {})
    with pytest.raises(ValueError, match="reads versions up to 1: upgrade mlcore-toy"):
        FOLDER.read(tmp_path / "newer")
    with pytest.raises(FileNotFoundError, match=r"has no mlcore-model\.json"):
        FOLDER.read(tmp_path)
    (tmp_path / "toy" / "model.bin").unlink()
    with pytest.raises(FileNotFoundError, match=r"but no model\.bin"):
        FOLDER.read(tmp_path / "toy")
    (tmp_path / "file").write_text("")
    with pytest.raises(FileExistsError, match="pass a folder path"):
        FOLDER.write(tmp_path / "file", b"x", {})


def test_a_failed_save_leaves_no_partial_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "saved"
    FOLDER.write(path, b"first", {"version": 1})
    before = {name: (path / name).read_bytes() for name in os.listdir(path)}
    with pytest.raises(TypeError, match="must be JSON values"):
        FOLDER.write(path, b"second", {"version": object()})
    assert {name: (path / name).read_bytes() for name in os.listdir(path)} == before

    def fail(source: str, target: str) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(storage_module.os, "replace", fail)
    with pytest.raises(OSError, match="disk full"):
        FOLDER.write(path, b"second", {"version": 2})
    assert {name: (path / name).read_bytes() for name in os.listdir(path)} == before  # no temp
    with pytest.raises(OSError, match="disk full"):
        FOLDER.write(tmp_path / "fresh", b"x", {})
    assert os.listdir(tmp_path / "fresh") == []


@pytest.mark.parametrize(
    "classes",
    [np.array([-1, 1]), np.array(["down", "flat", "up"]), np.array([0.5, 2.0])],
)
def test_classes_survive_the_sidecar(classes: np.ndarray) -> None:
    entries = json.loads(json.dumps(classes_metadata(classes)))
    restored = classes_from_metadata(entries)
    np.testing.assert_array_equal(restored, classes)
    assert restored.dtype == classes.dtype


def test_object_classes_survive_the_sidecar() -> None:
    classes = np.empty(2, dtype=object)
    classes[:] = [False, True]
    restored = classes_from_metadata(json.loads(json.dumps(classes_metadata(classes))))
    assert restored.dtype == object
    assert restored.tolist() == [False, True]
