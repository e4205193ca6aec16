"""OptunaOptimizer: walk-forward objective, pruning, multi-objective, shared storage, plots.

The data: a feature ``signal`` that carries the sign of the next return, and noise
columns. The model picks its columns from the search space, so the ``noise`` regime is
clearly worse (and gets pruned), and the ``broken`` regime raises (a failed trial).
"""

from __future__ import annotations

import math
import os
import subprocess
import sys
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

from mlcore.config import HpoConfig
from mlcore.errors import ConfigError, MissingExtraError, MlcoreError
from mlcore.host import PluginHost
from mlcore.labels import Labels
from mlcore.validation import PurgedWalkForward, cross_validate

TESTS = Path(__file__).parent
REPO = TESTS.parent
SPACE: dict[str, Any] = {
    "columns": ["signal", "noise"],
    "C": {"type": "float", "low": 1e-3, "high": 10.0, "log": True},
}
NOISE = ["noise0", "noise1", "noise2"]


# ---------------------------------------------------------------------------
# Data, model and helpers (also imported by the worker processes)
# ---------------------------------------------------------------------------


def make_data(n: int = 1500, seed: int = 0) -> tuple[pd.DataFrame, pd.Series, pd.Series, pd.Series]:
    """Features, binary labels, label end times (one bar ahead) and forward returns."""
    rng = np.random.default_rng(seed)
    index = pd.date_range("2020-01-01", periods=n, freq="D", tz="UTC")
    signal = rng.normal(size=n)
    forward = 0.01 * (0.6 * signal + rng.normal(size=n))
    X = pd.DataFrame(
        {"signal": signal + 0.3 * rng.normal(size=n), **{c: rng.normal(size=n) for c in NOISE}},
        index=index,
    )
    y = pd.Series((forward > 0).astype(int), index=index, name="direction")
    t1 = pd.Series(index + pd.Timedelta(days=1), index=index)
    t1.iloc[-1] = index[-1]
    returns = pd.Series(forward, index=index, name="forward_return")
    return X, y, t1, returns


class Picky:
    """Logistic regression on the columns its ``columns`` parameter picks."""

    def __init__(self, columns: str = "signal", C: float = 1.0) -> None:
        self.columns = columns
        self.C = C

    @staticmethod
    def search_space(trial: Any) -> dict[str, Any]:
        return {"columns": "signal", "C": trial.suggest_float("C", 1e-2, 1.0, log=True)}

    def _pick(self, X: pd.DataFrame) -> pd.DataFrame:
        if self.columns == "broken":
            raise ValueError("the broken regime cannot fit")
        return X[["signal"]] if self.columns == "signal" else X[NOISE]

    def fit(self, X: pd.DataFrame, y: Any) -> Picky:
        from sklearn.linear_model import LogisticRegression

        self.model_ = LogisticRegression(C=self.C).fit(self._pick(X), y)
        return self

    def predict(self, X: pd.DataFrame) -> np.ndarray:
        return np.asarray(self.model_.predict(self._pick(X)))

    def predict_proba(self, X: pd.DataFrame) -> np.ndarray:
        return np.asarray(self.model_.predict_proba(self._pick(X)))


def quiet_host() -> PluginHost:
    """The kernel's builtins only: the installed plugins stay out of these tests."""
    return PluginHost.from_config({"plugins": {"autoload": False}}).load()


def make_optimizer(**kwargs: Any) -> Any:
    from mlcore.hpo import OptunaOptimizer

    settings: dict[str, Any] = {"search_space": SPACE, "n_trials": 12, "host": quiet_host()}
    settings.update(kwargs)
    return OptunaOptimizer(Picky, **settings)


CV = PurgedWalkForward(n_splits=4)


@pytest.fixture
def optuna() -> Iterator[Any]:
    module = pytest.importorskip("optuna", exc_type=ImportError)
    verbosity = module.logging.get_verbosity()
    module.logging.set_verbosity(module.logging.WARNING)
    yield module
    module.logging.set_verbosity(verbosity)


@pytest.fixture(scope="module")
def data() -> tuple[pd.DataFrame, pd.Series, pd.Series, pd.Series]:
    return make_data()


