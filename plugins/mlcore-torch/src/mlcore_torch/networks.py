"""The networks: an LSTM or a causal Transformer encoder over a window, and a linear head.

Both read a window (batch, L, inputs) and give one output vector per window from its last
position (logits for a classifier, the standardised target for a regressor).
:meth:`SequenceNetwork.encode` gives every position's hidden state; position ``i``
depends on window positions ``<= i`` only: the LSTM runs forward in time, and the
Transformer's self-attention is masked with a causal (upper-triangular ``-inf``) mask.
"""

from __future__ import annotations

import math
from typing import Any

import attrs
import torch
from torch import nn

__all__ = ["ARCHITECTURES", "NetworkSpec", "PositionalEncoding", "SequenceNetwork", "causal_mask"]

ARCHITECTURES = ("lstm", "transformer")


@attrs.frozen
class NetworkSpec:
    """Everything that shapes a network; saved with the model to rebuild it."""

    architecture: str
    input_size: int
    hidden_size: int
    num_layers: int
    dropout: float
    n_heads: int
    n_outputs: int
    sequence_length: int

    def as_dict(self) -> dict[str, Any]:
        return attrs.asdict(self)


def causal_mask(length: int) -> torch.Tensor:
    """(length, length) additive attention mask: 0 on and below the diagonal, -inf above."""
    return torch.triu(torch.full((length, length), float("-inf")), diagonal=1)


class PositionalEncoding(nn.Module):
    """The sinusoidal position code of "Attention Is All You Need", added to the inputs."""

    code: torch.Tensor

    def __init__(self, width: int, length: int) -> None:
        super().__init__()
        position = torch.arange(length, dtype=torch.float64)[:, None]
        frequency = torch.exp(
            torch.arange(0, width, 2, dtype=torch.float64) * (-math.log(10_000.0) / width)
        )
        code = torch.zeros(length, width, dtype=torch.float64)
        code[:, 0::2] = torch.sin(position * frequency)
        code[:, 1::2] = torch.cos(position * frequency)[:, : width // 2]
        # Not persistent: rebuilt from the spec, so saved weights hold learned values only.
        self.register_buffer("code", code.float(), persistent=False)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x + self.code[: x.shape[1]]


class SequenceNetwork(nn.Module):
    """An LSTM or a causal Transformer encoder, then a linear head on the last position."""

    mask: torch.Tensor

    def __init__(self, spec: NetworkSpec) -> None:
        super().__init__()
        self.spec = spec
        width = spec.hidden_size
        if spec.architecture == "lstm":
            self.lstm = nn.LSTM(
                spec.input_size,
                width,
                spec.num_layers,
                batch_first=True,
                dropout=spec.dropout if spec.num_layers > 1 else 0.0,
            )
        elif spec.architecture == "transformer":
            self.embed = nn.Linear(spec.input_size, width)
            self.position = PositionalEncoding(width, spec.sequence_length)
            layer = nn.TransformerEncoderLayer(
                width,
                spec.n_heads,
                dim_feedforward=2 * width,
                dropout=spec.dropout,
                batch_first=True,
                norm_first=True,
            )
            self.encoder = nn.TransformerEncoder(
                layer, spec.num_layers, norm=nn.LayerNorm(width), enable_nested_tensor=False
            )
            self.register_buffer("mask", causal_mask(spec.sequence_length), persistent=False)
        else:
            raise ValueError(
                f"architecture must be one of {', '.join(ARCHITECTURES)}, got {spec.architecture!r}"
            )
        self.head = nn.Linear(width, spec.n_outputs)

    def encode(self, x: torch.Tensor) -> torch.Tensor:
        """Hidden states (batch, L, hidden_size); position i uses positions <= i only."""
        if self.spec.architecture == "lstm":
            hidden, _ = self.lstm(x)
            return hidden  # type: ignore[no-any-return]
        length = x.shape[1]
        states = self.position(self.embed(x))
        mask = self.mask[:length, :length]
        return self.encoder(states, mask=mask, is_causal=True)  # type: ignore[no-any-return]

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.head(self.encode(x)[:, -1])  # type: ignore[no-any-return]
