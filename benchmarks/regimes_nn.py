"""Neural regime detector benchmark: training throughput, single-sequence latency, teacher accuracy.

    python benchmarks/regimes_nn.py                 # everything
    python benchmarks/regimes_nn.py --quick         # fewer epochs and repetitions
    python benchmarks/regimes_nn.py --only train    # one part: train, latency or teacher
    python benchmarks/regimes_nn.py --threads 2     # torch intra-op threads (default 1)

Every figure is printed next to a reference measured in the same run (issue 5's targets):

(a) CPU training of ``NNRegimeDetector`` (LSTM, hidden 64, 2 layers, the defaults) on
    10,000 sequences of 60 bars, against a plain hand-written PyTorch loop training the same
    network on the same windows (pre-built in memory) with the same batch size, optimizer
    and shuffling. The two alternate and the best of each is kept: on a shared machine
    another process's load only ever adds time. Target: >= 1,500 sequences/s; the ratio is
    mlcore's overhead.
(b) Single-sequence inference: ``predict_proba_latest`` (the newest bar's regime
    probabilities from the last 60 bars, float32) against the bare network forward pass on
    a pre-built window tensor, and the float64 ``predict_proba`` on the same 60 bars.
    Target: median <= 1 ms.
(c) Teacher reproduction: ``HMMRegimeDetector`` fit on the first 4,000 bars of a synthetic
    market gives filtered labels for every bar; the LSTM detector learns the first 4,000
    and is scored on the 2,000 held-out bars, against always answering the most common
    held-out label; "balanced" is the mean over the teacher's labels of the share of that
    label's bars the detector reproduces. Target: >= 85% agreement.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
from collections.abc import Callable
from typing import Any

import numpy as np

from mlcore._table import format_table
from mlcore.data import synthetic_ohlcv

SEQUENCES = 10_000
LENGTH = 60


def paired_medians(functions: list[Callable[[], object]], repeat: int) -> list[float]:
    """Median seconds of each function, called in turn so that all see the same load."""
    times: list[list[float]] = [[] for _ in functions]
    for round_ in range(repeat + 20):  # the first 20 rounds warm up
        for function, spent in zip(functions, times, strict=True):
            start = time.perf_counter()
            function()
            if round_ >= 20:
                spent.append(time.perf_counter() - start)
    return [statistics.median(spent) for spent in times]


# ---------------------------------------------------------------------------
# (a) training throughput against a plain PyTorch loop
# ---------------------------------------------------------------------------


def plain_torch_fit(windows: Any, labels: Any, epochs: int, batch_size: int) -> float:
    """Seconds of a minimal training loop of the detector's default network."""
    import torch
    from torch import nn

    torch.manual_seed(0)
    lstm = nn.LSTM(windows.shape[2], 64, 2, batch_first=True, dropout=0.1)
    head = nn.Linear(64, 3)
    optimizer = torch.optim.Adam([*lstm.parameters(), *head.parameters()], lr=1e-3)
    generator = torch.Generator().manual_seed(0)
    start = time.perf_counter()
    for _ in range(epochs):
        order = torch.randperm(len(windows), generator=generator)
        for begin in range(0, len(order), batch_size):
            batch = order[begin : begin + batch_size]
            hidden, _ = lstm(windows[batch])
            loss = nn.functional.cross_entropy(head(hidden[:, -1]), labels[batch])
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            optimizer.step()
    return time.perf_counter() - start


def mlcore_fit(ohlcv: Any, labels: np.ndarray, epochs: int, batch_size: int) -> float:
    from mlcore_torch import NNRegimeDetector

    detector = NNRegimeDetector(validation_fraction=0.0, device="cpu", verbose=False)
    start = time.perf_counter()
    detector.fit(ohlcv, labels, epochs=epochs, batch_size=batch_size)
    return time.perf_counter() - start


def bench_training(epochs: int, batch_sizes: list[int], rounds: int) -> list[list[object]]:
    import torch
    from mlcore_torch.regime_inputs import regime_inputs
    from mlcore_torch.windows import Standardiser, padded_rows, windows_view

    market = synthetic_ohlcv(n=SEQUENCES, seed=5)
    labels = market.regimes.to_numpy()
    matrix = regime_inputs(market.ohlcv).matrix
    padded = padded_rows(Standardiser.fit(matrix).transform(matrix), LENGTH)
    windows = windows_view(torch.from_numpy(padded).float(), LENGTH).contiguous()
    targets = torch.tensor(labels)
    rows = []
    for batch_size in batch_sizes:
        ours, plain = [], []
        for _ in range(rounds):
            ours.append(mlcore_fit(market.ohlcv, labels, epochs, batch_size))
            plain.append(plain_torch_fit(windows, targets, epochs, batch_size))
        sequences = SEQUENCES * epochs
        rows.append(
            [
                batch_size,
                torch.get_num_threads(),
                round(sequences / min(ours)),
                round(sequences / min(plain)),
                min(ours) / min(plain),
            ]
        )
    return rows


