from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from edupulse.core.context_processors import register_navigation


class SupervisionConfig(AppConfig):
    """督导评估: frameworks as data, rounds scored from the platform's data, rankings, scorecards, 督导通报."""

    name = "edupulse.supervision"
    label = "supervision"
    verbose_name = _("Supervision")

    def ready(self) -> None:
        register_navigation("supervision:round-list", _("Supervision"), "supervision.SupervisionRound")
