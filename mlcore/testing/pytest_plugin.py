"""pytest plugin with fixtures for mlcore plugin authors.

Registered through the ``pytest11`` entry point ``mlcore``, so every pytest session in an
environment with mlcore installed loads it: it imports nothing heavy until a fixture is
used. Fixtures:

``mlcore_host``
    A fresh :class:`mlcore.host.PluginHost` with :meth:`~mlcore.host.PluginHost.load`
    called (function scope, no global state). Failures of unrelated broken plugins stay on
    ``host.failures`` and do not fail the test through ``MlcorePluginWarning``.
``ohlcv_frame``
    A seeded synthetic OHLCV frame of 500 daily bars; the seed comes from
    ``--mlcore-seed`` (default 0).
``ohlcv_factory``
    A function ``(n=500, seed=0, freq="1D") -> DataFrame`` building such frames.
"""

from __future__ import annotations

import warnings
from typing import TYPE_CHECKING, Protocol

import pytest

if TYPE_CHECKING:
    import pandas as pd

    from mlcore.host import PluginHost

__all__ = ["OhlcvFactory", "mlcore_host", "ohlcv_factory", "ohlcv_frame", "pytest_addoption"]

DEFAULT_BARS = 500


class OhlcvFactory(Protocol):
    """Builds a seeded synthetic OHLCV frame."""

    def __call__(self, n: int = DEFAULT_BARS, seed: int = 0, freq: str = "1D") -> pd.DataFrame: ...


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("mlcore", "mlcore fixtures")
    group.addoption(
        "--mlcore-seed",
        action="store",
        type=int,
        default=0,
        dest="mlcore_seed",
        help="seed of the synthetic market in the ohlcv_frame fixture (default: 0)",
    )


def _synthetic_frame(n: int, seed: int, freq: str) -> pd.DataFrame:
    from mlcore.data import synthetic_ohlcv

    return synthetic_ohlcv(n=n, seed=seed, freq=freq).ohlcv


@pytest.fixture
def mlcore_host() -> PluginHost:
    """A fresh plugin host with builtins and installed plugins loaded."""
    from mlcore.errors import MlcorePluginWarning
    from mlcore.host import PluginHost

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        host = PluginHost().load()
    for warning in caught:
        # broken unrelated plugins are recorded on host.failures; anything else goes on
        if not issubclass(warning.category, MlcorePluginWarning):
            warnings.warn_explicit(
                warning.message, warning.category, warning.filename, warning.lineno
            )
    return host


@pytest.fixture
def ohlcv_frame(request: pytest.FixtureRequest) -> pd.DataFrame:
    """A synthetic OHLCV frame: 500 daily bars, seed from ``--mlcore-seed``."""
    seed = int(request.config.getoption("mlcore_seed", default=0))
    return _synthetic_frame(DEFAULT_BARS, seed, "1D")


@pytest.fixture
def ohlcv_factory() -> OhlcvFactory:
    """A callable ``(n=500, seed=0, freq="1D") -> DataFrame`` of synthetic OHLCV bars."""

    def make(n: int = DEFAULT_BARS, seed: int = 0, freq: str = "1D") -> pd.DataFrame:
        return _synthetic_frame(n, seed, freq)

    return make
