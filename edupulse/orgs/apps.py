from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from edupulse.core.context_processors import register_navigation


class OrgsConfig(AppConfig):
    name = "edupulse.orgs"
    label = "orgs"
    verbose_name = _("Organisations")

    def ready(self) -> None:
        # app registry: these modules import models, which exist only once the registry is ready.
        from edupulse.core.views import register_overview_panel
        from edupulse.orgs.analytics import register_publications
        from edupulse.orgs.views import schools_overview

        register_publications()
        register_overview_panel("orgs/overview_panel.html", schools_overview)

        register_navigation("orgs:region-tree", _("Regions"), "orgs.Region", position=1)
        register_navigation("orgs:school-list", _("Schools"), "orgs.School", position=2)
