"""The module the ``mlcore.plugins`` entry point ``talib`` names: hook implementations only.

Every exposed TA-Lib function is registered ``qualified_only``: it resolves as
``talib:<lowercase name>`` (``talib:rsi``, ``talib:cdldoji``) and never takes a plain
name such as ``rsi`` from the native indicators. The names come from the committed
catalog and the factories are lazy ``"module:attr"`` strings, so loading this plugin does
not import TA-Lib.

Without TA-Lib the registration raises ``ImportError(MISSING_TALIB)``: the host records
the plugin as failed at the ``register`` stage with that cause (``mlcore plugins`` shows
it, strict mode refuses it), registers nothing from it, and every other plugin works.
"""

from __future__ import annotations

import importlib.util
from typing import TYPE_CHECKING, Any

from mlcore import hookimpl
from mlcore_talib import MISSING_TALIB

if TYPE_CHECKING:
    from mlcore import Registry


@hookimpl
def mlcore_register_indicators(registry: Registry[Any]) -> None:
    if importlib.util.find_spec("talib") is None:
        raise ImportError(MISSING_TALIB)
    from mlcore_talib._catalog import FUNCTIONS
    from mlcore_talib._metadata import exclusion_reason

    for function in FUNCTIONS:
        if exclusion_reason(function) is not None:
            continue
        registry.add(
            function.registered_name,
            f"mlcore_talib.indicators:{function.wrapper_name}",
            description=f"TA-Lib {function.name}: {function.display_name}.",
            tags={"talib", function.family},
            qualified_only=True,
        )
