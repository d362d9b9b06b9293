from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    """What officers read: the big-data dashboard, the annual development report and supervision scoring."""

    name = "edupulse.reports"
    label = "reports"
    verbose_name = _("Reports")
