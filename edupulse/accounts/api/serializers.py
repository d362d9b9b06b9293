from rest_framework import serializers

from edupulse.accounts.models import User


class UserSerializer(serializers.ModelSerializer):  # type: ignore[type-arg]
    scope = serializers.SerializerMethodField()

    class Meta:
        model = User
        fields = ["id", "username", "first_name", "last_name", "role", "scope_region", "scope_school", "scope",
                  "is_active"]
        read_only_fields = fields

    def get_scope(self, user: User) -> str:
        return user.scope.describe()
