from drf_spectacular.utils import extend_schema
from rest_framework.decorators import action as drf_action
from rest_framework.request import Request
from rest_framework.response import Response

from edupulse.accounts.api.serializers import UserSerializer
from edupulse.accounts.models import User
from edupulse.core.api.viewsets import ScopedReadOnlyViewSet


class UserViewSet(ScopedReadOnlyViewSet):
    """Users in the caller's area (read-only through the API; managed in the admin)."""

    model = User
    queryset = User.objects.select_related("scope_region", "scope_school")
    serializer_class = UserSerializer
    filterset_fields = ["role", "is_active"]

    @extend_schema(responses=UserSerializer)
    @drf_action(detail=False, methods=["get"], permission_classes=[])
    def me(self, request: Request) -> Response:
        if not request.user.is_authenticated:
            return Response(status=401)
        return Response(UserSerializer(request.user).data)
