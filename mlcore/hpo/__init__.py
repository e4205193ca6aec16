"""Hyperparameter optimisation with Optuna: the seed design's ``OptunaOptimizer``.

Each trial draws model parameters from a search space, builds a fresh model from them and
scores it with :func:`mlcore.validation.cross_validate` on the walk-forward splitter it is
given (purged, so no label window of a training row reaches into its test block). A
trial's value is the mean over the folds of the metric; after every fold the running mean
is reported to Optuna, which prunes unpromising trials (``MedianPruner`` by default).

Objectives are model metrics registered with the host (``f1_score``, ``log_loss`` ...,
scored on each fold), or trading objectives scored on the out-of-fold signals
(:data:`TRADING_OBJECTIVES`: ``max_drawdown``, ``sharpe_ratio``, ``total_return``). Several
objectives make a multi-objective study whose answer is a Pareto front.

Studies live in memory, or in a storage URL that many processes or machines share
(``sqlite:///optuna.db``, any SQLAlchemy URL, ``journal:///optuna.log``). Create a shared
study once (:func:`create_study`) before the workers (:meth:`OptunaOptimizer.run_worker`)
load it: concurrent first use of a fresh SQLite file races on creating its tables.

Optuna is an optional dependency (``pip install 'mlcore[hpo]'``), imported on first use.

The parts live in small modules: :mod:`.trading_objectives`, :mod:`.search_space`,
:mod:`.storage`, :mod:`.studies`, :mod:`.results` and :mod:`.optimizer`.
"""

from mlcore.hpo.optimizer import OptunaOptimizer, Progress
from mlcore.hpo.results import OptimizationResult, ParetoTrial
from mlcore.hpo.search_space import SearchSpace as SearchSpace
from mlcore.hpo.search_space import search_space_from_config
from mlcore.hpo.storage import open_storage
from mlcore.hpo.studies import Direction as Direction
from mlcore.hpo.studies import create_study
from mlcore.hpo.trading_objectives import (
    TRADING_OBJECTIVES,
    default_positions,
    max_drawdown,
    sharpe_ratio,
    total_return,
)

__all__ = [
    "TRADING_OBJECTIVES",
    "OptimizationResult",
    "OptunaOptimizer",
    "ParetoTrial",
    "Progress",
    "create_study",
    "default_positions",
    "max_drawdown",
    "open_storage",
    "search_space_from_config",
    "sharpe_ratio",
    "total_return",
]
