from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CollectionConfig(AppConfig):
    name = "edupulse.collection"
    label = "collection"
    verbose_name = _("Statistics collection")
