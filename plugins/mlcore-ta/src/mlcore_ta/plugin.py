"""The module the ``mlcore.plugins`` entry point ``ta`` names: hook implementations only.

Every ``ta`` indicator is registered ``qualified_only``: it resolves as ``ta:<name>``
(``ta:rsi``, ``ta:bollinger_bands``) and never takes a plain name such as ``rsi`` from
the native indicators. Factories are lazy ``"module:attr"`` strings and the table is
plain data, so loading this plugin imports neither ``ta`` nor the wrapper classes.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from mlcore import hookimpl
from mlcore_ta._table import TA_INDICATORS

if TYPE_CHECKING:
    from mlcore import Registry


@hookimpl
def mlcore_register_indicators(registry: Registry[Any]) -> None:
    for spec in TA_INDICATORS:
        registry.add(
            spec.name,
            f"mlcore_ta.indicators:{spec.wrapper_name}",
            description=spec.description,
            tags={"ta", spec.family},
            qualified_only=True,
        )
