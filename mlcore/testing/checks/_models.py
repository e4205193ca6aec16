"""Checks for models and regime detectors."""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from mlcore.errors import MlcoreError
from mlcore.testing.checks._comparison import _cell, _first_mismatch, _params_difference
from mlcore.testing.checks._copies import _fresh, _round_trip, _strict_clones
from mlcore.testing.checks._data import _model_data, _regime_data
from mlcore.testing.checks._defaults import MODEL_TASKS, NAN_POLICIES, PROBA_ATOL
from mlcore.testing.checks._failures import _DETERMINISM_FIX, _call, _failure, _num, _where
from mlcore.testing.checks._kinds import _as_instance, _kind_of, check_kind, component_id


def _model_task(model: Any, check: str) -> str:
    """The model's declared ``task`` (``classification`` when it declares none)."""
    task = getattr(model, "task", "classification")
    if task not in MODEL_TASKS:
        raise _failure(
            model,
            check,
            f"task is {task!r}",
            f"declare a class attribute task = one of {', '.join(map(repr, MODEL_TASKS))}",
        )
    return str(task)


def _is_regressor(component: Any, kind: str, check: str) -> bool:
    return kind == "models" and _model_task(component, check) == "regression"


def _fit_data(component: Any, kind: str, data: object, check: str) -> tuple[Any, ...]:
    if kind == "regime_detectors":
        return (_regime_data(data),)
    return _model_data(data, _model_task(component, check))


def _fit(component: Any, check: str, kind: str, data: object) -> tuple[Any, pd.DataFrame]:
    """A fresh clone fitted on the check data, and the X it was fitted on."""
    arguments = _fit_data(component, kind, data, check)
    model: Any = _fresh(component, check)
    _call(component, check, "fit()", lambda: model.fit(*arguments))
    return model, arguments[0]


def _outputs(
    component: Any, model: Any, X: Any, check: str, method: str, what: str = ""
) -> np.ndarray:
    """``model.<method>(X)`` as a float array; ``what`` describes the call in failures."""
    what = what or f"{method}(X)"
    result = _call(component, check, what, lambda: getattr(model, method)(X))
    try:
        return np.asarray(result, dtype=float)
    except (TypeError, ValueError) as error:
        raise _failure(component, check, f"{what} returned non-numbers", "return floats") from error


def _proba(
    component: Any, model: Any, X: Any, check: str, what: str = "predict_proba(X)"
) -> np.ndarray:
    return _outputs(component, model, X, check, "predict_proba", what)


def _compared_method(component: Any, kind: str, check: str) -> str:
    """What the fitted checks compare: ``predict`` for regressors, else ``predict_proba``."""
    return "predict" if _is_regressor(component, kind, check) else "predict_proba"


def check_fit_returns_self(component: object, data: pd.DataFrame | None = None) -> None:
    """``fit`` returns the component itself (so ``model.fit(X, y).predict(X)`` works)."""
    check = "check_fit_returns_self"
    instance: Any = _as_instance(component)
    kind = _kind_of(instance, check, ("models", "regime_detectors"))
    arguments = _fit_data(instance, kind, data, check)
    model: Any = _fresh(instance, check)
    result = _call(instance, check, "fit()", lambda: model.fit(*arguments))
    if result is not model:
        raise _failure(
            instance,
            check,
            f"fit() returned {type(result).__name__} {component_id(result)!s:.60}, not the "
            "component itself",
            "end fit() with `return self`",
        )


def _fitted_determinism(component: Any, data: object) -> None:
    check = "check_determinism"
    kind = check_kind(component)
    method = _compared_method(component, kind, check)
    first, X = _fit(component, check, kind, data)
    second, _ = _fit(component, check, kind, data)
    expected = _outputs(component, first, X, check, method)
    for what, got in (
        (
            f"{method}(X) of a second clone fit on the same data",
            _outputs(component, second, X, check, method),
        ),
        (
            f"a second {method}(X) of the same fitted component",
            _outputs(component, first, X, check, method),
        ),
    ):
        if got.shape != expected.shape or _first_mismatch(expected, got, rtol=0, atol=0):
            mismatch = (
                _first_mismatch(expected, got, rtol=0, atol=0)
                if got.shape == expected.shape
                else None
            )
            detail = (
                f" at position {mismatch[0]}: {_num(_cell(got, mismatch))} vs "
                f"{_num(_cell(expected, mismatch))}"
                if mismatch
                else f": shape {got.shape} vs {expected.shape}"
            )
            raise _failure(component, check, f"{what} differs{detail}", _DETERMINISM_FIX)


