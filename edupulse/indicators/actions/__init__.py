"""State changes of the indicator library: saving a definition version, storing recomputed values."""

from edupulse.indicators.actions.computation import recompute
from edupulse.indicators.actions.definitions import save_definition

__all__ = ["recompute", "save_definition"]
