from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from edupulse.core.administration import Setting, register_setting
from edupulse.core.context_processors import register_navigation


class MonitoringConfig(AppConfig):
    name = "edupulse.monitoring"
    label = "monitoring"
    verbose_name = _("Cybersecurity monitoring")

    def ready(self) -> None:
        # app registry: these modules import models, which exist only once the registry is ready.
        from edupulse.core import notify
        from edupulse.core.views import register_overview_panel
        from edupulse.monitoring import alerting, indicator_sources
        from edupulse.monitoring.dashboard import overview_panel

        indicator_sources.register()
        notify.register_sender("monitoring.alert_channels", alerting.send_region_message)

        register_overview_panel("monitoring/overview_panel.html", overview_panel)

        register_navigation("monitoring:dashboard", _("Cybersecurity"), "monitoring.Website")
        register_navigation("monitoring:item-list", _("Rectification"), "monitoring.NoticeItem")
        register_setting(Setting(_("Alert channels"), _("Where alerts and reminders are sent (DingTalk, WeCom, e-mail)."),
                                 "monitoring:channel-list", "monitoring.AlertChannel", order=20))
        register_setting(Setting(_("Maintenance windows"), _("Times when a site's outages raise no alert."),
                                 "monitoring:window-list", "monitoring.MaintenanceWindow", order=30))
