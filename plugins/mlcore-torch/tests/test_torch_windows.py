"""The building blocks: causal windows, the time split, and the networks' causality."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from mlcore.errors import DataValidationError

from mlcore_torch.networks import NetworkSpec, SequenceNetwork, causal_mask
from mlcore_torch.windows import Standardiser, padded_rows, time_split, window_batch, windows_view

torch.set_num_threads(1)


@settings(max_examples=60, deadline=None)
@given(rows=st.integers(1, 40), features=st.integers(1, 4), length=st.integers(1, 12))
def test_window_of_row_t_holds_rows_up_to_t_left_padded(rows, features, length):
    matrix = np.arange(rows * features, dtype=float).reshape(rows, features) + 1.0
    windows = windows_view(torch.from_numpy(padded_rows(matrix, length)), length).numpy()
    assert windows.shape == (rows, length, features + 1)
    for t in range(rows):
        real = min(t + 1, length)
        padding = length - real
        # The window's real rows are exactly rows t - real + 1 .. t, in order, and the
        # padding channel marks them; the padding before them is all zeros.
        np.testing.assert_array_equal(windows[t, padding:, :features], matrix[t - real + 1 : t + 1])
        np.testing.assert_array_equal(windows[t, padding:, features], np.ones(real))
        np.testing.assert_array_equal(windows[t, :padding], np.zeros((padding, features + 1)))


@settings(max_examples=20, deadline=None)
@given(rows=st.integers(1, 30), length=st.integers(1, 8), data=st.data())
def test_window_batch_gathers_the_same_windows_as_the_view(rows, length, data):
    padded = torch.from_numpy(
        padded_rows(np.random.default_rng(rows).normal(size=(rows, 2)), length)
    )
    picked = data.draw(st.lists(st.integers(0, rows - 1), min_size=1, max_size=10))
    batch = window_batch(padded, torch.tensor(picked), torch.arange(length))
    torch.testing.assert_close(batch, windows_view(padded, length)[picked], rtol=0, atol=0)


@settings(max_examples=60, deadline=None)
@given(rows=st.integers(2, 500), fraction=st.floats(0.01, 0.5), gap=st.integers(0, 20))
def test_time_split_validates_on_the_latest_rows_after_a_gap(rows, fraction, gap):
    expected = int(np.ceil(round(rows * fraction, 9)))
    if rows - expected - gap < 1:
        with pytest.raises(DataValidationError, match="rows leave"):
            time_split(rows, fraction, gap)
        return
    train, validation = time_split(rows, fraction, gap)
    assert len(validation) == expected
    assert len(train) == rows - expected - gap
    assert validation[-1] == rows - 1
    assert np.all(np.diff(validation) == 1)
    assert train[0] == 0
    assert np.all(np.diff(train) == 1)
    # Every validation window (length gap + 1) starts after the last training row.
    assert validation[0] - gap > train[-1]


def test_time_split_without_validation_trains_on_every_row():
    train, validation = time_split(10, 0.0, 5)
    assert train.tolist() == list(range(10))
    assert validation.size == 0


def test_standardiser_keeps_constant_columns_finite():
    matrix = np.array([[1.0, 5.0], [3.0, 5.0]])
    scaler = Standardiser.fit(matrix)
    np.testing.assert_array_equal(scaler.transform(matrix), [[-1.0, 0.0], [1.0, 0.0]])


def test_causal_mask_blocks_the_future_only():
    mask = causal_mask(4)
    assert torch.isinf(mask[0, 1:]).all()
    assert (mask[np.tril_indices(4)] == 0).all()


def _network(architecture: str, dropout: float = 0.0) -> SequenceNetwork:
    torch.manual_seed(0)
    spec = NetworkSpec(
        architecture=architecture,
        input_size=3,
        hidden_size=8,
        num_layers=2,
        dropout=dropout,
        n_heads=2,
        n_outputs=3,
        sequence_length=10,
    )
    return SequenceNetwork(spec).double().eval()


@pytest.mark.parametrize("architecture", ["lstm", "transformer"])
def test_position_i_ignores_later_positions_of_the_window(architecture):
    network = _network(architecture)
    x = torch.randn(2, 10, 3, dtype=torch.float64, generator=torch.Generator().manual_seed(1))
    with torch.no_grad():
        before = network.encode(x)
        for i in (0, 4, 8):
            changed = x.clone()
            changed[:, i + 1 :] = torch.randn(2, 9 - i, 3, dtype=torch.float64)
            after = network.encode(changed)
            torch.testing.assert_close(after[:, : i + 1], before[:, : i + 1], rtol=0, atol=1e-12)
            assert not torch.allclose(after[:, i + 1 :], before[:, i + 1 :])


def test_without_its_mask_the_transformer_would_see_later_positions():
    # The test above can fail: the same encoder unmasked lets position 0 see position 9.
    network = _network("transformer")
    x = torch.randn(1, 10, 3, dtype=torch.float64)
    changed = x.clone()
    changed[:, 9] += 1.0
    with torch.no_grad():
        states = network.position(network.embed(torch.cat([x, changed])))
        unmasked = network.encoder(states)
    assert not torch.allclose(unmasked[0, 0], unmasked[1, 0])


def test_positional_code_distinguishes_positions():
    network = _network("transformer")
    code = network.position.code
    assert code.shape == (10, 8)
    assert torch.cdist(code, code)[~torch.eye(10, dtype=torch.bool)].min() > 0.1