def check_clone_is_unfitted(component: object, data: pd.DataFrame | None = None) -> None:
    """A clone of a fitted component has the same parameters and is not fitted
    (``is_fitted`` is False where it exists, else ``predict`` raises)."""
    instance = _as_instance(component)
    _kind_of(instance, "check_clone_is_unfitted", ("models", "regime_detectors"))
    _clone_is_unfitted(instance, data, "check_clone_is_unfitted")


def _clone_is_unfitted(component: Any, data: object, check: str = "check_clone") -> None:
    kind = check_kind(component)
    model, X = _fit(component, check, kind, data)
    fitted_flag = getattr(model, "is_fitted", None)
    if isinstance(fitted_flag, bool) and not fitted_flag:
        raise _failure(
            component,
            check,
            "is_fitted is False after fit()",
            "store fitted state in attributes ending in '_' (coef_, model_)",
        )
    for how, clone in _strict_clones(model, check):
        get_params = getattr(model, "get_params", None)
        if callable(get_params):
            difference = _params_difference(get_params(), clone.get_params())  # type: ignore[attr-defined]
            if difference:
                raise _failure(
                    component,
                    check,
                    f"{how}: {difference}",
                    "get_params() must return the constructor's arguments",
                )
        flag = getattr(clone, "is_fitted", None)
        if isinstance(flag, bool):
            if flag:
                raise _failure(
                    component,
                    check,
                    f"{how} of a fitted component says is_fitted is True",
                    "fitted state must not be a constructor argument: keep it in attributes "
                    "ending in '_' that clone()/attrs.evolve drop",
                )
            continue
        try:
            clone.predict(X)  # type: ignore[attr-defined]
        except Exception:
            continue
        raise _failure(
            component,
            check,
            f"{how} of a fitted component predicts without being fitted",
            "fitted state must not be a constructor argument: keep it in attributes ending "
            "in '_' that clone()/attrs.evolve drop, and raise in predict() before fit()",
        )


def check_predict_shapes(component: object, data: pd.DataFrame | None = None) -> None:
    """Classifiers: ``predict`` has shape (n,) with values among the classes;
    ``predict_proba`` has shape (n, n_classes), finite, non-negative rows summing to 1.
    Regressors (``task = "regression"``): ``predict`` has shape (n,), a float dtype and
    finite values; ``predict_proba`` is not called. Regime detectors: ``predict_proba`` has
    shape (n, n_regimes), same row rules as classifiers. Also on a 5-row slice."""
    check = "check_predict_shapes"
    instance: Any = _as_instance(component)
    kind = _kind_of(instance, check, ("models", "regime_detectors"))
    model, X = _fit(instance, check, kind, data)
    if _is_regressor(instance, kind, check):
        for rows in (X, X.iloc[:5]):
            _check_regression_predictions(instance, model, rows, check)
        return
    if kind == "models":
        _, y = _model_data(data)
        classes = np.asarray(getattr(model, "classes_", np.unique(y)))
        width, what = len(classes), "n_classes"
    else:
        classes = None
        width, what = model.n_regimes, "n_regimes"
        if isinstance(width, bool) or not isinstance(width, int | np.integer) or width < 2:
            raise _failure(instance, check, f"n_regimes is {width!r}", "n_regimes is an int >= 2")
    for rows in (X, X.iloc[:5]):
        n = len(rows)
        if classes is not None:
            predicted = _predictions(instance, model, rows, check, "one label per row")
            unknown = sorted(set(np.unique(predicted).tolist()) - set(classes.tolist()))
            if unknown:
                raise _failure(
                    instance,
                    check,
                    f"predict() returned labels {unknown} not among the classes {classes.tolist()}",
                    "predict labels seen in y",
                )
        proba = _proba(instance, model, rows, check)
        _check_proba_rows(instance, check, proba, (n, int(width)), what)