def dominates(a: Any, b: Any, directions: Any) -> bool:
    """a is at least as good as b on every objective and better on one."""
    signs = [1.0 if d == "maximize" else -1.0 for d in directions]
    better_or_equal = all(s * x >= s * y for x, y, s in zip(a, b, signs, strict=True))
    return better_or_equal and any(s * x > s * y for x, y, s in zip(a, b, signs, strict=True))


# ---------------------------------------------------------------------------
# The done-when: pruning, and two worker processes on one storage
# ---------------------------------------------------------------------------


def test_a_study_of_20_trials_prunes_unpromising_trials_fold_by_fold(
    optuna: Any, data: Any
) -> None:
    X, y, t1, _ = data
    optimizer = make_optimizer(
        n_trials=20, pruner=optuna.pruners.MedianPruner(n_startup_trials=3), sampler="random"
    )
    result = optimizer.optimize(X, y, cv=CV, t1=t1)

    states = [t.state.name for t in result.study.trials]
    assert result.n_trials == len(states) == 20
    assert result.n_pruned == states.count("PRUNED") > 0
    assert result.n_complete == states.count("COMPLETE")
    assert result.n_complete + result.n_pruned == 20
    for trial in result.study.trials:
        steps = sorted(trial.intermediate_values)
        if trial.state.name == "PRUNED":
            assert len(steps) < CV.n_splits  # stopped before the last fold
        else:
            assert steps == list(range(CV.n_splits))
            # the last report is the running mean over all folds: the trial's value
            assert trial.intermediate_values[CV.n_splits - 1] == pytest.approx(trial.value)
    pruned = result.history[result.history.state == "PRUNED"]
    assert (pruned.params_columns == "noise").mean() > 0.5
    assert result.best_params["columns"] == "signal"
    assert result.best_value is not None
    assert result.best_value > 0.6


WORKER = """\
import sys
sys.path.insert(0, {tests!r})
import optuna
optuna.logging.set_verbosity(optuna.logging.WARNING)
from test_hpo import CV, make_data, make_optimizer
X, y, t1, _ = make_data()
optimizer = make_optimizer(storage={storage!r}, study_name="shared", n_trials={n})
result = optimizer.run_worker(X, y, cv=CV, t1=t1, worker=sys.argv[1])
print("worker", sys.argv[1], "saw", result.n_trials, "trials")
"""


