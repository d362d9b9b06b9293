"""The asset registry: websites, information systems (等级保护) and education apps (备案)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from edupulse.monitoring import grading
from edupulse.monitoring.grading import HarmDegree, HarmObject
from edupulse.monitoring.models.base import OwnedAsset
from edupulse.orgs.models.school import phone_validator

# e.g. 蜀ICP备12345678号 or 京ICP备2021012345号-3 (province abbreviation + ICP备 + number + 号 [-site]).
icp_validator = RegexValidator(
    r"^[\u4e00-\u9fa5]ICP备\d{6,10}号(-\d{1,3})?$",
    _("Enter an ICP filing number such as 蜀ICP备12345678号-1."),
)
filing_validator = RegexValidator(r"^\d{11}$", _("The classified-protection filing number has 11 digits."))


class WebsiteCategory(models.TextChoices):
    BUREAU_PORTAL = "bureau_portal", _("Bureau portal")
    SCHOOL_SITE = "school_site", _("School website")
    BUSINESS_SYSTEM = "business_system", _("Business system")


class Website(OwnedAsset):
    """A web address the platform watches (probes), owned by a school or by a bureau."""

    url = models.URLField(_("URL"), max_length=500, unique=True,
                          error_messages={"unique": _("This URL is already registered.")})
    name = models.CharField(_("name"), max_length=128)
    # Its own context: the plain msgid "category" is the school's category (学校类别) in the project catalogue.
    category = models.CharField(pgettext_lazy("asset field", "category"), max_length=20,
                                choices=WebsiteCategory.choices, db_index=True)
    contact_name = models.CharField(_("contact person"), max_length=64, blank=True)
    contact_phone = models.CharField(_("contact phone"), max_length=32, blank=True, validators=[phone_validator])
    icp_number = models.CharField(_("ICP filing number"), max_length=40, blank=True, validators=[icp_validator])
    is_active = models.BooleanField(_("monitored"), default=True)

    # What a school may change about its own site; the rest is the authority's registry data.
    SCHOOL_EDITABLE_FIELDS = ("contact_name", "contact_phone", "icp_number")

    class Meta:
        ordering = ["url"]
        verbose_name = _("website")
        verbose_name_plural = _("websites")
        # Counting a region's sites per child region reads only these indexes.
        indexes = [models.Index(fields=["county", "is_active"]), models.Index(fields=["prefecture", "is_active", "county"]),
                   models.Index(fields=["province", "is_active", "prefecture"])]

    def __str__(self) -> str:
        return f"{self.name} ({self.url})"

    def clean(self) -> None:
        super().clean()
        if self.category == WebsiteCategory.BUREAU_PORTAL and self.school_id:
            raise ValidationError({"category": _("A bureau portal must belong to a bureau, not a school.")})


class AssessmentResult(models.TextChoices):
    CONFORMS = "conforms", _("Conforms")
    BASICALLY = "basically", _("Basically conforms")
    FAILS = "fails", _("Does not conform")


class InformationSystem(OwnedAsset):
    """A system under 等级保护 2.0. ``level`` is computed from the two harm dimensions (GB/T 22240-2020);
    ``next_assessment_due`` from the level and the last assessment (see :mod:`monitoring.grading`)."""

    name = models.CharField(_("name"), max_length=128)
    info_harm_object = models.CharField(_("business information: object harmed"), max_length=20,
                                        choices=HarmObject.choices)
    info_harm_degree = models.CharField(_("business information: degree of harm"), max_length=20,
                                        choices=HarmDegree.choices)
    service_harm_object = models.CharField(_("system service: object harmed"), max_length=20,
                                           choices=HarmObject.choices)
    service_harm_degree = models.CharField(_("system service: degree of harm"), max_length=20,
                                           choices=HarmDegree.choices)
    level = models.PositiveSmallIntegerField(_("protection level"), editable=False, db_index=True)
    filing_number = models.CharField(_("filing number"), max_length=11, blank=True, validators=[filing_validator])
    filing_date = models.DateField(_("filing date"), null=True, blank=True)
    last_assessment_date = models.DateField(_("last assessment date"), null=True, blank=True)
    last_assessment_result = models.CharField(_("last assessment result"), max_length=12, blank=True,
                                              choices=AssessmentResult.choices)
    next_assessment_due = models.DateField(_("next assessment due"), null=True, blank=True, editable=False,
                                           db_index=True)
    is_cii = models.BooleanField(_("critical information infrastructure"), default=False)
    websites = models.ManyToManyField(Website, verbose_name=_("websites"), blank=True, related_name="systems")

    SCHOOL_EDITABLE_FIELDS = ()

    class Meta:
        ordering = ["-level", "name"]
        verbose_name = _("information system")
        verbose_name_plural = _("information systems")

    def __str__(self) -> str:
        return f"{self.name} ({self.level})"

    def compute(self) -> None:
        if all((self.info_harm_object, self.info_harm_degree, self.service_harm_object, self.service_harm_degree)):
            try:
                self.level = grading.system_level(self.info_harm_object, self.info_harm_degree,
                                                  self.service_harm_object, self.service_harm_degree)
            except KeyError:
                return  # invalid choices are reported by clean_fields
            self.next_assessment_due = grading.next_assessment_due(
                self.level, self.last_assessment_date, self.filing_date)

    def clean_fields(self, exclude: Any = None) -> None:
        self.compute()
        super().clean_fields(exclude=exclude)

    def clean(self) -> None:
        super().clean()
        errors: dict[str, Any] = {}
        if self.filing_number and not self.filing_date:
            errors["filing_date"] = _("Give the filing date with the filing number.")
        if self.last_assessment_date and not self.last_assessment_result:
            errors["last_assessment_result"] = _("Give the result of the last assessment.")
        if errors:
            raise ValidationError(errors)

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.compute()
        super().save(*args, **kwargs)

    @property
    def filing_required(self) -> bool:
        return bool(self.level and self.level >= grading.FILING_REQUIRED_FROM_LEVEL)


class AppPlatform(models.TextChoices):
    ANDROID = "android", _("Android app")
    IOS = "ios", _("iOS app")
    MINI_PROGRAM = "mini_program", _("Mini program")
    OFFICIAL_ACCOUNT = "official_account", _("Official account")
    WEB = "web", _("Web application")
    OTHER = "other", _("Other")


class AppStatus(models.TextChoices):
    FILED = "filed", _("Filed")
    PENDING = "pending", _("Filing in progress")
    NOT_FILED = "not_filed", _("Not filed")
    REVOKED = "revoked", _("Filing revoked / taken down")


class EducationApp(OwnedAsset):
    """An education mobile app or mini program used by the owner, with its 教育移动应用备案 status."""

    name = models.CharField(_("name"), max_length=128)
    platform = models.CharField(_("platform"), max_length=20, choices=AppPlatform.choices)
    provider = models.CharField(_("provider"), max_length=128)
    filing_number = models.CharField(_("filing number"), max_length=64, blank=True)
    status = models.CharField(_("filing status"), max_length=12, choices=AppStatus.choices,
                              default=AppStatus.NOT_FILED, db_index=True)
    status_date = models.DateField(_("status date"), null=True, blank=True)

    SCHOOL_EDITABLE_FIELDS = ()

    class Meta:
        ordering = ["name"]
        verbose_name = _("education app")
        verbose_name_plural = _("education apps")

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        super().clean()
        if self.status == AppStatus.FILED and not self.filing_number:
            raise ValidationError({"filing_number": _("A filed app needs its filing number.")})
