"""The module the ``mlcore.plugins`` entry point names: hook implementations only.

mlcore imports this module at start-up, so it imports nothing heavy. Components are
registered as lazy ``"module:attr"`` strings: :mod:`.indicators` and :mod:`.metrics` are
imported the first time someone builds a ``zscore`` or a ``hit_rate``.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from mlcore import ConfigError, hookimpl

from mlcore_example_plugin import DISTRIBUTION, __version__

if TYPE_CHECKING:
    from mlcore import MlcoreConfig, Registry

logger = logging.getLogger(__name__)

#: The settings this plugin reads from ``plugins.config.mlcore-example-plugin``.
SETTINGS: dict[str, type] = {"announce": bool}


@hookimpl
def mlcore_register_indicators(registry: Registry[Any]) -> None:
    registry.add(
        "zscore",
        "mlcore_example_plugin.indicators:ZScore",
        aliases=("price_zscore",),
        description="Rolling z-score of the close over `period` bars.",
        tags={"statistics", "streaming"},
    )


@hookimpl
def mlcore_register_metrics(registry: Registry[Any]) -> None:
    registry.add(
        "hit_rate",
        "mlcore_example_plugin.metrics:hit_rate",
        description="Fraction of non-zero realised moves whose sign the prediction got right.",
        tags={"direction"},
    )


@hookimpl
def mlcore_configure(config: MlcoreConfig) -> None:
    """Check this plugin's settings; with ``announce: true``, log what it registered.

    An error raised here unloads the plugin (failure stage ``configure``); the others
    keep working.
    """
    settings = config.plugins.settings_for(DISTRIBUTION)
    prefix = f"plugins.config.{DISTRIBUTION}"
    for key, value in settings.items():
        expected = SETTINGS.get(key)
        if expected is None:
            known = ", ".join(sorted(SETTINGS))
            raise ConfigError(
                f"unknown setting; this plugin reads: {known}", key_path=f"{prefix}.{key}"
            )
        if not isinstance(value, expected):
            raise ConfigError(
                f"expected {expected.__name__}, got {value!r}", key_path=f"{prefix}.{key}"
            )
    if settings.get("announce", False):
        logger.info("%s %s ready: indicator zscore, metric hit_rate", DISTRIBUTION, __version__)
