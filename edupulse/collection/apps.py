from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from edupulse.core.context_processors import register_navigation


class CollectionConfig(AppConfig):
    name = "edupulse.collection"
    label = "collection"
    verbose_name = _("Statistics collection")

    def ready(self) -> None:
        register_navigation("collection:overview", _("Statistics collection"), "collection.Submission")
