"""Forms as data: a form (DHIS2 'data set'), its versions, sections, fields and validation rules.

Definitions ship as YAML in ``collection/form_definitions/`` and are loaded by ``actions.load_forms``; they may be
edited in the admin until a version is *frozen*, which happens the moment the first submission is
stored against it. After that a change needs a new version (a new YAML ``version:``).
Forms are reference data: every signed-in user may read them (``public=True``).
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from edupulse.core.roles import READ_ONLY, Role
from edupulse.core.scoping import ScopedManager, ScopeSpec

FORM_PERMISSIONS = dict.fromkeys(Role.values, READ_ONLY)


class PeriodType(models.TextChoices):
    YEAR = "year", _("Year")
    SEMESTER = "semester", _("Semester")
    MONTH = "month", _("Month")
    ONCE = "once", _("One-off")


class FieldType(models.TextChoices):
    INTEGER = "integer", _("Whole number")
    DECIMAL = "decimal", _("Decimal number")
    PERCENT = "percent", _("Percentage")
    BOOLEAN = "boolean", _("Yes/no")
    CHOICE = "choice", _("Choice from a code list")
    TEXT = "text", _("Text")
    DATE = "date", _("Date")


class Severity(models.TextChoices):
    ERROR = "error", _("Error (blocks submission)")
    WARNING = "warning", _("Warning (needs an explanation)")


class MissingStrategy(models.TextChoices):
    SKIP_IF_ANY = "skip_if_any", _("Skip the rule if any value is missing")
    SKIP_IF_ALL = "skip_if_all", _("Skip the rule only if all values are missing")
    NEVER_SKIP = "never_skip", _("Never skip: treat missing values as 0")


class Form(models.Model):
    """A statistics form (data set) with its period type and the schools it is assigned to."""

    code = models.SlugField(_("code"), max_length=63, unique=True)
    name = models.CharField(_("name"), max_length=128)
    description = models.TextField(_("description"), blank=True)
    period_type = models.CharField(_("period type"), max_length=10, choices=PeriodType.choices)
    deadline_days = models.PositiveSmallIntegerField(_("days after the period for on-time submission"), default=30)
    categories = models.JSONField(_("school categories"), default=list, blank=True,
                                  help_text=_("Empty means every category."))
    regions = models.JSONField(_("region code prefixes"), default=list, blank=True,
                               help_text=_("Empty means every region."))
    is_active = models.BooleanField(_("active"), default=True)

    scope_spec = ScopeSpec(public=True)
    role_permissions = FORM_PERMISSIONS
    audited = True
    objects = ScopedManager()

    class Meta:
        ordering = ["code"]
        verbose_name = _("form")
        verbose_name_plural = _("forms")

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"


class FormVersion(models.Model):
    """One version of a form. ``frozen`` once data exists; only one version is current."""

    form = models.ForeignKey(Form, verbose_name=_("form"), on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveIntegerField(_("version"))
    checksum = models.CharField(_("checksum"), max_length=16, blank=True)
    extras = models.JSONField(_("year-on-year, outlier and indicator settings"), default=dict, blank=True)
    is_current = models.BooleanField(_("current"), default=True)
    frozen = models.BooleanField(_("frozen"), default=False,
                                 help_text=_("Set when the first submission is stored; frozen versions cannot change."))
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    scope_spec = ScopeSpec(public=True)
    role_permissions = FORM_PERMISSIONS
    audited = True
    objects = ScopedManager()

    class Meta:
        ordering = ["form__code", "-number"]
        verbose_name = _("form version")
        verbose_name_plural = _("form versions")
        constraints = [models.UniqueConstraint(fields=["form", "number"], name="collection_formversion_unique")]

    def __str__(self) -> str:
        return f"{self.form.code} v{self.number}"


class Section(models.Model):
    """A titled group of fields in a form version."""

    version = models.ForeignKey(FormVersion, verbose_name=_("form version"), on_delete=models.CASCADE,
                                related_name="sections")
    code = models.SlugField(_("code"), max_length=63)
    title = models.CharField(_("title"), max_length=128)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    scope_spec = ScopeSpec(public=True)
    role_permissions = FORM_PERMISSIONS
    audited = True
    objects = ScopedManager()

    class Meta:
        ordering = ["version", "order"]
        verbose_name = _("section")
        verbose_name_plural = _("sections")
        constraints = [models.UniqueConstraint(fields=["version", "code"], name="collection_section_unique")]

    def __str__(self) -> str:
        return self.title


class Field(models.Model):
    """A data element of a form version: type, unit, required, range and code list."""

    version = models.ForeignKey(FormVersion, verbose_name=_("form version"), on_delete=models.CASCADE,
                                related_name="fields")
    section = models.ForeignKey(Section, verbose_name=_("section"), on_delete=models.CASCADE, related_name="fields")
    code = models.SlugField(_("code"), max_length=63)
    label = models.CharField(_("label"), max_length=128)
    type = models.CharField(_("type"), max_length=10, choices=FieldType.choices)
    unit = models.CharField(_("unit"), max_length=16, blank=True)
    required = models.BooleanField(_("required"), default=False)
    min_value = models.FloatField(_("minimum"), null=True, blank=True)
    max_value = models.FloatField(_("maximum"), null=True, blank=True)
    decimals = models.PositiveSmallIntegerField(_("decimal places"), default=2)
    max_length = models.PositiveSmallIntegerField(_("maximum length"), default=200)
    help_text = models.CharField(_("help"), max_length=255, blank=True)
    choices = models.JSONField(_("code list"), default=list, blank=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    scope_spec = ScopeSpec(public=True)
    role_permissions = FORM_PERMISSIONS
    audited = True
    objects = ScopedManager()

    class Meta:
        ordering = ["version", "order"]
        verbose_name = _("field")
        verbose_name_plural = _("fields")
        constraints = [models.UniqueConstraint(fields=["version", "code"], name="collection_field_unique")]

    def __str__(self) -> str:
        return f"{self.label} ({self.code})"


class ValidationRule(models.Model):
    """An expression that must hold (see ``collection/expressions.py`` for the language)."""

    version = models.ForeignKey(FormVersion, verbose_name=_("form version"), on_delete=models.CASCADE,
                                related_name="rules")
    code = models.CharField(_("code"), max_length=32)
    expression = models.TextField(_("expression"))
    severity = models.CharField(pgettext_lazy("validation", "severity"), max_length=8, choices=Severity.choices,
                                default=Severity.ERROR)
    missing_strategy = models.CharField(_("missing values"), max_length=12, choices=MissingStrategy.choices,
                                        default=MissingStrategy.SKIP_IF_ANY)
    message = models.CharField(_("description"), max_length=255, blank=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    scope_spec = ScopeSpec(public=True)
    role_permissions = FORM_PERMISSIONS
    audited = True
    objects = ScopedManager()

    class Meta:
        ordering = ["version", "order"]
        verbose_name = _("validation rule")
        verbose_name_plural = _("validation rules")
        constraints = [models.UniqueConstraint(fields=["version", "code"], name="collection_rule_unique")]

    def __str__(self) -> str:
        return f"{self.code}: {self.message or self.expression}"
