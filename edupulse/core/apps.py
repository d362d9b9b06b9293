from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from edupulse.core import guards


class CoreConfig(AppConfig):
    name = "edupulse.core"
    label = "core"
    verbose_name = _("Core")

    def ready(self) -> None:
        guards.connect()
