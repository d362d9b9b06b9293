"""Sign-in, the forced password change and 用户管理: officers create, change, disable and reset the users below
them (the table of :mod:`edupulse.accounts.managing`). Every management page starts from ``managed_by``: a user
the officer does not manage is absent (404), like every object outside a scope."""

from __future__ import annotations

from typing import Any

from django.contrib import messages as flash
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.forms import Form
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.cache import add_never_cache_headers
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.generic import DetailView, FormView

from edupulse.accounts import actions
from edupulse.accounts.filtersets import UserFilterSet
from edupulse.accounts.forms import ManagedUserForm, NewUserForm, OwnPasswordForm, ResetPasswordForm, ThrottledAuthenticationForm
from edupulse.accounts.managing import managed_by
from edupulse.accounts.models import User
from edupulse.accounts.tables import UserTable
from edupulse.core.views import ScopedListView, ScopedMixin


class LoginView(auth_views.LoginView):
    authentication_form = ThrottledAuthenticationForm
    redirect_authenticated_user = True


def _add_errors(form: Form, exc: ValidationError) -> None:
    """An action's refusal on the form: next to the field it names, or above the form."""
    if not hasattr(exc, "error_dict"):
        form.add_error(None, exc.messages)
        return
    for field, messages in exc.message_dict.items():
        form.add_error(field if field in form.fields else None, messages)


def _show_password_once(request: HttpRequest, user: User, password: str, *, created: bool) -> HttpResponse:
    """The page that shows a password an officer must hand over: rendered in the answer to the POST, stored
    nowhere and never cached, so it is seen once."""
    response = render(request, "accounts/password_shown.html",
                      {"managed": user, "password": password, "created": created, "title": user.username})
    add_never_cache_headers(response)
    return response


class ManagingMixin(ScopedMixin):
    """Pages of user management: the role must be able to add users (officers) and the queryset is the users
    the officer manages."""

    model = User
    required_verb = "add"

    def get_queryset(self) -> QuerySet[User]:
        return managed_by(self.acting_user).select_related("scope_region", "scope_school")

    def managed_user(self, pk: int) -> User:
        return get_object_or_404(self.get_queryset(), pk=pk)


class UserListView(ManagingMixin, ScopedListView):
    table_class = UserTable
    filterset_class = UserFilterSet
    export_name = "users"
    text_export_columns = ("username", "phone")
    title = gettext_lazy("User management")
    template_name = "accounts/user_list.html"


class UserCreateView(ManagingMixin, FormView):  # type: ignore[type-arg]
    form_class = NewUserForm
    template_name = "accounts/user_form.html"

    def get_form_kwargs(self) -> dict[str, Any]:
        return {**super().get_form_kwargs(), "officer": self.acting_user}

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return super().get_context_data(title=_("New user"), **kwargs)

    def form_valid(self, form: NewUserForm) -> HttpResponse:
        try:
            user, password = actions.register_user(acting_user=self.acting_user, username=form.cleaned_data["username"],
                                                   password=form.cleaned_data["password"], **form.changes())
        except ValidationError as exc:
            _add_errors(form, exc)
            return self.form_invalid(form)
        except PermissionDenied:
            form.add_error(None, _("You may not grant this role in this area."))
            return self.form_invalid(form)
        return _show_password_once(self.request, user, password, created=True)


class UserDetailView(ManagingMixin, DetailView):  # type: ignore[type-arg]
    template_name = "accounts/user_detail.html"
    context_object_name = "managed"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return super().get_context_data(title=self.object.username, reset_form=ResetPasswordForm(), **kwargs)


class UserUpdateView(ManagingMixin, FormView):  # type: ignore[type-arg]
    form_class = ManagedUserForm
    template_name = "accounts/user_form.html"

    managed: User | None = None

    def get_managed(self) -> User:
        """The user being edited, looked up once per request among those the officer manages."""
        if self.managed is None:
            self.managed = self.managed_user(self.kwargs["pk"])
        return self.managed

    def get_initial(self) -> dict[str, Any]:
        user = self.get_managed()
        return {"first_name": user.first_name, "phone": user.phone, "role": user.role,
                "scope_region": user.scope_region_id or "",
                "scope_school": user.scope_school.code if user.scope_school is not None else ""}

    def get_form_kwargs(self) -> dict[str, Any]:
        return {**super().get_form_kwargs(), "officer": self.acting_user}

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return super().get_context_data(title=self.get_managed().username, managed=self.get_managed(), **kwargs)

    def form_valid(self, form: ManagedUserForm) -> HttpResponse:
        user = self.get_managed()
        try:
            actions.update_user(user, acting_user=self.acting_user, **form.changes())
        except ValidationError as exc:
            _add_errors(form, exc)
            return self.form_invalid(form)
        except PermissionDenied:
            form.add_error(None, _("You may not grant this role in this area."))
            return self.form_invalid(form)
        flash.success(self.request, _("Saved."))
        return HttpResponseRedirect(reverse("accounts:user-detail", args=[user.pk]))


class UserActiveView(ManagingMixin, View):
    """POST ``active=0`` disables the user, ``active=1`` enables them."""

    http_method_names = ["post"]

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        user = self.managed_user(pk)
        active = request.POST.get("active") == "1"
        actions.set_user_active(user, active, acting_user=self.acting_user)
        flash.success(request, _("The account is enabled.") if active else _("The account is disabled."))
        return HttpResponseRedirect(reverse("accounts:user-detail", args=[user.pk]))


class UserResetPasswordView(ManagingMixin, View):
    """POST: a new password (typed, or generated when the field is empty), shown once."""

    http_method_names = ["post"]

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        user = self.managed_user(pk)
        form = ResetPasswordForm(request.POST)
        if form.is_valid():
            try:
                password = actions.reset_password(user, acting_user=self.acting_user,
                                                  password=form.cleaned_data["password"])
            except ValidationError as exc:
                form.add_error("password", exc.messages)
            else:
                return _show_password_once(request, user, password, created=False)
        return render(request, "accounts/user_detail.html",
                      {"managed": user, "object": user, "reset_form": form, "title": user.username})


class PasswordChangeView(LoginRequiredMixin, FormView):  # type: ignore[type-arg]
    """The user's own password: required before anything else when an officer chose the current one."""

    form_class = OwnPasswordForm
    template_name = "accounts/password_change.html"

    def get_form_kwargs(self) -> dict[str, Any]:
        return {**super().get_form_kwargs(), "user": self.request.user}

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        forced = bool(getattr(self.request.user, "must_change_password", False))
        return super().get_context_data(title=_("Change password"), forced=forced, **kwargs)

    def form_valid(self, form: OwnPasswordForm) -> HttpResponse:
        user = self.request.user
        actions.change_own_password(user, acting_user=user, password=form.cleaned_data["new_password1"])  # type: ignore[arg-type]
        update_session_auth_hash(self.request, user)  # type: ignore[arg-type]
        flash.success(self.request, _("Your password has been changed."))
        return HttpResponseRedirect(self._next())

    def _next(self) -> str:
        target = self.request.GET.get("next", "")
        if target and url_has_allowed_host_and_scheme(target, {self.request.get_host()}, self.request.is_secure()):
            return target
        return reverse("home")
