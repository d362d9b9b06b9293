from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _

from edupulse.accounts import actions
from edupulse.core.middleware import client_address


class ThrottledAuthenticationForm(AuthenticationForm):
    """The login form, refusing further attempts after repeated failures."""

    error_messages = {
        **AuthenticationForm.error_messages,
        "locked": _("Too many failed sign-ins. Wait a few minutes and try again, or ask your administrator."),
    }

    def clean(self) -> dict[str, Any]:
        username = self.data.get("username", "")
        address = client_address(self.request) if self.request else ""
        if actions.is_locked_out(username, address):
            raise forms.ValidationError(self.error_messages["locked"], code="locked")
        try:
            cleaned = super().clean()
        except forms.ValidationError:
            actions.note_login_failure(username, address)
            raise
        actions.clear_login_failures(username, address)
        return cleaned
