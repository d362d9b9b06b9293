from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from edupulse.core.context_processors import register_navigation


class PlansConfig(AppConfig):
    """Work plans (工作要点): parsing plan documents into sections, tasks, responsible units and targets; tasks
    tracked to completion, targets measured by the indicator library."""

    name = "edupulse.plans"
    label = "plans"
    verbose_name = _("Work plans")

    def ready(self) -> None:
        register_navigation("plans:plan-list", _("Work plans"), "plans.Plan")
