from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from edupulse.core.context_processors import register_navigation


class BasedataConfig(AppConfig):
    """Education base data (students, teachers): file import as batches, standard checks, quality."""

    name = "edupulse.basedata"
    label = "basedata"
    verbose_name = _("Base data")

    def ready(self) -> None:
        # app registry: the source reads models, which exist only once the registry is ready.
        from edupulse.basedata import indicator_sources

        indicator_sources.register()
        register_navigation("basedata:quality", _("Data quality"), "basedata.QualityScore")
