from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from edupulse.core.administration import Setting, register_setting


class IndicatorsConfig(AppConfig):
    """Indicator definitions (data), the sources domain apps publish into, and the computed values."""

    name = "edupulse.indicators"
    label = "indicators"
    verbose_name = _("Indicators")

    def ready(self) -> None:
        register_setting(Setting(_("Indicator definitions"), _("Numerators, denominators and targets of the indicators; "
                                                               "a saved version applies from the next computation."),
                                 "admin:indicators_indicatordefinition_changelist", "indicators.IndicatorDefinition",
                                 verb="add", in_admin=True, order=50))
