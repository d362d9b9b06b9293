"""Obtain an API token with username and password, under the same lock-out as the sign-in page."""

from __future__ import annotations

from django.contrib.auth import authenticate
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.authtoken.models import Token
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from edupulse.accounts import actions
from edupulse.core.middleware import client_address


class ObtainTokenView(APIView):
    authentication_classes: list[type] = []
    permission_classes: list[type] = []

    @extend_schema(
        request=inline_serializer("TokenRequest", {"username": serializers.CharField(), "password": serializers.CharField()}),
        responses=inline_serializer("TokenResponse", {"token": serializers.CharField()}),
    )
    def post(self, request: Request) -> Response:
        username = str(request.data.get("username", ""))
        password = str(request.data.get("password", ""))
        address = client_address(request._request)
        if actions.is_locked_out(username, address):
            return Response({"detail": _("Too many failed sign-ins. Wait a few minutes and try again, or ask your "
                                         "administrator.")}, status=status.HTTP_429_TOO_MANY_REQUESTS)
        user = authenticate(request._request, username=username, password=password)
        if user is None:
            actions.note_login_failure(username, address)
            return Response({"detail": _("Wrong username or password.")}, status=status.HTTP_400_BAD_REQUEST)
        actions.clear_login_failures(username, address)
        if getattr(user, "must_change_password", False):
            # The password was chosen by an officer: it opens nothing until its owner has replaced it.
            return Response({"detail": _("You must change your password before using the platform.")},
                            status=status.HTTP_403_FORBIDDEN)
        token, _created = Token.objects.get_or_create(user=user)
        return Response({"token": token.key})
