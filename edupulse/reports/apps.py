from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from edupulse.core.context_processors import register_navigation


class ReportsConfig(AppConfig):
    """What officers read: the big-data dashboard, the annual development report and supervision scoring."""

    name = "edupulse.reports"
    label = "reports"
    verbose_name = _("Reports")

    def ready(self) -> None:
        register_navigation("reports:dashboard", _("Data centre"), "indicators.IndicatorValue", position=1)
