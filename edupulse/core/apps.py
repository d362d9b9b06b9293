from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from edupulse.core import guards
from edupulse.core.administration import Setting, register_setting


class CoreConfig(AppConfig):
    name = "edupulse.core"
    label = "core"
    verbose_name = _("Core")

    def ready(self) -> None:
        # app registry: the panel and the views read models, which exist only once the registry is ready.
        from edupulse.core import panels
        from edupulse.core.views import register_overview_panel

        guards.connect()
        register_overview_panel("core/audit_panel.html", panels.audit_panel)
        register_setting(Setting(_("Audit trail"), _("Every change and every read of personal data, filterable and "
                                                     "exportable."), "core:audit-list", "core.AuditLog", order=90,
                                 companion=True))
