from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IndicatorsConfig(AppConfig):
    """Indicator definitions (data), the sources domain apps publish into, and the computed values."""

    name = "edupulse.indicators"
    label = "indicators"
    verbose_name = _("Indicators")
