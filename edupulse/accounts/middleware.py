"""The forced password change: a user whose password an officer chose (a new account, a reset) uses nothing else
until they have chosen their own."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _


class PasswordChangeRequiredMiddleware:
    """Every request of a signed-in user who must change their password is sent to the change page, except that
    page itself, signing out, the language switch and static files; the API answers 403 with the reason."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is None or not getattr(user, "must_change_password", False) or self._exempt(request.path):
            return self.get_response(request)
        if request.path.startswith("/api/"):
            return JsonResponse({"detail": _("You must change your password before using the platform.")}, status=403)
        change = reverse("password-change")
        if request.method == "GET" and request.path != reverse("home"):
            change += "?" + urlencode({"next": request.get_full_path()})
        return HttpResponseRedirect(change)

    @staticmethod
    def _exempt(path: str) -> bool:
        allowed = (reverse("password-change"), reverse("logout"), reverse("set_language"))
        return path in allowed or path.startswith(settings.STATIC_URL or "/static/")
