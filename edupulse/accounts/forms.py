from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.forms import AuthenticationForm, PasswordChangeForm
from django.utils.translation import gettext_lazy as _

from edupulse.accounts import actions
from edupulse.accounts.managing import grantable_roles
from edupulse.accounts.models import User
from edupulse.core.middleware import client_address
from edupulse.core.roles import Role


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


# The org models are reached through the user's foreign keys: accounts sits below orgs and does not import it.
def _region_model() -> Any:
    return User._meta.get_field("scope_region").related_model


def _school_model() -> Any:
    return User._meta.get_field("scope_school").related_model


def region_choices(officer: Any) -> list[tuple[str, str]]:
    """The officer's own region and every region in it, indented by level (a county officer: their county)."""
    scope = officer.scope
    regions = _region_model().objects.visible_to(officer).exclude(name__in=["市辖区", "县"]).order_by("code")
    if scope.region is not None:
        regions = regions.filter(code__startswith=scope.region_code)
    indent = {"province": "", "prefecture": "\u3000", "county": "\u3000\u3000"}
    return [("", "---------")] + [(r.code, indent.get(r.level, "") + r.name) for r in regions.only("code", "name", "level")]


class ManagedUserForm(forms.Form):
    """Name, phone, role and scope of a user an officer manages; choices are limited to what the officer may
    grant (the action checks again: a forged choice is refused there)."""

    first_name = forms.CharField(label=_("Real name"), max_length=150)
    phone = forms.CharField(label=_("Mobile phone"), max_length=20, required=False)
    role = forms.ChoiceField(label=_("Role"))
    scope_region = forms.ChoiceField(label=_("Region"), required=False,
                                     help_text=_("For officers, reviewers and auditors: the region they work for."))
    scope_school = forms.CharField(label=_("School code"), max_length=10, required=False,
                                   help_text=_("For a school CIO: the 10-digit school identification code."))

    def __init__(self, *args: Any, officer: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.officer = officer
        role_field: forms.ChoiceField = self.fields["role"]  # type: ignore[assignment]
        role_field.choices = [("", "---------"), *grantable_roles(officer)]
        region_field: forms.ChoiceField = self.fields["scope_region"]  # type: ignore[assignment]
        region_field.choices = region_choices(officer)

    def clean_scope_school(self) -> int | None:
        code = self.cleaned_data["scope_school"].strip()
        if not code:
            return None
        school = _school_model().objects.visible_to(self.officer).filter(code=code).first()
        if school is None:
            raise forms.ValidationError(_("No school with this code in your area."))
        return int(school.pk)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        role, region, school = cleaned.get("role"), cleaned.get("scope_region"), cleaned.get("scope_school")
        if role == Role.SCHOOL_CIO and not school and "scope_school" not in self.errors:
            self.add_error("scope_school", _("A school CIO needs the school's code."))
        elif role and role != Role.SCHOOL_CIO and not region and "scope_region" not in self.errors:
            self.add_error("scope_region", _("Choose the region this user works for."))
        if role == Role.SCHOOL_CIO:
            cleaned["scope_region"] = None
        else:
            cleaned["scope_school"] = None
        if region is not None and not region:
            cleaned["scope_region"] = None
        return cleaned

    def changes(self) -> dict[str, Any]:
        """The cleaned values as keyword arguments of the actions."""
        data = self.cleaned_data
        return {"first_name": data["first_name"], "phone": data.get("phone", ""), "role": data["role"],
                "scope_region_id": data.get("scope_region") or None, "scope_school_id": data.get("scope_school")}


class NewUserForm(ManagedUserForm):
    """Creating a user: the fields above, a username and an optional password chosen by the officer."""

    username = forms.CharField(label=_("Username"), max_length=150,
                               help_text=_("Letters, digits and @/./+/-/_ only; used to sign in."))
    password = forms.CharField(label=_("Initial password"), required=False, strip=False,
                               widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"}),
                               help_text=_("Leave empty to generate a one-time password. Either way the user must "
                                           "change it at the first sign-in."))

    field_order = ["username", "first_name", "phone", "role", "scope_region", "scope_school", "password"]


class ResetPasswordForm(forms.Form):
    """Reset a password: generated (the default) or typed by the officer."""

    password = forms.CharField(label=_("New password"), required=False, strip=False,
                               widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"}),
                               help_text=_("Leave empty to generate a one-time password."))


class OwnPasswordForm(PasswordChangeForm):
    """Django's password change form (old password, new password twice, the password validators, in Chinese);
    the view saves through the action instead of ``form.save``."""
