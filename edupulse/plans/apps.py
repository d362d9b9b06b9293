from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PlansConfig(AppConfig):
    """Work plans (工作要点): parsing plan documents into sections, tasks, responsible units and targets."""

    name = "edupulse.plans"
    label = "plans"
    verbose_name = _("Work plans")
