"""What regime features cost the training job: the quickstart with and without them.

    python benchmarks/training_regimes.py              # 4,000 daily bars, as the quickstart
    python benchmarks/training_regimes.py --bars 2000 --restarts 1 5

Runs the quickstart job (``mlcore.training.QUICKSTART``: default features, LightGBM, five
purged walk-forward folds) without MLflow and reports, first with ``regimes.enabled:
false`` (the reference, measured in the same run), then with the ``hmm`` detector as
features for each ``n_restarts`` given. Each job fits one detector per fold plus the
final one; the table shows the job's seconds, the seconds of those fits
(``timings["regime_fits"]``) and the ratio of the job's time to the reference.
"""

from __future__ import annotations

import argparse
import copy
import time
import warnings
from typing import Any

from mlcore._table import format_table
from mlcore.config import config_from_dict
from mlcore.host import PluginHost
from mlcore.training import QUICKSTART, TrainingJob


def job_seconds(bars: int, regimes: dict[str, Any] | None) -> tuple[float, float, int]:
    """(seconds of the whole job, seconds of the regime fits, selected regime columns)."""
    layout = copy.deepcopy(dict(QUICKSTART))
    layout["data"]["params"]["n"] = bars
    layout["mlflow"] = {"enabled": False}
    layout["analytics"] = {"reports": []}
    if regimes is not None:
        layout["regimes"] = regimes
    config = config_from_dict(layout)
    host = PluginHost.from_config(config).load()
    started = time.perf_counter()
    result = TrainingJob(config, host).run()
    seconds = time.perf_counter() - started
    chosen = sum(name.startswith("regime_") for name in result.pipeline.selected_features)
    return seconds, result.timings.get("regime_fits", 0.0), chosen


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--bars", type=int, default=4000)
    parser.add_argument("--restarts", type=int, nargs="+", default=[1, 5])
    args = parser.parse_args()

    with warnings.catch_warnings():  # the tiny warm-up's folds may hold one class only
        warnings.simplefilter("ignore")
        job_seconds(500, None)  # warm-up: imports, numba caches
    reference, _, _ = job_seconds(args.bars, None)
    rows: list[list[object]] = [["regimes off (reference)", reference, "", "", 1.0]]
    for restarts in args.restarts:
        regimes = {"enabled": True, "detector": "hmm", "params": {"n_restarts": restarts}}
        seconds, fits, chosen = job_seconds(args.bars, regimes)
        label = f"hmm features, n_restarts={restarts}"
        rows.append([label, seconds, fits, chosen, seconds / reference])
    print(f"quickstart job on {args.bars} bars, 5 folds + final fit, no MLflow, no reports")
    headers = ["job", "seconds", "regime fits s", "regime columns selected", "ratio"]
    print(format_table(rows, headers))


if __name__ == "__main__":
    main()
