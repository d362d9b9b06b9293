from edupulse.indicators.models.definition import IndicatorDefinition
from edupulse.indicators.models.value import IndicatorValue

__all__ = ["IndicatorDefinition", "IndicatorValue"]
