from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils import translation

from edupulse.core import context


def client_address(request: HttpRequest) -> str:
    """The client's address; X-Forwarded-For is trusted only behind a declared proxy."""
    if settings.BEHIND_PROXY:
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        if forwarded:
            return forwarded.split(",")[0].strip()
    return str(request.META.get("REMOTE_ADDR", ""))


class RequestContextMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        source = "api" if request.path.startswith("/api/") else "web"
        with context.using(context.RequestContext(source=source, address=client_address(request))):
            return self.get_response(request)


class ChineseFirstLocaleMiddleware:
    """Simplified Chinese unless the user chose another language with the switcher (a cookie).

    Django's LocaleMiddleware follows the browser's Accept-Language, which on many office PCs and in
    headless tools is English; officials expect the platform in Chinese whatever their browser says.
    API clients may still ask for English with ``Accept-Language: en``.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        supported = {code for code, _name in settings.LANGUAGES}
        language = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
        if language not in supported and request.path.startswith("/api/"):
            accepted = translation.get_language_from_request(request)
            language = accepted if accepted in supported else ""
        if language not in supported:
            language = settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = language  # type: ignore[attr-defined]
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", language)
        patch_vary = response.headers.get("Vary", "")
        if "Cookie" not in patch_vary:
            response.headers["Vary"] = ", ".join(filter(None, [patch_vary, "Cookie"]))
        return response
