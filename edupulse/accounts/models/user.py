"""Users: one role and one scope each."""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser, UserManager
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from edupulse.core.audit import Placement
from edupulse.core.regions import RegionCode
from edupulse.core.roles import ALL, NONE, READ_ONLY, ROLE_SCOPE_LEVELS, STAFF_ROLES, Role
from edupulse.core.scoping import LEVELS, Scope, ScopedManager, ScopedQuerySet, ScopeSpec

# The levels of a scope in words (a refusal names them; the codes are internal).
SCOPE_LEVEL_LABELS = {"province": pgettext_lazy("scope level", "province"),
                      "prefecture": pgettext_lazy("scope level", "prefecture"),
                      "county": pgettext_lazy("scope level", "county"),
                      "school": pgettext_lazy("scope level", "school")}
# Officers below the province create, disable and reset users but never delete one (the audit trail names them).
MANAGE = frozenset({"view", "add", "change"})


class ScopedUserManager(UserManager.from_queryset(ScopedQuerySet)):  # type: ignore[misc]
    pass


def _user_scope(scope: Scope) -> Q:
    """Users are visible to officers whose scope contains the user's scope (not to peers beside them)."""
    if scope.level in {"none", "school"}:
        return Q(pk__in=[])
    code = scope.region_code
    return Q(scope_region__code__startswith=code) | Q(scope_school__county__code__startswith=code)


class User(AbstractUser):
    """A person who signs in. ``role`` says what they may do and the scope (a region or a school) where."""

    role = models.CharField(_("role"), max_length=32, choices=Role.choices, blank=True)
    scope_region = models.ForeignKey(
        "orgs.Region", verbose_name=_("scope region"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="+",
    )
    scope_school = models.ForeignKey(
        "orgs.School", verbose_name=_("scope school"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="+",
    )
    phone = models.CharField(_("mobile phone"), max_length=20, blank=True)
    # Set when an officer creates the account or resets its password: the password was seen by someone else,
    # so the user must choose their own before anything else (accounts.middleware).
    must_change_password = models.BooleanField(_("must change password"), default=False)

    scope_spec = ScopeSpec(custom=_user_scope)
    role_permissions = {
        Role.PROVINCE_ADMIN: ALL,
        # Officers add and change the users below them; which ones exactly is accounts.managing's table,
        # enforced by the actions (role_permissions cannot say "school CIOs only").
        Role.PREFECTURE_OFFICER: MANAGE,
        Role.COUNTY_OFFICER: MANAGE,
        Role.SCHOOL_CIO: NONE,
        Role.EXPERT_REVIEWER: NONE,
        Role.AUDITOR: READ_ONLY,
    }
    audited = True
    audit_exclude = ("password", "last_login")
    unaudited_fields = ("last_login",)
    objects = ScopedUserManager()  # type: ignore[misc]

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        ordering = ["username"]

    @property
    def scope(self) -> Scope:
        if self.is_superuser:
            return Scope.NATION
        if self.scope_school_id is not None:
            return Scope(level="school", school_id=self.scope_school_id)
        region = RegionCode.parse_or_none(self.scope_region_id)
        if region is not None:
            return Scope(level=region.level, region_code=region.code)
        return Scope.NOTHING

    def in_scope(self, scope: Scope) -> bool:
        """Whether this (possibly unsaved) user's own scope lies inside ``scope``: officers manage only
        the users of their area, never users above or beside it."""
        if scope.level == "nation":
            return True
        area = scope.region
        if self.is_superuser or area is None:
            return False
        if self.scope_school_id is not None:
            # Through the foreign key, not an import of orgs: accounts sits below orgs in the layers.
            school = self.scope_school
            county = str(school.county_id or "") if school is not None else ""
            return bool(county) and area.contains(county)
        return bool(self.scope_region_id) and area.contains(str(self.scope_region_id))

    def scope_label(self) -> str:
        """The user's area in words, e.g. 四川省成都市武侯区 or a school's name."""
        if self.is_superuser:
            return str(_("Nationwide"))
        if self.scope_school_id is not None and self.scope_school is not None:
            return self.scope_school.name
        if self.scope_region is not None:
            return self.scope_region.full_name()
        return ""

    def clean(self) -> None:
        super().clean()
        if self.is_superuser:
            return
        if self.scope_region_id and self.scope_school_id:
            raise ValidationError({"scope_school": _("Give either a region or a school as the scope, not both.")})
        if not self.role:
            raise ValidationError({"role": _("Every user needs a role.")})
        allowed = ROLE_SCOPE_LEVELS.get(self.role, frozenset())
        if self.scope.level not in allowed:
            levels = "、".join(str(SCOPE_LEVEL_LABELS[level]) for level in LEVELS if level in allowed)
            raise ValidationError(
                {"scope_region": _("The role %(role)s needs a scope at level: %(levels)s.")
                 % {"role": self.get_role_display(), "levels": levels}}
            )
        self.is_staff = self.role in STAFF_ROLES

    def org_placement(self):  # type: ignore[no-untyped-def]
        if self.scope_school_id is not None and self.scope_school is not None:
            return Placement.of(self.scope_school.county_id, school_id=self.scope_school.pk)
        return Placement.of(self.scope_region_id)


class LoginFailure(models.Model):
    """A failed sign-in, kept for throttling (per username and per address)."""

    username = models.CharField(max_length=150, db_index=True)
    address = models.CharField(max_length=128, db_index=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    # Internal bookkeeping, visible to nobody through the UI or API.
    scope_test_exempt = "sign-in bookkeeping: no page, endpoint or admin shows it to anyone"
    scope_spec = ScopeSpec(custom=lambda scope: Q(pk__in=[]))
    role_permissions = dict.fromkeys(Role.values, NONE)
    objects = ScopedManager()

    class Meta:
        verbose_name = _("login failure")
        verbose_name_plural = _("login failures")

    def __str__(self) -> str:
        return f"{self.username}@{self.address}"