# ---------------------------------------------------------------------------
# (b) single-sequence latency
# ---------------------------------------------------------------------------


def bench_latency(repeat: int) -> list[list[object]]:
    import torch
    from mlcore_torch import NNRegimeDetector

    market = synthetic_ohlcv(n=1_000, seed=5)
    rows = []
    for architecture in ("lstm", "transformer"):
        detector = NNRegimeDetector(architecture=architecture, device="cpu", verbose=False)
        detector.fit(market.ohlcv, market.regimes, epochs=1)
        bars = market.ohlcv.iloc[-(LENGTH + 1) :]
        window = torch.randn(1, LENGTH, 3)
        network = detector.network_

        def bare(network: Any = network, window: Any = window) -> None:
            with torch.inference_mode():
                network(window)

        def latest(detector: Any = detector, bars: Any = bars) -> None:
            detector.predict_proba_latest(bars)

        def full(detector: Any = detector, bars: Any = bars) -> None:
            detector.predict_proba(bars.iloc[1:])

        latest_seconds, forward_seconds = paired_medians([latest, bare], repeat)
        (full_seconds,) = paired_medians([full], repeat // 10)
        rows.append(
            [
                architecture,
                latest_seconds * 1e6,
                forward_seconds * 1e6,
                latest_seconds / forward_seconds,
                full_seconds * 1e6,
            ]
        )
    return rows


# ---------------------------------------------------------------------------
# (c) reproduction of HMM teacher labels
# ---------------------------------------------------------------------------


def bench_teacher(epochs: int) -> list[list[object]]:
    from mlcore_hmm import HMMRegimeDetector
    from mlcore_torch import NNRegimeDetector

    market = synthetic_ohlcv(n=6_000, seed=4)
    train = 4_000
    teacher = HMMRegimeDetector(n_restarts=3, random_state=0).fit(market.ohlcv.iloc[:train])
    labels = teacher.predict(market.ohlcv)  # filtered: row t uses bars up to t
    held_out = labels[train:]
    truth = market.regimes.to_numpy()[train:]
    majority = np.bincount(held_out).max() / len(held_out)
    rows = []
    for architecture in ("lstm", "transformer"):
        start = time.perf_counter()
        detector = NNRegimeDetector(
            architecture=architecture, device="cpu", patience=5, verbose=False
        ).fit(market.ohlcv.iloc[:train], labels[:train], epochs=epochs)
        seconds = time.perf_counter() - start
        predicted = detector.predict(market.ohlcv)[train:]
        recalls = [(predicted[held_out == k] == k).mean() for k in np.unique(held_out)]
        rows.append(
            [
                architecture,
                detector.n_epochs_,
                seconds,
                float((predicted == held_out).mean()),
                float(np.mean(recalls)),
                float(majority),
                float((held_out == truth).mean()),
            ]
        )
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--quick", action="store_true", help="fewer epochs and repetitions")
    parser.add_argument("--only", choices=("train", "latency", "teacher"))
    parser.add_argument("--threads", type=int, default=1, help="torch intra-op threads")
    parser.add_argument(
        "--batch-size", type=int, action="append", help="training batch size (repeatable)"
    )
    args = parser.parse_args()
    os.environ.setdefault("OMP_NUM_THREADS", str(args.threads))
    import torch

    torch.set_num_threads(args.threads)
    print(f"torch {torch.__version__}, {args.threads} thread(s), CPU\n")

    if args.only in (None, "train"):
        epochs = 1 if args.quick else 2
        rows = bench_training(epochs, args.batch_size or [32, 64], 1 if args.quick else 2)
        print(f"(a) training, {SEQUENCES:,} sequences x {LENGTH} bars, {epochs} epoch(s)")
        print(
            format_table(
                rows,
                ["batch", "threads", "mlcore seq/s", "plain torch seq/s", "time ratio"],
            )
        )
        print("    target: >= 1,500 sequences/s\n")
    if args.only in (None, "latency"):
        rows = bench_latency(200 if args.quick else 1_000)
        print(f"(b) one sequence of {LENGTH} bars, median")
        print(
            format_table(
                rows,
                [
                    "network",
                    "predict_proba_latest us",
                    "bare forward us",
                    "ratio",
                    "predict_proba (60 rows, float64) us",
                ],
            )
        )
        print("    target: predict_proba_latest <= 1,000 us\n")
    if args.only in (None, "teacher"):
        epochs = 15 if args.quick else 40
        rows = bench_teacher(epochs)
        print("(c) HMM teacher labels reproduced on 2,000 held-out bars (trained on 4,000)")
        print(
            format_table(
                rows,
                [
                    "network",
                    "epochs",
                    "fit s",
                    "agreement",
                    "balanced",
                    "majority label",
                    "HMM vs true regime",
                ],
            )
        )
        print("    target: agreement >= 0.85")


if __name__ == "__main__":
    main()
