from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from edupulse.core.administration import Setting, register_setting
from edupulse.core.context_processors import register_navigation


class SupervisionConfig(AppConfig):
    """督导评估: frameworks as data, rounds scored from the platform's data, rankings, scorecards, 督导通报."""

    name = "edupulse.supervision"
    label = "supervision"
    verbose_name = _("Supervision")

    def ready(self) -> None:
        register_navigation("supervision:round-list", _("Supervision"), "supervision.SupervisionRound")
        register_setting(Setting(_("Supervision frameworks"), _("The indicator systems a supervision round is scored "
                                                                "by (read-only: they ship with the platform)."),
                                 "supervision:framework-list", "supervision.SupervisionRound", order=60))
