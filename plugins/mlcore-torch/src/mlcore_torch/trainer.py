"""The training loop: mini-batches of causal windows, early stopping, checkpoints, resume.

Every epoch shuffles the training rows with a seeded generator, takes Adam steps on
mini-batches of their windows, then scores the validation rows (no dropout, no gradient).
The weights with the lowest validation loss are kept; ``patience`` epochs without a lower
loss stop the fit, and the best weights are restored. With ``checkpoint_dir`` a checkpoint
is written after every epoch; ``resume=True`` continues from it and gives, bit for bit,
the network an uninterrupted fit gives (on the CPU; on CUDA with deterministic cuBLAS).

Random draws (weight initialisation, dropout, shuffling) come from generators seeded with
``random_state``; the process's global generators are left as they were.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import attrs
import torch
from torch import nn

from mlcore_torch.checkpoints import read_checkpoint, write_checkpoint
from mlcore_torch.devices import deterministic
from mlcore_torch.windows import window_batch

__all__ = ["EpochCallback", "TrainingData", "TrainingOutcome", "TrainingPlan", "train_network"]

#: Called after each epoch (and after its checkpoint is written) with the epoch number
#: (1-based) and its history record; an exception raised there stops the fit.
EpochCallback = Callable[[int, Mapping[str, float]], None]

#: Rows scored per forward pass when evaluating (no gradient, so memory is small).
EVALUATION_BATCH = 1024


@attrs.frozen
class TrainingPlan:
    """How to train: the loop's hyperparameters, the device and the checkpoint folder."""

    epochs: int
    batch_size: int
    learning_rate: float
    weight_decay: float
    patience: int
    random_state: int
    device: torch.device
    classification: bool
    checkpoint_dir: Path | None = None
    verbose: bool = False


@attrs.frozen(eq=False)
class TrainingData:
    """Padded rows (see :mod:`mlcore_torch.windows`) and targets, on the training device.

    ``fingerprint`` identifies the data and parameters: a checkpoint with another one is
    never resumed.
    """

    padded: torch.Tensor
    targets: torch.Tensor
    train_rows: torch.Tensor
    validation_rows: torch.Tensor
    sequence_length: int
    fingerprint: str


@attrs.frozen(eq=False)
class TrainingOutcome:
    """The best epoch (1-based), the number of epochs run, and the per-epoch history."""

    best_epoch: int
    epochs_run: int
    history: dict[str, list[float]]


@attrs.define(eq=False)
class _Progress:
    """What a checkpoint records besides the network and the optimizer."""

    epoch: int = 0
    finished: bool = False
    best_loss: float = float("inf")
    best_epoch: int = 0
    bad_epochs: int = 0
    best_state: dict[str, torch.Tensor] = attrs.field(factory=dict)
    history: dict[str, list[float]] = attrs.field(factory=dict)


def _copy_state(network: nn.Module) -> dict[str, torch.Tensor]:
    return {name: value.detach().clone() for name, value in network.state_dict().items()}


def _loss_function(classification: bool) -> nn.Module:
    return nn.CrossEntropyLoss() if classification else nn.MSELoss()


