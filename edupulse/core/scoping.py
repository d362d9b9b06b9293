"""The one place where access scope is enforced.

Every user has a :class:`Scope` (nation, province, prefecture, county or school). Every model that
holds data declares a :class:`ScopeSpec` saying which field identifies its province, prefecture,
county and school; :meth:`ScopedQuerySet.visible_to` turns the user's scope into a filter. Base views,
API viewsets, exports and admin classes in ``core`` all start from ``visible_to``, so a new page is
restricted without anyone remembering to add a filter. Objects outside the scope are simply not in the
queryset, so they answer 404 and their existence does not leak.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar, Generic, TypeVar

from django.db import models
from django.db.models import Q

from edupulse.core.guards import GuardedQuerySet
from edupulse.core.regions import LEVELS as REGION_CODE_LEVELS
from edupulse.core.regions import RegionCode

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from edupulse.core.actors import Actor

LEVELS = ("nation", "province", "prefecture", "county", "school")
# The levels at which a scope is a region code (the nation is every region, a school is not a region).
REGION_LEVELS = frozenset(REGION_CODE_LEVELS)


@dataclass(frozen=True)
class Scope:
    """Where a user may act: ``level`` plus the region code or the school id at that level."""

    level: str
    region_code: str = ""
    school_id: int | None = None

    NATION: ClassVar[Scope]
    NOTHING: ClassVar[Scope]

    @property
    def region(self) -> RegionCode | None:
        """The region of a province, prefecture or county scope; None for the nation, a school or nothing."""
        return RegionCode.parse_or_none(self.region_code) if self.level in REGION_LEVELS else None

    def describe(self) -> str:
        return f"{self.level}:{self.school_id if self.level == 'school' else self.region_code}"


Scope.NATION = Scope(level="nation")
# A user without a usable scope (deactivated, misconfigured) sees nothing at all.
Scope.NOTHING = Scope(level="none")


@dataclass(frozen=True)
class ScopeSpec:
    """How a model is placed in the org hierarchy: one ORM lookup per level.

    ``custom`` replaces the lookups when a model needs a different rule (regions see their ancestors
    too). ``public=True`` marks reference data that any signed-in user may read (code tables).
    """

    province: str = ""
    prefecture: str = ""
    county: str = ""
    school: str = ""
    custom: Callable[[Scope], Q] | None = None
    public: bool = False
    lookups: dict[str, str] = field(init=False, repr=False, compare=False, default_factory=dict)

    def __post_init__(self) -> None:
        object.__setattr__(
            self,
            "lookups",
            {"province": self.province, "prefecture": self.prefecture, "county": self.county, "school": self.school},
        )

    def via(self, relation: str) -> ScopeSpec:
        """The same spec seen through a foreign key, e.g. ``School.scope_spec.via("school")``."""

        def prefixed(lookup: str) -> str:
            if not lookup:
                return ""
            if lookup == "pk":
                return f"{relation}_id"
            return f"{relation}__{lookup}"

        return ScopeSpec(
            province=prefixed(self.province),
            prefecture=prefixed(self.prefecture),
            county=prefixed(self.county),
            school=prefixed(self.school),
        )

    def q(self, scope: Scope) -> Q:
        if self.public or scope.level == "nation":
            return Q()
        if self.custom is not None:
            return self.custom(scope)
        if scope.level == "none":
            return Q(pk__in=[])
        lookup = self.lookups.get(scope.level, "")
        if not lookup:
            # The model has no notion of this level (e.g. a region-level record seen by a school):
            # nothing is visible rather than everything.
            return Q(pk__in=[])
        value: Any = scope.school_id if scope.level == "school" else scope.region_code
        return Q(**{lookup: value})

    def contains(self, scope: Scope, instance: models.Model) -> bool:
        """Whether an (unsaved) instance would lie inside ``scope``; used before creating objects."""
        if self.public or scope.level == "nation":
            return True
        if scope.level == "none":
            return False
        if self.custom is not None:
            # Models with a custom rule say themselves whether an unsaved instance would be inside.
            in_scope = getattr(instance, "in_scope", None)
            return bool(in_scope(scope)) if callable(in_scope) else _exists(instance, self, scope)
        lookup = self.lookups.get(scope.level, "")
        if not lookup:
            return False
        expected: Any = scope.school_id if scope.level == "school" else scope.region_code
        return _resolve(instance, lookup) == expected


def _resolve(instance: Any, lookup: str) -> Any:
    value = instance
    for part in lookup.split("__"):
        if value is None:
            return None
        value = value.pk if part == "pk" else getattr(value, part)
    return value


def _exists(instance: models.Model, spec: ScopeSpec, scope: Scope) -> bool:
    if instance.pk is None:
        return False
    return type(instance)._default_manager.filter(spec.q(scope), pk=instance.pk).exists()


def scope_of(user: Actor | AnonymousUser | None) -> Scope:
    if user is None or not user.is_authenticated or not user.is_active:
        return Scope.NOTHING
    if user.is_superuser:
        return Scope.NATION
    return user.scope  # type: ignore[union-attr]


_M = TypeVar("_M", bound=models.Model)


class ScopedQuerySet(GuardedQuerySet[_M], Generic[_M]):
    """Every data model's queryset: ``visible_to`` for reads, the write guard for bulk writes."""

    def visible_to(self, user: Actor | AnonymousUser | None) -> ScopedQuerySet[_M]:
        spec: ScopeSpec = self.model.scope_spec  # type: ignore[attr-defined]
        if user is None or not user.is_authenticated:
            return self.none()
        return self.filter(spec.q(scope_of(user)))


ScopedManager = models.Manager.from_queryset(ScopedQuerySet)


def spec_for(model: type[models.Model]) -> ScopeSpec | None:
    return getattr(model, "scope_spec", None)