def _predictions(
    component: Any, model: Any, X: pd.DataFrame, check: str, per_row: str
) -> np.ndarray:
    """``model.predict(X)``, which must have shape (n,)."""
    n = len(X)
    predicted = np.asarray(_call(component, check, "predict(X)", lambda: model.predict(X)))
    if predicted.shape != (n,):
        raise _failure(
            component,
            check,
            f"predict() on {n} rows has shape {predicted.shape}, expected ({n},)",
            f"return a 1-D array with {per_row}",
        )
    return predicted


def _check_regression_predictions(component: Any, model: Any, X: pd.DataFrame, check: str) -> None:
    n = len(X)
    predicted = _predictions(component, model, X, check, "one predicted value per row")
    if predicted.dtype.kind != "f":
        raise _failure(
            component,
            check,
            f"predict() on {n} rows returned dtype {predicted.dtype}",
            "a regressor predicts floats: return predictions.astype(np.float64)",
        )
    bad = ~np.isfinite(predicted)
    if bad.any():
        row = int(np.argmax(bad))
        raise _failure(
            component,
            check,
            f"predict() on {n} rows gives {_num(predicted[row])} at {_where(X.index, row)}",
            "predict finite values on clean data",
        )


def _check_proba_rows(
    component: object, check: str, proba: np.ndarray, shape: tuple[int, int], what: str
) -> None:
    if proba.shape != shape:
        raise _failure(
            component,
            check,
            f"predict_proba() has shape {proba.shape}, expected {shape} (rows, {what})",
            "return one row per input row and one column per class/regime",
        )
    if not np.isfinite(proba).all() or (proba < 0).any():
        row = int(np.argwhere(~np.isfinite(proba) | (proba < 0))[0][0])
        raise _failure(
            component,
            check,
            f"predict_proba() row {row} is {proba[row].tolist()}",
            "probabilities are finite and non-negative",
        )
    sums = proba.sum(axis=1)
    off = np.abs(sums - 1) > PROBA_ATOL
    if off.any():
        row = int(np.argmax(off))
        raise _failure(
            component,
            check,
            f"predict_proba() row {row} sums to {_num(sums[row])}",
            "normalise each row to sum to 1",
        )


def check_regime_labels(component: object, data: pd.DataFrame | None = None) -> None:
    """``predict`` gives integer labels in [0, n_regimes) equal to the arg-max of
    ``predict_proba`` (the filtered path)."""
    check = "check_regime_labels"
    instance: Any = _as_instance(component)
    _kind_of(instance, check, ("regime_detectors",))
    detector, X = _fit(instance, check, "regime_detectors", data)
    proba = _proba(instance, detector, X, check)
    labels = np.asarray(_call(instance, check, "predict(X)", lambda: detector.predict(X)))
    if labels.shape != (len(X),):
        raise _failure(
            instance,
            check,
            f"predict() has shape {labels.shape}, expected ({len(X)},)",
            "return one label per row",
        )
    if labels.dtype.kind not in "iu":
        raise _failure(
            instance, check, f"predict() returned dtype {labels.dtype}", "return integer labels"
        )
    n_regimes = int(detector.n_regimes)
    outside = (labels < 0) | (labels >= n_regimes)
    if outside.any():
        row = int(np.argmax(outside))
        raise _failure(
            instance,
            check,
            f"label {labels[row]} at position {row} is outside [0, {n_regimes})",
            "number regimes 0 bull, 1 bear, 2 sideways, extra states after",
        )
    if proba.ndim == 2 and proba.shape[0] == len(labels):
        differs = labels != proba.argmax(axis=1)
        if differs.any():
            row = int(np.argmax(differs))
            raise _failure(
                instance,
                check,
                f"predict() gives {labels[row]} at position {row} but predict_proba()'s "
                f"arg-max is {int(proba[row].argmax())}",
                "predict must be predict_proba(X).argmax(axis=1) (the filtered path); offer "
                "smoothed or Viterbi paths under another method name",
            )