def run_workers(storage: str, n: int, tmp_path: Path) -> None:
    script = tmp_path / "worker.py"
    script.write_text(WORKER.format(tests=str(TESTS), storage=storage, n=n), encoding="utf-8")
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(REPO), os.environ.get("PYTHONPATH", "")]),
    }
    workers = [
        subprocess.Popen(
            [sys.executable, str(script), name],
            cwd=tmp_path,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        for name in ("w1", "w2")
    ]
    for worker in workers:
        output, _ = worker.communicate(timeout=120)
        assert worker.returncode == 0, output


@pytest.mark.parametrize("kind", ["sqlite", "journal"])
def test_two_worker_processes_share_one_storage(
    optuna: Any, data: Any, tmp_path: Path, kind: str
) -> None:
    from mlcore.hpo import OptunaOptimizer, open_storage

    url = f"{kind}:///{tmp_path}/study.{'db' if kind == 'sqlite' else 'log'}"
    n = 3
    # created ONCE, before the workers load it
    make_optimizer(storage=url, study_name="shared").create_study()
    run_workers(url, n, tmp_path)

    study = optuna.load_study(study_name="shared", storage=open_storage(url))
    trials = study.get_trials(deepcopy=False)
    assert len(trials) == 2 * n
    by_worker = pd.Series([t.user_attrs["worker"] for t in trials]).value_counts()
    assert by_worker.to_dict() == {"w1": n, "w2": n}
    assert all(t.state.name in ("COMPLETE", "PRUNED") for t in trials)

    # the same study seen from this process: the result counts every worker's trials
    X, y, t1, _ = data
    optimizer: OptunaOptimizer = make_optimizer(storage=url, study_name="shared")
    result = optimizer.run_worker(X, y, cv=CV, t1=t1, n_trials=1, worker="w3")
    assert result.n_trials == 2 * n + 1
    assert result.storage == url
    assert set(result.history.worker) == {"w1", "w2", "w3"}


def test_workers_seed_their_samplers_apart(optuna: Any, data: Any, tmp_path: Path) -> None:
    X, y, t1, _ = data
    url = f"sqlite:///{tmp_path}/seeds.db"
    make_optimizer(storage=url, study_name="s").create_study()
    first = make_optimizer(storage=url, study_name="s", n_trials=2, pruner="none")
    first.run_worker(X, y, cv=CV, t1=t1, worker="a")
    second = make_optimizer(storage=url, study_name="s", n_trials=2, pruner="none")
    result = second.run_worker(X, y, cv=CV, t1=t1, worker="b")
    history = result.history
    a, b = history[history.worker == "a"], history[history.worker == "b"]
    assert set(a.params_C).isdisjoint(b.params_C)


# ---------------------------------------------------------------------------
# The objective
# ---------------------------------------------------------------------------


def test_the_objective_is_the_mean_walk_forward_cv_score(
    optuna: Any, data: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    import mlcore.hpo.optimizer
    from mlcore.builtins.metrics import f1_score

    X, y, t1, _ = data
    calls: list[dict[str, Any]] = []

    def spy(factory: Any, X_: Any, y_: Any, **kwargs: Any) -> Any:
        calls.append(kwargs)
        return cross_validate(factory, X_, y_, **kwargs)

    monkeypatch.setattr(mlcore.hpo.optimizer, "cross_validate", spy)
    result = make_optimizer(n_trials=6, pruner="none").optimize(X, y, cv=CV, t1=t1)

    assert len(calls) == 6
    assert all(call["cv"] is CV and call["t1"] is t1 for call in calls)
    assert all(set(call["scorers"]) == {"f1_score"} for call in calls)
    # recomputed independently: the mean F1 over the walk-forward folds
    expected = cross_validate(
        lambda: Picky(**result.best_params), X, y, cv=CV, t1=t1, scorers={"f1": f1_score}
    )
    assert result.best_value == pytest.approx(expected.scores["f1"].mean(), abs=1e-12)
    best = result.study.trials[result.best_trial]
    assert best.user_attrs["fold_scores"]["f1_score"] == pytest.approx(
        expected.scores["f1"].tolist()
    )


def test_a_failing_trial_is_recorded_and_the_study_goes_on(optuna: Any, data: Any) -> None:
    X, y, t1, _ = data
    space = {**SPACE, "columns": ["signal", "broken"]}
    result = make_optimizer(search_space=space, n_trials=10, sampler="random").optimize(
        X, y, cv=CV, t1=t1
    )
    history = result.history
    failed = history[history.state == "FAIL"]
    assert result.n_trials == len(result.study.trials) == len(history) == 10
    assert result.n_failed == len(failed) > 0
    assert (failed.params_columns == "broken").all()
    assert failed.error.str.contains("ValueError: the broken regime cannot fit").all()
    assert result.n_complete + result.n_pruned + result.n_failed == 10
    assert result.best_params["columns"] == "signal"


def test_no_complete_trial_raises_with_the_first_error(optuna: Any, data: Any) -> None:
    X, y, t1, _ = data
    optimizer = make_optimizer(search_space={"columns": "broken"}, n_trials=2)
    with pytest.raises(MlcoreError, match=r"no trial .* completed .*the broken regime"):
        optimizer.optimize(X, y, cv=CV, t1=t1)


def test_best_params_are_reproducible_with_a_seed(optuna: Any, data: Any) -> None:
    X, y, t1, _ = data
    runs = [make_optimizer(seed=7).optimize(X, y, cv=CV, t1=t1) for _ in range(2)]
    other = make_optimizer(seed=8).optimize(X, y, cv=CV, t1=t1)
    assert runs[0].best_params == runs[1].best_params
    columns = ["state", "value", "params_C", "params_columns"]
    pd.testing.assert_frame_equal(runs[0].history[columns], runs[1].history[columns])
    assert runs[0].history.params_C.tolist() != other.history.params_C.tolist()


def test_the_default_search_space_is_the_model_classs(optuna: Any, data: Any) -> None:
    X, y, t1, _ = data
    result = make_optimizer(search_space=None, n_trials=3).optimize(X, y, cv=CV, t1=t1)
    assert set(result.best_params) == {"columns", "C"}
    assert 1e-2 <= result.best_params["C"] <= 1.0
    assert list(result.study.best_trial.params) == ["C"]


def test_a_model_found_by_its_registered_name(optuna: Any, data: Any) -> None:
    from mlcore import hookimpl
    from mlcore.hpo import OptunaOptimizer

    class Plugin:
        @hookimpl
        def mlcore_register_models(self, registry: Any) -> None:
            registry.add("picky", Picky)

    host = quiet_host()
    host.register_plugin(Plugin(), distribution="picky-plugin", name="picky")
    X, y, t1, _ = data
    optimizer = OptunaOptimizer("picky", host=host, n_trials=2, model_params={"C": 0.5})
    result = optimizer.optimize(X, y, cv=CV, t1=t1)
    assert isinstance(optimizer.build_model(result.best_params), Picky)
    assert optimizer.build_model().C == 0.5


def test_progress_reports_each_trial(optuna: Any, data: Any) -> None:
    X, y, t1, _ = data
    seen: list[tuple[int, int | None, float | None]] = []
    make_optimizer(n_trials=5).optimize(X, y, cv=CV, t1=t1, progress=lambda *a: seen.append(a))
    assert [done for done, _, _ in seen] == [1, 2, 3, 4, 5]
    assert {total for _, total, _ in seen} == {5}
    bests = [best for _, _, best in seen if best is not None]
    assert bests == sorted(bests)


def test_parallel_trials_in_threads(optuna: Any, data: Any) -> None:
    X, y, t1, _ = data
    result = make_optimizer(n_trials=8, n_jobs=2).optimize(X, y, cv=CV, t1=t1)
    assert result.n_trials == 8
    assert result.n_complete + result.n_pruned == 8


# ---------------------------------------------------------------------------
# Multi-objective and trading objectives
# ---------------------------------------------------------------------------


def test_multi_objective_pareto_front_is_non_dominated(optuna: Any, data: Any) -> None:
    X, y, t1, returns = data
    optimizer = make_optimizer(metric=["f1_score", "max_drawdown"], n_trials=16)
    assert optimizer.directions == ("maximize", "maximize")  # drawdowns are <= 0
    result = optimizer.optimize(X, y, cv=CV, t1=t1, returns=returns)

    assert result.best_value is None
    assert result.objectives == ("f1_score", "max_drawdown")
    complete = [t for t in result.study.trials if t.state.name == "COMPLETE"]
    assert len(complete) == result.n_complete == 16  # multi-objective trials are never pruned
    front = result.pareto_front
    assert front
    for member in front:
        assert not any(dominates(t.values, member.values, result.directions) for t in complete)
    numbers = {member.number for member in front}
    for trial in complete:
        if trial.number not in numbers:
            assert any(dominates(m.values, trial.values, result.directions) for m in front)
    assert result.best_trial in numbers
    assert all(-1.0 <= m.values[1] <= 0.0 for m in front)


def test_trading_objectives_by_hand() -> None:
    from mlcore.hpo import default_positions, max_drawdown, sharpe_ratio, total_return

    returns = np.array([0.10, -0.50, 0.20])
    # equity 1.10, 0.55, 0.66: the peak 1.10 falls to 0.55
    assert max_drawdown(None, returns) == pytest.approx(-0.5)
    assert total_return(None, returns) == pytest.approx(1.1 * 0.5 * 1.2 - 1)
    mean, std = -0.2 / 3, np.sqrt(((returns + 0.2 / 3) ** 2).sum() / 2)
    assert sharpe_ratio(None, returns, periods_per_year=4) == pytest.approx(mean / std * 2)
    assert max_drawdown(None, np.array([0.01, 0.02])) == 0.0
    assert max_drawdown(None, np.array([-2.0])) == -1.0  # ruin, not a negative balance
    assert max_drawdown.greater_is_better is True
    assert max_drawdown.needs == "returns"

    predictions = np.array([0, 1, 1, 0])
    assert default_positions(predictions, [0, 1]).tolist() == [-1, 1, 1, -1]
    assert default_positions(np.array([0, 1, 2]), [0, 1, 2]).tolist() == [-1, 0, 1]
    assert default_positions(np.array([-0.3, 0.2]), None).tolist() == [-1, 1]
    with pytest.raises(ValueError, match="positions="):
        default_positions(np.array([3]), [3, 4])


def test_trading_objective_scores_the_out_of_fold_signal_returns(optuna: Any, data: Any) -> None:
    from mlcore.builtins.metrics import f1_score
    from mlcore.hpo import total_return

    X, y, t1, returns = data
    result = make_optimizer(
        metric="total_return", search_space={"columns": "signal", "C": 1.0}, n_trials=1
    ).optimize(X, y, cv=CV, t1=t1, returns=returns)
    cv = cross_validate(Picky, X, y, cv=CV, t1=t1, scorers={"f1": f1_score})
    tested = cv.oof_predictions.notna()
    positions = np.where(cv.oof_predictions[tested] == 1, 1.0, -1.0)
    by_hand = np.prod(1 + positions * returns[tested].to_numpy()) - 1
    assert result.best_value == pytest.approx(by_hand)
    assert result.best_value == pytest.approx(total_return(None, positions * returns[tested]))
    assert result.directions == ("maximize",)


def test_labels_bring_their_returns_and_positions_can_be_custom(optuna: Any, data: Any) -> None:
    X, y, t1, returns = data
    labels = Labels(y=y.astype(float), t1=t1, kind="binary", returns=np.log1p(returns))
    long_only = make_optimizer(
        metric="total_return",
        search_space={"columns": "signal", "C": 1.0},
        n_trials=1,
        positions=lambda predictions: (predictions == 1).astype(float),
    )
    both = make_optimizer(
        metric="total_return", search_space={"columns": "signal", "C": 1.0}, n_trials=1
    )
    with_labels = both.optimize(X, labels, cv=CV).best_value
    assert with_labels == pytest.approx(
        both.optimize(X, y, cv=CV, t1=t1, returns=returns).best_value
    )
    assert long_only.optimize(X, labels, cv=CV).best_value != pytest.approx(with_labels)


def test_a_trading_objective_needs_returns(optuna: Any, data: Any) -> None:
    X, y, t1, returns = data
    optimizer = make_optimizer(metric=["f1_score", "sharpe_ratio"])
    with pytest.raises(ValueError, match=r"optimize\(\.\.\., returns=\.\.\.\)"):
        optimizer.optimize(X, y, cv=CV, t1=t1)
    with pytest.raises(ValueError, match="missing or infinite value"):
        optimizer.optimize(X, y, cv=CV, t1=t1, returns=returns.where(returns.index.day != 3))


def test_a_trade_history_metric_is_refused_as_objective(optuna: Any, data: Any) -> None:
    X, y, t1, _ = data
    with pytest.raises(ConfigError, match="'win_rate' scores a trade history") as caught:
        make_optimizer(metric=["f1_score", "win_rate"]).optimize(X, y, cv=CV, t1=t1)
    assert caught.value.key_path == "hpo.objectives"


# ---------------------------------------------------------------------------
# Plots
# ---------------------------------------------------------------------------


def check_png(path: Path) -> None:
    import matplotlib.image

    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert path.stat().st_size > 0
    image = matplotlib.image.imread(path)
    assert image.ndim == 3
    assert image.shape[0] > 50
    assert image.shape[1] > 50


def test_plots_are_written_as_png(optuna: Any, data: Any, tmp_path: Path) -> None:
    pytest.importorskip("matplotlib")
    X, y, t1, returns = data
    single = make_optimizer(n_trials=8).optimize(X, y, cv=CV, t1=t1)
    paths = single.save_plots(tmp_path / "single")
    assert [p.name for p in paths] == ["optimization_history.png", "param_importances.png"]

    multi = make_optimizer(metric=["f1_score", "max_drawdown"], n_trials=8).optimize(
        X, y, cv=CV, t1=t1, returns=returns
    )
    multi_paths = multi.save_plots(tmp_path / "multi")
    assert {p.name for p in multi_paths} == {
        "optimization_history_f1_score.png",
        "optimization_history_max_drawdown.png",
        "param_importances_f1_score.png",
        "param_importances_max_drawdown.png",
        "pareto_front.png",
    }
    for path in [*paths, *multi_paths]:
        assert path.parent.exists()
        check_png(path)


def test_param_importance_with_one_trial_is_skipped_with_a_warning(
    optuna: Any, data: Any, tmp_path: Path
) -> None:
    pytest.importorskip("matplotlib")
    X, y, t1, _ = data
    result = make_optimizer(n_trials=1).optimize(X, y, cv=CV, t1=t1)
    with pytest.warns(UserWarning, match="at least 2 complete trials"):
        paths = result.save_plots(tmp_path)
    assert [p.name for p in paths] == ["optimization_history.png"]
    check_png(paths[0])


# ---------------------------------------------------------------------------
# Config, storage and errors
# ---------------------------------------------------------------------------


def test_from_config_maps_every_key(optuna: Any, tmp_path: Path) -> None:
    from mlcore.hpo import OptunaOptimizer

    cfg = HpoConfig(
        n_trials=7,
        timeout=30.0,
        n_jobs=2,
        storage=f"sqlite:///{tmp_path}/c.db",
        study_name="cfg",
        sampler="random",
        pruner="none",
        search_space=SPACE,
    )
    optimizer = OptunaOptimizer.from_config(
        cfg, Picky, metric="log_loss", seed=3, host=quiet_host()
    )
    assert (optimizer.n_trials, optimizer.timeout, optimizer.n_jobs) == (7, 30.0, 2)
    assert (optimizer.storage, optimizer.study_name) == (cfg.storage, "cfg")
    assert (optimizer.sampler, optimizer.pruner, optimizer.seed) == ("random", "none", 3)
    # the default directions [maximize] give way to the metric's own
    assert optimizer.objectives == ("log_loss",)
    assert optimizer.directions == ("minimize",)

    multi = HpoConfig(objectives=["f1_score", "max_drawdown"], directions=["maximize", "maximize"])
    optimizer = OptunaOptimizer.from_config(multi, Picky, host=quiet_host())
    assert optimizer.objectives == ("f1_score", "max_drawdown")
    assert optimizer.is_multi_objective

    wrong = HpoConfig(objectives=["f1_score"], directions=["minimize"])
    with pytest.raises(ConfigError, match=r"hpo\.directions"):
        OptunaOptimizer.from_config(wrong, Picky, host=quiet_host())
    with pytest.raises(ConfigError, match=r"hpo\.sampler"):
        OptunaOptimizer.from_config(HpoConfig(sampler="grid"), Picky, host=quiet_host())
    with pytest.raises(ConfigError, match=r"hpo\.pruner"):
        OptunaOptimizer.from_config(HpoConfig(pruner="sometimes"), Picky, host=quiet_host())


@pytest.mark.parametrize(
    ("space", "key_path"),
    [
        ({"C": {"type": "float", "low": 1.0}}, "hpo.search_space.C.high"),
        ({"C": {"type": "float", "low": 2.0, "high": 1.0}}, "hpo.search_space.C.low"),
        ({"C": {"type": "float", "low": 0.0, "high": 1.0, "log": True}}, "hpo.search_space.C.low"),
        ({"C": {"type": "decimal", "low": 0.0, "high": 1.0}}, "hpo.search_space.C.type"),
        ({"C": {"type": "int", "low": 1.5, "high": 3}}, "hpo.search_space.C.low"),
        ({"C": {"type": "float", "low": 0, "high": 1, "base": 2}}, "hpo.search_space.C"),
        ({"k": {"type": "categorical", "choices": []}}, "hpo.search_space.k.choices"),
    ],
)
def test_a_bad_search_space_names_its_key(space: dict[str, Any], key_path: str) -> None:
    from mlcore.hpo import search_space_from_config

    with pytest.raises(ConfigError, match=f"config key '{key_path}'"):
        search_space_from_config(space)


def test_search_space_config_form_draws_each_kind(optuna: Any) -> None:
    from mlcore.hpo import search_space_from_config

    space = search_space_from_config(
        {
            "C": {"type": "float", "low": 1e-3, "high": 1.0, "log": True},
            "depth": {"type": "int", "low": 2, "high": 8, "step": 2},
            "criterion": {"type": "categorical", "choices": ["gini", "entropy"]},
            "penalty": ["l1", "l2"],
            "n_jobs": 1,
        }
    )
    study = optuna.create_study(sampler=optuna.samplers.RandomSampler(seed=0))
    for _ in range(10):
        params = space(study.ask())
        assert 1e-3 <= params["C"] <= 1.0
        assert params["depth"] in (2, 4, 6, 8)
        assert params["criterion"] in ("gini", "entropy")
        assert params["penalty"] in ("l1", "l2")
        assert params["n_jobs"] == 1


def test_run_worker_needs_a_shared_named_storage(optuna: Any, data: Any, tmp_path: Path) -> None:
    X, y, t1, _ = data
    with pytest.raises(ConfigError, match=r"hpo\.storage"):
        make_optimizer().run_worker(X, y, cv=CV, t1=t1)
    with pytest.raises(ConfigError, match=r"hpo\.study_name"):
        make_optimizer(storage=f"sqlite:///{tmp_path}/w.db").run_worker(X, y, cv=CV, t1=t1)


def test_a_study_with_other_objectives_is_refused(optuna: Any, tmp_path: Path) -> None:
    from mlcore.hpo import create_study

    url = f"journal:///{tmp_path}/j.log"
    create_study(url, "s", ["maximize"], objectives=["f1_score"])
    assert create_study(url, "s", ["maximize"], objectives=["f1_score"]).study_name == "s"
    with pytest.raises(ConfigError, match="has directions"):
        create_study(url, "s", ["minimize"], objectives=["log_loss"])
    with pytest.raises(ConfigError, match="optimises"):
        create_study(url, "s", ["maximize"], objectives=["accuracy"])


def test_storage_urls(optuna: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from mlcore.hpo import OptunaOptimizer, open_storage

    monkeypatch.chdir(tmp_path)
    journal = open_storage("journal:///nested/study.log")  # relative, like sqlite:///
    assert isinstance(journal, optuna.storages.JournalStorage)
    optuna.create_study(storage=journal, study_name="x")
    assert (tmp_path / "nested" / "study.log").exists()
    assert isinstance(open_storage(None), optuna.storages.InMemoryStorage)
    assert isinstance(open_storage("sqlite:///db/s.db"), optuna.storages.RDBStorage)
    with pytest.raises(ConfigError, match="journal:///"):
        open_storage("journal://study.log")
    secret = OptunaOptimizer(
        Picky, storage="postgresql://me:hunter2@db/optuna", search_space=SPACE, host=quiet_host()
    )
    assert "hunter2" not in repr(secret)


def test_directions_are_checked(optuna: Any) -> None:
    from mlcore.hpo import OptunaOptimizer

    with pytest.raises(ConfigError, match="one direction per objective"):
        make_optimizer(metric=["f1_score", "max_drawdown"], directions=["maximize"])
    with pytest.raises(ConfigError, match="does not say whether greater is better"):
        make_optimizer(metric=lambda y_true, y_pred: 0.0)
    custom = make_optimizer(metric=lambda y_true, y_pred: 0.0, directions="minimize")
    assert custom.directions == ("minimize",)
    with pytest.raises(ConfigError, match="declares no search_space"):
        OptunaOptimizer(lambda **p: Picky(**p), host=quiet_host())


def test_missing_optuna_names_the_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    from mlcore.hpo import open_storage

    monkeypatch.setitem(sys.modules, "optuna", None)
    with pytest.raises(MissingExtraError, match=r"pip install 'mlcore\[hpo\]'"):
        open_storage(None)


def test_result_summary_is_plain_data(optuna: Any, data: Any) -> None:
    import json

    X, y, t1, _ = data
    result = make_optimizer(n_trials=3).optimize(X, y, cv=CV, t1=t1)
    summary = json.loads(json.dumps(result.summary()))
    assert summary["n_trials"] == 3
    assert summary["best_params"] == result.best_params
    assert summary["best_values"] == {"f1_score": result.best_value}
    assert math.isfinite(summary["elapsed"])
    assert summary["storage"] == "in-memory"
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert "OptimizationResult(" in repr(result)


def test_max_total_trials_caps_a_shared_study(optuna: Any, data: Any, tmp_path: Path) -> None:
    X, y, t1, _ = data
    url = f"sqlite:///{tmp_path}/cap.db"
    make_optimizer(storage=url, study_name="cap").create_study()
    first = make_optimizer(storage=url, study_name="cap", n_trials=3)
    first.run_worker(X, y, cv=CV, t1=t1, worker="a")
    second = make_optimizer(storage=url, study_name="cap", n_trials=10)
    result = second.run_worker(X, y, cv=CV, t1=t1, worker="b", max_total_trials=5)
    assert result.n_trials == 5
    assert result.history.worker.value_counts().to_dict() == {"a": 3, "b": 2}
