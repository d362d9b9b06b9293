from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrgsConfig(AppConfig):
    name = "edupulse.orgs"
    label = "orgs"
    verbose_name = _("Organisations")

    def ready(self) -> None:
        from edupulse.core.context_processors import register_navigation
        from edupulse.orgs.analytics import register_publications

        register_publications()

        register_navigation("orgs:region-tree", _("Regions"), "orgs.Region", position=1)
        register_navigation("orgs:school-list", _("Schools"), "orgs.School", position=2)
