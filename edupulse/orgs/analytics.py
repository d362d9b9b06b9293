"""Base data the orgs app publishes to the analytics store (see core.analytics)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from edupulse.core.analytics import Column, Publication, register
from edupulse.orgs.models import Region, School


def _regions() -> Iterable[Sequence[Any]]:
    return Region.objects.order_by("code").values_list(
        "code", "name", "level", "parent_id", "is_rural_revitalization_key_county").iterator(chunk_size=5000)


def _schools() -> Iterable[Sequence[Any]]:
    return School.objects.order_by("code").values_list(
        "code", "name", "category", "school_type", "province_id", "prefecture_id", "county_id", "urban_rural",
        "ownership", "is_active").iterator(chunk_size=5000)


def register_publications() -> None:
    register(Publication("regions", (
        Column("code", "VARCHAR"), Column("name", "VARCHAR"), Column("level", "VARCHAR"),
        Column("parent_code", "VARCHAR"), Column("is_rural_revitalization_key_county", "BOOLEAN"),
    ), _regions))
    register(Publication("schools", (
        Column("code", "VARCHAR"), Column("name", "VARCHAR"), Column("category", "VARCHAR"),
        Column("school_type", "VARCHAR"), Column("province_code", "VARCHAR"), Column("prefecture_code", "VARCHAR"),
        Column("county_code", "VARCHAR"), Column("urban_rural", "VARCHAR"), Column("ownership", "VARCHAR"),
        Column("is_active", "BOOLEAN"),
    ), _schools))
