from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from edupulse.core.administration import Setting, register_setting
from edupulse.core.context_processors import register_navigation


class AccountsConfig(AppConfig):
    name = "edupulse.accounts"
    label = "accounts"
    verbose_name = _("Accounts")

    def ready(self) -> None:
        # Only roles that may add users manage someone (accounts.managing); readers of accounts see no section.
        register_navigation("accounts:user-list", _("User management"), "accounts.User", verb="add")
        register_setting(Setting(_("User management"), _("Create, change, disable and enable the users of your area and "
                                                         "reset their passwords."),
                                 "accounts:user-list", "accounts.User", verb="add", order=10))
