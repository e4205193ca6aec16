"""The registered model's default name and the registry aliases the job sets."""

from __future__ import annotations

from typing import Final

#: The registered model name when ``mlflow.registered_model_name`` is not set.
DEFAULT_REGISTERED_MODEL_NAME: Final = "mlcore-quickstart"
#: The alias the newly trained version receives, and the one the previous champion gets.
CHAMPION: Final = "champion"
CHALLENGER: Final = "challenger"
PREVIOUS_CHAMPION: Final = "previous_champion"