class _Loop:
    """One fit: the network, its optimizer, the generators and the progress so far."""

    def __init__(self, network: nn.Module, data: TrainingData, plan: TrainingPlan) -> None:
        self.network = network
        self.data = data
        self.plan = plan
        self.optimizer = torch.optim.Adam(
            network.parameters(), lr=plan.learning_rate, weight_decay=plan.weight_decay
        )
        self.shuffle = torch.Generator().manual_seed(plan.random_state)
        self.loss = _loss_function(plan.classification)
        self.offsets = torch.arange(data.sequence_length, device=plan.device)
        self.progress = _Progress()

    # -- checkpoints --------------------------------------------------------------------

    def checkpoint_state(self) -> dict[str, Any]:
        progress = self.progress
        state: dict[str, Any] = {
            "fingerprint": self.data.fingerprint,
            "model": self.network.state_dict(),
            "optimizer": self.optimizer.state_dict(),
            "cpu_rng": torch.get_rng_state(),
            "shuffle_rng": self.shuffle.get_state(),
            **attrs.asdict(progress, recurse=False),
        }
        if self.plan.device.type == "cuda":
            state["cuda_rng"] = torch.cuda.get_rng_state(self.plan.device)
        return state

    def restore(self, state: Mapping[str, Any], folder: Path) -> None:
        if state.get("fingerprint") != self.data.fingerprint:
            raise ValueError(
                f"the checkpoint in {folder} was written by a fit on other data or with other "
                "parameters (epochs, batch size, architecture ...); resume with the same data "
                "and parameters, or fit with resume=False to start over (it overwrites the "
                "checkpoint)"
            )
        self.network.load_state_dict(state["model"])
        self.optimizer.load_state_dict(state["optimizer"])
        torch.set_rng_state(state["cpu_rng"])
        self.shuffle.set_state(state["shuffle_rng"])
        if "cuda_rng" in state and self.plan.device.type == "cuda":
            torch.cuda.set_rng_state(state["cuda_rng"], self.plan.device)
        fields = {f.name for f in attrs.fields(_Progress)}
        self.progress = _Progress(**{name: state[name] for name in fields})

    # -- epochs -------------------------------------------------------------------------

    def train_epoch(self) -> tuple[float, float]:
        """One pass over the shuffled training rows: (mean loss, accuracy or NaN)."""
        rows = self.data.train_rows
        order = rows[torch.randperm(len(rows), generator=self.shuffle).to(rows.device)]
        self.network.train()
        total = torch.zeros((), device=self.plan.device)
        correct = torch.zeros((), device=self.plan.device)
        for start in range(0, len(order), self.plan.batch_size):
            batch = order[start : start + self.plan.batch_size]
            output = self.network(window_batch(self.data.padded, batch, self.offsets))
            target = self.data.targets[batch]
            loss = self.loss(output, target)
            self.optimizer.zero_grad(set_to_none=True)
            loss.backward()
            self.optimizer.step()
            total += loss.detach() * len(batch)
            if self.plan.classification:
                correct += (output.detach().argmax(dim=1) == target).sum()
        return self._means(total, correct, len(order))

    @torch.no_grad()
    def evaluate(self, rows: torch.Tensor) -> tuple[float, float]:
        """Mean loss and accuracy (NaN for a regressor) on ``rows``, without dropout."""
        if not len(rows):
            return float("nan"), float("nan")
        self.network.eval()
        total = torch.zeros((), device=self.plan.device)
        correct = torch.zeros((), device=self.plan.device)
        for start in range(0, len(rows), EVALUATION_BATCH):
            batch = rows[start : start + EVALUATION_BATCH]
            output = self.network(window_batch(self.data.padded, batch, self.offsets))
            target = self.data.targets[batch]
            total += self.loss(output, target) * len(batch)
            if self.plan.classification:
                correct += (output.argmax(dim=1) == target).sum()
        return self._means(total, correct, len(rows))

    def _means(self, total: torch.Tensor, correct: torch.Tensor, rows: int) -> tuple[float, float]:
        accuracy = float(correct) / rows if self.plan.classification else float("nan")
        return float(total) / rows, accuracy

    def record(
        self, epoch: int, train: tuple[float, float], validation: tuple[float, float]
    ) -> dict[str, float]:
        values = {"epoch": float(epoch), "train_loss": train[0]}
        if self.plan.classification:
            values["train_accuracy"] = train[1]
        if len(self.data.validation_rows):
            values["val_loss"] = validation[0]
            if self.plan.classification:
                values["val_accuracy"] = validation[1]
        for key, value in values.items():
            self.progress.history.setdefault(key, []).append(value)
        return values

    def update_best(self, epoch: int, validation_loss: float) -> None:
        """Keep the weights of the lowest validation loss (the latest without validation)."""
        progress = self.progress
        progress.epoch = epoch
        if not len(self.data.validation_rows) or validation_loss < progress.best_loss:
            progress.best_loss = validation_loss
            progress.best_epoch = epoch
            progress.best_state = _copy_state(self.network)
            progress.bad_epochs = 0
        else:
            progress.bad_epochs += 1
        if progress.bad_epochs >= self.plan.patience or epoch >= self.plan.epochs:
            progress.finished = True


def _progress_bar(plan: TrainingPlan, start: int) -> Any:
    from tqdm.auto import tqdm

    shown = plan.verbose and sys.stderr.isatty()
    return tqdm(total=plan.epochs, initial=start, unit="epoch", desc="fit", disable=not shown)


def train_network(
    build: Callable[[], nn.Module],
    data: TrainingData,
    plan: TrainingPlan,
    *,
    resume: bool = False,
    on_epoch_end: EpochCallback | None = None,
) -> tuple[nn.Module, TrainingOutcome]:
    """Build the network (seeded), train it, and return it with the best weights loaded."""
    cuda = [plan.device] if plan.device.type == "cuda" else []
    with torch.random.fork_rng(devices=cuda), deterministic():
        torch.manual_seed(plan.random_state)
        network = build().to(plan.device)
        loop = _Loop(network, data, plan)
        folder = plan.checkpoint_dir
        if resume and folder is not None:
            state = read_checkpoint(folder)
            if state is not None:
                loop.restore(state, folder)
        _run_epochs(loop, plan, on_epoch_end)
    progress = loop.progress
    if progress.best_state:
        network.load_state_dict(progress.best_state)
    network.eval()
    return network, TrainingOutcome(
        best_epoch=progress.best_epoch, epochs_run=progress.epoch, history=progress.history
    )


def _run_epochs(loop: _Loop, plan: TrainingPlan, on_epoch_end: EpochCallback | None) -> None:
    with _progress_bar(plan, loop.progress.epoch) as bar:
        while not loop.progress.finished:
            epoch = loop.progress.epoch + 1
            train = loop.train_epoch()
            validation = loop.evaluate(loop.data.validation_rows)
            record = loop.record(epoch, train, validation)
            loop.update_best(epoch, validation[0])
            if plan.checkpoint_dir is not None:
                write_checkpoint(plan.checkpoint_dir, loop.checkpoint_state())
            bar.update(1)
            bar.set_postfix({k: round(v, 4) for k, v in record.items() if k != "epoch"})
            if on_epoch_end is not None:
                on_epoch_end(epoch, record)
