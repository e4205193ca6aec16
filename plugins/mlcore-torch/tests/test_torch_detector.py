"""NNRegimeDetector: learning, causality, determinism, checkpoints, persistence, bad input."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import torch
from mlcore.data import synthetic_ohlcv
from mlcore.errors import DataValidationError
from mlcore.regimes import detect_regimes, label_regimes

from mlcore_torch.checkpoints import CHECKPOINT_FILE
from mlcore_torch.detector import NNRegimeDetector

torch.set_num_threads(1)

#: A tiny network: the tests check behaviour, not capacity.
TINY = {
    "hidden_size": 8,
    "num_layers": 1,
    "sequence_length": 12,
    "epochs": 4,
    "batch_size": 64,
    "verbose": False,
}


@pytest.fixture(scope="module")
def market():
    return synthetic_ohlcv(n=500, seed=11)


@pytest.fixture(scope="module")
def fitted(market):
    return NNRegimeDetector(**TINY).fit(market.ohlcv, market.regimes)


class Interrupted(Exception):
    """Raised from the epoch callback to stop a fit as a crash would."""


def _stop_after(epoch_to_stop: int):
    def callback(epoch, record):
        if epoch == epoch_to_stop:
            raise Interrupted(epoch)

    return callback


def _weights(detector: NNRegimeDetector) -> dict[str, torch.Tensor]:
    return detector.network_.state_dict()


def _assert_same_weights(left: NNRegimeDetector, right: NNRegimeDetector) -> None:
    a, b = _weights(left), _weights(right)
    assert a.keys() == b.keys()
    for name in a:
        assert torch.equal(a[name], b[name]), name


# -- learning --------------------------------------------------------------------------


def test_detector_recovers_true_regimes_of_a_separated_market():
    # Three cycles of bull 120 / bear 80 / sideways 100 bars to learn from, one to test on:
    # always answering the most common test regime scores 0.4.
    path = np.tile(np.repeat([0, 1, 2], [120, 80, 100]), 4)
    market = synthetic_ohlcv(n=len(path), seed=3, separation=20, regimes=path)
    truth = market.regimes.to_numpy()
    detector = NNRegimeDetector(
        hidden_size=8,
        num_layers=1,
        sequence_length=30,
        epochs=12,
        learning_rate=1e-2,
        patience=4,
        verbose=False,
    ).fit(market.ohlcv.iloc[:900], truth[:900])
    held_out = detector.predict(market.ohlcv)[900:]
    assert (held_out == truth[900:]).mean() >= 0.85


def test_detector_reproduces_hmm_teacher_labels_on_held_out_bars():
    hmm = pytest.importorskip("mlcore_hmm")
    market = synthetic_ohlcv(n=1000, seed=3)
    train = 700
    teacher = hmm.HMMRegimeDetector(n_restarts=1, n_iter=100, random_state=0)
    teacher.fit(market.ohlcv.iloc[:train])
    labels = teacher.predict(market.ohlcv)  # filtered: row t uses bars up to t
    detector = NNRegimeDetector(
        hidden_size=12,
        num_layers=1,
        sequence_length=30,
        epochs=20,
        learning_rate=5e-3,
        patience=5,
        verbose=False,
    ).fit(market.ohlcv.iloc[:train], labels[:train])
    agreement = (detector.predict(market.ohlcv)[train:] == labels[train:]).mean()
    majority = np.bincount(labels[train:]).max() / (len(labels) - train)
    assert agreement >= 0.8
    assert agreement > majority + 0.1


def test_teacher_hmm_labels_the_rows_when_fit_gets_none(market):
    hmm = pytest.importorskip("mlcore_hmm")
    teacher = hmm.HMMRegimeDetector(n_restarts=1, n_iter=50, random_state=0)
    expected = teacher.clone().fit(market.ohlcv).predict(market.ohlcv)
    seen: list[np.ndarray] = []

    class Recording(hmm.HMMRegimeDetector):
        def predict(self, X, smoothed=False):
            labels = super().predict(X, smoothed=smoothed)
            seen.append(labels)
            return labels

    recording = Recording(n_restarts=1, n_iter=50, random_state=0)
    NNRegimeDetector(teacher=recording, **TINY).fit(market.ohlcv)
    np.testing.assert_array_equal(seen[0], expected)
    assert not hasattr(recording, "model_")  # a clone was fit, not the given detector


def test_drawdown_teacher_gives_label_regimes_targets(market):
    # Same seed and data: the teacher's labels must be exactly label_regimes(close).
    labels = np.asarray(label_regimes(market.ohlcv["close"]))
    taught = NNRegimeDetector(**TINY).fit(market.ohlcv)
    given = NNRegimeDetector(**TINY).fit(market.ohlcv, labels)
    np.testing.assert_array_equal(
        taught.predict_proba(market.ohlcv), given.predict_proba(market.ohlcv)
    )


def test_drawdown_teacher_reads_a_return_column():
    market = synthetic_ohlcv(n=300, seed=2)
    close = market.ohlcv["close"]
    features = pd.DataFrame({"returns": np.log(close).diff().fillna(0.0)})
    labels = np.asarray(label_regimes(np.exp(features["returns"].cumsum())))
    taught = NNRegimeDetector(**TINY).fit(features)
    given = NNRegimeDetector(**TINY).fit(features, labels)
    np.testing.assert_array_equal(taught.predict_proba(features), given.predict_proba(features))


# -- causality -------------------------------------------------------------------------


@pytest.mark.parametrize("architecture", ["lstm", "transformer"])
def test_appending_bars_never_changes_earlier_probabilities(market, architecture):
    detector = NNRegimeDetector(architecture=architecture, n_heads=2, **TINY)
    detector.fit(market.ohlcv.iloc[:300], market.regimes.iloc[:300])
    full = detector.predict_proba(market.ohlcv)
    for end in (1, 5, 11, 12, 13, 200, 450):
        part = detector.predict_proba(market.ohlcv.iloc[:end])
        np.testing.assert_allclose(part, full[:end], rtol=0, atol=1e-12)
    # Later bars replaced by another market's: rows up to 299 stay the same.
    other = synthetic_ohlcv(n=500, seed=99).ohlcv
    spliced = pd.concat([market.ohlcv.iloc[:300], other.iloc[300:]])
    np.testing.assert_allclose(
        detector.predict_proba(spliced)[:300], full[:300], rtol=0, atol=1e-12
    )


def test_latest_path_equals_the_last_row_of_predict_proba(fitted, market):
    for end in (3, 12, 200, 500):
        bars = market.ohlcv.iloc[:end]
        latest = fitted.predict_proba_latest(bars)
        np.testing.assert_allclose(latest, fitted.predict_proba(bars)[-1], atol=1e-5)


def test_detect_regimes_fits_on_raw_bars_and_labels_every_bar(market):
    # The path of `mlcore regimes`: fit on the first bars without labels (the teacher's),
    # then label every bar from its filtered probabilities.
    frame = detect_regimes(market.ohlcv, NNRegimeDetector(**TINY), fit_bars=300)
    probabilities = frame[["p_bull", "p_bear", "p_sideways"]].to_numpy()
    np.testing.assert_array_equal(frame["regime"].to_numpy(), probabilities.argmax(axis=1))
    np.testing.assert_allclose(probabilities.sum(axis=1), 1.0, atol=1e-12)


def test_predict_frame_names_the_regime_columns(fitted, market):
    frame = fitted.predict_frame(market.ohlcv.iloc[:50])
    assert list(frame.columns) == ["p_bull", "p_bear", "p_sideways"]
    assert frame.index.equals(market.ohlcv.index[:50])


# -- training --------------------------------------------------------------------------


def test_history_records_every_epoch(fitted):
    history = fitted.history_
    assert set(history) == {"epoch", "train_loss", "train_accuracy", "val_loss", "val_accuracy"}
    assert history["epoch"] == [1.0, 2.0, 3.0, 4.0]
    assert all(len(values) == fitted.n_epochs_ for values in history.values())
    assert all(0 <= a <= 1 for a in history["train_accuracy"] + history["val_accuracy"])


def test_early_stopping_restores_the_best_epochs_weights(market):
    params = {**TINY, "epochs": 25, "patience": 2, "learning_rate": 0.05}
    stopped = NNRegimeDetector(**params).fit(market.ohlcv, market.regimes)
    losses = stopped.history_["val_loss"]
    assert stopped.n_epochs_ < 25  # it stopped early
    assert stopped.best_epoch_ == int(np.argmin(losses)) + 1
    assert stopped.n_epochs_ == stopped.best_epoch_ + 2  # patience epochs without progress
    # Training exactly best_epoch_ epochs follows the same path: the same weights.
    direct = NNRegimeDetector(**{**params, "epochs": stopped.best_epoch_, "patience": 100})
    direct.fit(market.ohlcv, market.regimes)
    _assert_same_weights(stopped, direct)


def test_standardisation_uses_the_training_rows_only(market):
    detector = NNRegimeDetector(**{**TINY, "validation_fraction": 0.25})
    detector.fit(market.ohlcv, market.regimes)
    rows = 500 - 125 - (TINY["sequence_length"] - 1)  # validation and gap rows excluded
    close = market.ohlcv["close"].to_numpy()
    log_return = np.log(close / np.r_[close[:1], close[:-1]])
    log_volume = np.log1p(market.ohlcv["volume"].to_numpy())
    expected = np.column_stack([log_return, log_volume])[:rows]
    np.testing.assert_allclose(detector.center_, expected.mean(axis=0), rtol=1e-12)
    np.testing.assert_allclose(detector.scale_, expected.std(axis=0), rtol=1e-12)


def test_same_seed_same_model_other_seed_other_model(market):
    first = NNRegimeDetector(random_state=5, **TINY).fit(market.ohlcv, market.regimes)
    second = NNRegimeDetector(random_state=5, **TINY).fit(market.ohlcv, market.regimes)
    other = NNRegimeDetector(random_state=6, **TINY).fit(market.ohlcv, market.regimes)
    np.testing.assert_array_equal(
        first.predict_proba(market.ohlcv), second.predict_proba(market.ohlcv)
    )
    assert not np.array_equal(first.predict_proba(market.ohlcv), other.predict_proba(market.ohlcv))


def test_fit_leaves_the_global_random_state_alone(market):
    torch.manual_seed(123)
    expected = torch.rand(3)
    torch.manual_seed(123)
    NNRegimeDetector(**TINY).fit(market.ohlcv, market.regimes)
    assert torch.equal(torch.rand(3), expected)


@pytest.mark.parametrize("architecture", ["lstm", "transformer"])
def test_resumed_fit_is_bit_identical_to_an_uninterrupted_one(market, tmp_path, architecture):
    # Two layers and dropout: the resumed fit must also restore the dropout generator.
    params = {**TINY, "architecture": architecture, "n_heads": 2, "epochs": 6}
    params.update(num_layers=2, dropout=0.2)
    uninterrupted = NNRegimeDetector(**params).fit(market.ohlcv, market.regimes)

    folder = tmp_path / "checkpoints"
    crashed = NNRegimeDetector(checkpoint_dir=folder, **params)
    with pytest.raises(Interrupted):
        crashed.fit(market.ohlcv, market.regimes, on_epoch_end=_stop_after(3))
    assert (folder / CHECKPOINT_FILE).is_file()

    epochs_after_resume: list[int] = []
    resumed = NNRegimeDetector(checkpoint_dir=folder, **params).fit(
        market.ohlcv,
        market.regimes,
        resume=True,
        on_epoch_end=lambda epoch, record: epochs_after_resume.append(epoch),
    )
    assert epochs_after_resume == [4, 5, 6]  # it continued; it did not start over
    _assert_same_weights(resumed, uninterrupted)
    assert resumed.history_ == uninterrupted.history_
    np.testing.assert_array_equal(
        resumed.predict_proba(market.ohlcv), uninterrupted.predict_proba(market.ohlcv)
    )


def test_resuming_a_finished_fit_trains_nothing_and_gives_its_model(market, tmp_path):
    params = {**TINY, "checkpoint_dir": str(tmp_path)}
    done = NNRegimeDetector(**params).fit(market.ohlcv, market.regimes)
    calls: list[int] = []
    again = NNRegimeDetector(**params).fit(
        market.ohlcv, market.regimes, resume=True, on_epoch_end=lambda e, r: calls.append(e)
    )
    assert calls == []
    _assert_same_weights(again, done)


def test_resume_refuses_a_checkpoint_of_other_data(market, tmp_path):
    NNRegimeDetector(checkpoint_dir=tmp_path, **TINY).fit(market.ohlcv, market.regimes)
    with pytest.raises(ValueError, match="other data or with other parameters"):
        NNRegimeDetector(checkpoint_dir=tmp_path, **TINY).fit(
            market.ohlcv.iloc[:400], market.regimes.iloc[:400], resume=True
        )


def test_resume_needs_the_checkpoint_folder(market):
    with pytest.raises(ValueError, match="needs checkpoint_dir"):
        NNRegimeDetector(**TINY).fit(market.ohlcv, market.regimes, resume=True)


def test_checkpoint_holds_tensors_and_plain_values_only(market, tmp_path):
    NNRegimeDetector(checkpoint_dir=tmp_path, **TINY).fit(market.ohlcv, market.regimes)
    state = torch.load(tmp_path / CHECKPOINT_FILE, weights_only=True)
    assert state["epoch"] == 4
    assert state["finished"] is True
    assert {"model", "optimizer", "best_state", "cpu_rng", "shuffle_rng", "history"} <= set(state)


# -- devices and persistence -----------------------------------------------------------


def test_auto_device_is_cuda_when_present(monkeypatch):
    from mlcore_torch.devices import resolve_device

    expected = "cuda" if torch.cuda.is_available() else "cpu"
    if not torch.cuda.is_available() and torch.backends.mps.is_available():
        expected = "mps"
    assert resolve_device("auto").type == expected
    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    assert resolve_device("auto") == torch.device("cuda")


@pytest.mark.skipif(torch.cuda.is_available(), reason="needs a machine without CUDA")
def test_cuda_on_a_cpu_machine_names_the_fix():
    from mlcore_torch.devices import resolve_device

    with pytest.raises(ValueError, match="device='auto'"):
        resolve_device("cuda")


def test_save_load_round_trip_without_pickle(fitted, market, tmp_path):
    path = tmp_path / "detector"
    fitted.save(path)
    loaded = NNRegimeDetector.load(path, device="cpu")
    np.testing.assert_array_equal(
        loaded.predict_proba(market.ohlcv), fitted.predict_proba(market.ohlcv)
    )
    assert loaded.device == "cpu"
    assert loaded.history_ == fitted.history_
    sidecar = json.loads((path / "mlcore-model.json").read_text())
    assert sidecar["params"]["hidden_size"] == 8
    assert sidecar["labels"]["names"] == ["bull", "bear", "sideways"]
    assert sidecar["scaler"]["center"] == fitted.center_.tolist()
    assert sidecar["versions"]["torch"] == torch.__version__
    weights = torch.load(path / "weights.pt", weights_only=True)
    assert all(isinstance(v, torch.Tensor) for v in weights.values())


def test_load_refuses_a_model_of_another_class(fitted, tmp_path):
    from mlcore_torch.models import LSTMClassifier

    fitted.save(tmp_path / "detector")
    with pytest.raises(TypeError, match="holds a NNRegimeDetector"):
        LSTMClassifier.load(tmp_path / "detector")


def test_progress_bar_shows_on_a_terminal_only(market, capsys, monkeypatch):
    params = {**TINY, "epochs": 2, "verbose": True}
    NNRegimeDetector(**params).fit(market.ohlcv, market.regimes)
    assert "epoch" not in capsys.readouterr().err  # pytest's stderr is no terminal
    monkeypatch.setattr("sys.stderr.isatty", lambda: True, raising=False)
    NNRegimeDetector(**params).fit(market.ohlcv, market.regimes)
    assert "2/2" in capsys.readouterr().err


# -- bad input -------------------------------------------------------------------------


def test_labels_outside_the_regimes_are_refused(market):
    labels = market.regimes.to_numpy().copy()
    labels[42] = 3
    with pytest.raises(DataValidationError, match=r"label 3 at row 42 .* \[0, 3\)"):
        NNRegimeDetector(**TINY).fit(market.ohlcv, labels)


def test_nan_labels_are_refused_naming_the_row(market):
    labels = market.regimes.astype(float)
    labels.iloc[7] = np.nan
    with pytest.raises(DataValidationError, match=r"NaN value.*row 7"):
        NNRegimeDetector(**TINY).fit(market.ohlcv, labels)


def test_label_count_must_match_the_rows(market):
    with pytest.raises(
        DataValidationError, match="labels has 499 values but the features have 500"
    ):
        NNRegimeDetector(**TINY).fit(market.ohlcv, market.regimes.to_numpy()[:-1])


def test_nan_feature_is_refused_naming_column_and_row(market):
    features = pd.DataFrame({"log_return": np.zeros(50), "volume": np.ones(50)})
    features.iloc[9, 1] = np.nan
    with pytest.raises(DataValidationError, match="column 'volume' is nan at row 9"):
        NNRegimeDetector(**TINY).fit(features, np.zeros(50, dtype=int))


def test_input_size_is_checked(market):
    with pytest.raises(DataValidationError, match="input_size=3 but the features have 2"):
        NNRegimeDetector(input_size=3, **TINY).fit(market.ohlcv, market.regimes)


def test_transformer_width_must_split_over_the_heads(market):
    detector = NNRegimeDetector(**{**TINY, "architecture": "transformer", "n_heads": 3})
    with pytest.raises(ValueError, match="multiple of n_heads=3"):
        detector.fit(market.ohlcv, market.regimes)


def test_predicting_needs_a_fit_and_the_fitted_columns(fitted, market):
    with pytest.raises(ValueError, match="not fitted"):
        NNRegimeDetector(**TINY).predict_proba(market.ohlcv)
    features = pd.DataFrame({"a": np.zeros(30), "b": np.zeros(30)})
    detector = NNRegimeDetector(**TINY).fit(features, np.zeros(30, dtype=int))
    with pytest.raises(DataValidationError, match="missing \\['b'\\]"):
        detector.predict_proba(features.rename(columns={"b": "c"}))
    with pytest.raises(DataValidationError, match="fit on raw OHLCV bars"):
        fitted.predict_proba(features)


def test_without_labels_or_teacher_fit_says_what_to_pass(market):
    with pytest.raises(ValueError, match="fit needs labels"):
        NNRegimeDetector(teacher=None, **TINY).fit(market.ohlcv)
    with pytest.raises(DataValidationError, match="no 'close' column and no return column"):
        NNRegimeDetector(**TINY).fit(pd.DataFrame({"x": np.ones(40)}))


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"device": "gpu"}, "device must be 'auto'"),
        ({"architecture": "gru"}, "architecture"),
        ({"teacher": "oracle"}, "teacher must be one of"),
        ({"n_regimes": 1}, "n_regimes must be an int >= 2"),
    ],
)
def test_bad_parameters_name_the_field(params, message):
    with pytest.raises((ValueError, TypeError), match=message):
        NNRegimeDetector(**params)


def test_checkpoint_dir_accepts_a_path(tmp_path):
    assert NNRegimeDetector(checkpoint_dir=Path(tmp_path)).checkpoint_dir == str(tmp_path)
