from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CollectionConfig(AppConfig):
    name = "edupulse.collection"
    label = "collection"
    verbose_name = _("Statistics collection")

    def ready(self) -> None:
        from edupulse.core.context_processors import register_navigation

        register_navigation("collection:overview", _("Statistics collection"), "collection.Submission")
