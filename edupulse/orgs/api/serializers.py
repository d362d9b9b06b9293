from __future__ import annotations

import functools
from typing import Any

from django.utils.translation import get_language
from rest_framework import serializers

from edupulse.orgs.codes import SchoolCategory
from edupulse.orgs.models import Region, School


class RegionSerializer(serializers.ModelSerializer):  # type: ignore[type-arg]
    class Meta:
        model = Region
        fields = ["code", "name", "level", "parent", "is_rural_revitalization_key_county", "is_ethnic_autonomous"]
        read_only_fields = ["code", "name", "level", "parent"]


@functools.lru_cache(maxsize=256)
def _category_label(code: str, language: str) -> str:
    """Translated category label; cached per language (get_FOO_display re-hashes lazy choices per row)."""
    return str(dict(SchoolCategory.choices).get(code, code))


class SchoolSerializer(serializers.ModelSerializer):  # type: ignore[type-arg]
    county = serializers.SlugRelatedField(slug_field="code", queryset=Region.objects.filter(level="county"))
    prefecture = serializers.CharField(source="prefecture_id", read_only=True)
    province = serializers.CharField(source="province_id", read_only=True)
    county_name = serializers.CharField(source="county.name", read_only=True)
    category_label = serializers.SerializerMethodField()

    class Meta:
        model = School
        fields = ["id", "code", "name", "category", "category_label", "school_type", "county", "county_name",
                  "prefecture", "province", "urban_rural", "ownership", "address", "longitude", "latitude",
                  "contact_name", "contact_phone", "is_active"]
        # Uniqueness is checked by the action (which also checks scope) so errors come in one shape.
        extra_kwargs: dict[str, dict[str, Any]] = {"code": {"validators": []}}

    def get_category_label(self, school: School) -> str:
        return _category_label(school.category, get_language() or "")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        if request is not None and "county" in self.fields:
            # Out-of-scope counties are "not found" for the caller, like every other object.
            self.fields["county"].queryset = Region.objects.visible_to(request.user).filter(level="county")  # type: ignore[attr-defined]