def _regime_no_lookahead(detector: Any, data: object) -> None:
    check = "check_no_lookahead"
    fitted, X = _fit(detector, check, "regime_detectors", data)
    full = _proba(detector, fitted, X, check)
    rows = len(X)
    cuts = sorted({max(1, rows // 10), rows // 4, rows // 2, 3 * rows // 4, rows - 2})
    fix = (
        "predict_proba must give filtered probabilities: row t conditions on rows <= t "
        "only (a forward pass); no forward-backward smoothing, no Viterbi, no "
        "normalisation over the whole input"
    )
    for t in cuts:
        part = _proba(
            detector, fitted, X.iloc[: t + 1], check, f"predict_proba on the first {t + 1} rows"
        )
        if part.shape != full[: t + 1].shape:
            raise _failure(
                detector,
                check,
                f"predict_proba on {t + 1} rows has shape {part.shape}",
                "return one row per input row",
            )
        mismatch = _first_mismatch(full[: t + 1], part)
        if mismatch is not None:
            row, column = mismatch
            raise _failure(
                detector,
                check,
                f"the probability of regime {column} at {_where(X.index, row)} is "
                f"{_num(full[row, column])} with all rows but {_num(part[row, column])} when the "
                f"data ends at position {t}: it uses later bars",
                fix,
            )
    rng = np.random.default_rng(20_240_607)
    for t in cuts:
        later = rows - t - 1
        perturbed = X.copy(deep=True)
        for name in perturbed.columns:
            values = perturbed[name].to_numpy(dtype=float, copy=True)
            values[t + 1 :] *= rng.uniform(0.5, 1.5, later)
            perturbed[name] = values
        got = _proba(
            detector, fitted, perturbed, check, f"predict_proba on data perturbed after {t}"
        )
        mismatch = _first_mismatch(full[: t + 1], got[: t + 1])
        if mismatch is not None:
            row, column = mismatch
            raise _failure(
                detector,
                check,
                f"the probability of regime {column} at {_where(X.index, row)} changed from "
                f"{_num(full[row, column])} to {_num(got[row, column])} when only rows after "
                f"position {t} changed: it uses later bars",
                fix,
            )


def _fitted_pickle(component: Any, data: object) -> None:
    check = "check_pickle"
    kind = check_kind(component)
    method = _compared_method(component, kind, check)
    model, X = _fit(component, check, kind, data)
    expected = _outputs(component, model, X, check, method)
    loaded = _round_trip(component, model, check)
    got = _outputs(component, loaded, X, check, method, f"{method}(X) after a pickle round trip")
    if got.shape != expected.shape or _first_mismatch(expected, got, rtol=0, atol=0):
        raise _failure(
            component,
            check,
            "a fitted component predicts differently after a pickle round trip",
            "keep the fitted state in picklable attributes; rebuild caches in __setstate__",
        )


def check_save_load(component: object, data: pd.DataFrame | None = None) -> None:
    """A fitted model saved with ``save(path)`` and read with ``type(model).load(path)``
    predicts the same, bit for bit: the same ``predict_proba``, or for a regressor the same
    ``predict``."""
    check = "check_save_load"
    instance: Any = _as_instance(component)
    _kind_of(instance, check, ("models",))
    method = _compared_method(instance, "models", check)
    model, X = _fit(instance, check, "models", data)
    expected = _outputs(instance, model, X, check, method)
    with tempfile.TemporaryDirectory(prefix="mlcore-check-") as folder:
        path = Path(folder) / "model"
        _call(instance, check, f"save({str(path)!r})", lambda: model.save(path))
        loaded = _call(
            instance, check, f"{type(model).__name__}.load(path)", lambda: type(model).load(path)
        )
        got = _outputs(instance, loaded, X, check, method, f"{method}(X) after save/load")
    if got.shape != expected.shape or _first_mismatch(expected, got, rtol=0, atol=0):
        raise _failure(
            instance,
            check,
            "the loaded model predicts differently from the saved one",
            "save every fitted attribute (and the parameters) and restore them in load()",
        )


def check_get_set_params(component: object, data: pd.DataFrame | None = None) -> None:
    """``set_params(**get_params())`` changes nothing; an unknown parameter raises ValueError."""
    check = "check_get_set_params"
    instance: Any = _as_instance(component)
    model: Any = _fresh(instance, check)
    if not (
        callable(getattr(model, "get_params", None))
        and callable(getattr(model, "set_params", None))
    ):
        raise _failure(
            instance,
            check,
            "it has no get_params()/set_params()",
            "inherit mlcore.ModelBase (attrs), or implement get_params() -> dict of the "
            "constructor's arguments and set_params(**params) -> self",
        )
    params = _call(instance, check, "get_params()", model.get_params)
    if not isinstance(params, dict) or not all(isinstance(k, str) for k in params):
        raise _failure(
            instance, check, f"get_params() returned {params!r}", "return a dict of str keys"
        )
    result = _call(
        instance, check, "set_params(**get_params())", lambda: model.set_params(**params)
    )
    target = result if result is not None else model
    after = _call(instance, check, "get_params() after set_params", target.get_params)
    difference = _params_difference(params, after)
    if difference:
        raise _failure(
            instance,
            check,
            f"set_params(**get_params()) changed {difference}",
            "set_params must store each value as given",
        )
    try:
        model.set_params(no_such_parameter__=1)
    except ValueError:
        return
    except Exception as error:
        raise _failure(
            instance,
            check,
            f"set_params(no_such_parameter__=1) raised {type(error).__name__}, not ValueError",
            "raise ValueError naming the unknown parameter and listing the valid ones",
        ) from error
    raise _failure(
        instance,
        check,
        "set_params(no_such_parameter__=1) accepted an unknown parameter",
        "raise ValueError naming the unknown parameter and listing the valid ones",
    )


def _model_nan_handling(model: Any, data: object) -> None:
    check = "check_nan_handling"
    policy = getattr(model, "nan_policy", "raise")
    if policy not in NAN_POLICIES:
        raise _failure(
            model, check, f"nan_policy is {policy!r}", f"declare one of {', '.join(NAN_POLICIES)}"
        )
    X, y = _model_data(data, _model_task(model, check))
    dirty = X.copy(deep=True)
    column = str(dirty.columns[0])
    values = dirty[column].to_numpy(dtype=float, copy=True)
    values[len(values) // 2] = np.nan
    dirty[column] = values
    where = f"column {column!r}, position {len(values) // 2}"
    if policy == "raise":
        fitted, _ = _fit(model, check, "models", data)
        unfitted: Any = _fresh(model, check)
        calls: list[tuple[str, Callable[[], object]]] = [
            ("fit(X, y)", lambda: unfitted.fit(dirty, y)),
            ("predict(X)", lambda: fitted.predict(dirty)),
        ]
        for what, call in calls:
            try:
                call()
            except (ValueError, MlcoreError):
                continue
            except Exception as error:
                raise _failure(
                    model,
                    check,
                    f"{what} with a NaN in X ({where}) raised {type(error).__name__}, "
                    "not ValueError",
                    "raise ValueError naming the column, or declare a class attribute "
                    "nan_policy = 'ignore' / 'propagate'",
                ) from error
            raise _failure(
                model,
                check,
                f"nan_policy is 'raise' (the default) but {what} accepted a NaN in X ({where})",
                "raise ValueError on NaN input, or declare a class attribute nan_policy = "
                "'ignore' (NaN handled natively) or 'propagate'",
            )
        return
    fresh: Any = _fresh(model, check)
    fix = "NaN input must be accepted when nan_policy is 'ignore' or 'propagate'"
    _call(model, check, f"fit(X, y) with a NaN in X ({where})", lambda: fresh.fit(dirty, y), fix)
    _call(model, check, f"predict(X) with a NaN in X ({where})", lambda: fresh.predict(dirty), fix)
    if _model_task(model, check) == "regression":
        return  # a regressor has no probabilities
    _call(
        model,
        check,
        f"predict_proba(X) with a NaN in X ({where})",
        lambda: fresh.predict_proba(dirty),
        fix,
    )
