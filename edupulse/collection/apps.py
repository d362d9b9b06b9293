from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from edupulse.core.administration import Setting, register_setting
from edupulse.core.context_processors import register_navigation


class CollectionConfig(AppConfig):
    name = "edupulse.collection"
    label = "collection"
    verbose_name = _("Statistics collection")

    def ready(self) -> None:
        # app registry: the source reads models, which exist only once the registry is ready.
        from edupulse.collection import indicator_sources, panels
        from edupulse.core.views import register_overview_panel

        indicator_sources.register()
        register_overview_panel("collection/inbox_panel.html", panels.inbox_panel)
        register_overview_panel("collection/review_queue_panel.html", panels.review_queue_panel)
        register_navigation("collection:overview", _("Statistics collection"), "collection.Submission")
        register_setting(Setting(_("Forms"), _("The statistics forms: sections, fields and validation rules (read-only)."),
                                 "admin:collection_form_changelist", "collection.Form", in_admin=True,
                                 order=40))
