"""催报: who has not reported, and reminding them (inbox first, then the region's alert channels).

*Not reported* is one definition, the complement of ``completeness.REPORTED`` among the expected schools,
in three kinds shown apart: no record at all, a draft never submitted, a submission returned and not yet
resubmitted. :func:`send_reminder` records the reminder and the inbox messages (one action), sends one
message over the alert channels covering the area through :mod:`edupulse.core.notify` (outside any
transaction: robots and mail servers may be slow), then records what each channel did (a second action).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import translation
from django.utils.translation import gettext as _

from edupulse.collection import actions
from edupulse.collection.completeness import deadline, expected_schools
from edupulse.collection.definitions import FormSpec
from edupulse.collection.models import NotReportedKind, Reminder, Submission
from edupulse.collection.models.submission import SubmissionStatus
from edupulse.collection.registry import current_version
from edupulse.core import notify
from edupulse.core.actors import Actor
from edupulse.core.regions import RegionCode
from edupulse.orgs.models import School

KIND_OF_STATUS = {SubmissionStatus.DRAFT: NotReportedKind.DRAFT, SubmissionStatus.RETURNED: NotReportedKind.RETURNED}
NAMES_IN_MESSAGE = 30  # a group robot's message lists this many schools, then "and N more"


@dataclass(frozen=True)
class NotReported:
    school: School
    kind: str  # a NotReportedKind value


def not_reported(spec: FormSpec, period: str, user: Actor, region: str = "") -> list[NotReported]:
    """The expected schools (inside ``user``'s scope and ``region``) that have not reported, by code."""
    schools = expected_schools(spec, user).select_related("county", "prefecture")
    if region:
        schools = schools.filter(**RegionCode.parse(region).lookup())
    status_of = dict(Submission.objects.filter(form__code=spec.code, period=period, school__in=schools)
                     .values_list("school_id", "status"))
    found = []
    for school in schools.order_by("code"):
        status = status_of.get(school.pk)
        if status is None:
            found.append(NotReported(school, NotReportedKind.NO_RECORD))
        elif status in KIND_OF_STATUS:
            found.append(NotReported(school, KIND_OF_STATUS[SubmissionStatus(status)]))
    return found


def _inbox_text(spec: FormSpec, period: str, kind: str) -> str:
    reason = str(NotReportedKind(kind).label)
    return _("Please submit “%(form)s” for %(period)s by %(deadline)s. Current state: %(reason)s.") % {
        "form": spec.name, "period": period, "deadline": f"{deadline(spec, period):%Y-%m-%d}", "reason": reason}


def _channel_message(spec: FormSpec, period: str, area_name: str, targets: list[NotReported]) -> tuple[str, str]:
    title = _("【EduPulse】Reminder: %(count)d schools of %(area)s have not submitted %(form)s %(period)s") % {
        "count": len(targets), "area": area_name, "form": spec.name, "period": period}
    lines = [f"### {title}", _("Deadline: %(date)s") % {"date": f"{deadline(spec, period):%Y-%m-%d}"}]
    for kind in NotReportedKind:
        names = [t.school.name for t in targets if t.kind == kind]
        if names:
            shown = "、".join(names[:NAMES_IN_MESSAGE])
            more = _(" and %(n)d more") % {"n": len(names) - NAMES_IN_MESSAGE} if len(names) > NAMES_IN_MESSAGE else ""
            lines.append(f"- {kind.label}（{len(names)}）：{shown}{more}")
    return title[:200], "\n".join(lines)


def send_reminder(spec: FormSpec, period: str, area: str, area_name: str, *, acting_user: Actor) -> Reminder:
    """Remind the not-reported schools of ``area`` (in the user's scope); refused when there is no one to
    remind or every one of them was reminded today already."""
    targets = not_reported(spec, period, acting_user, area)
    if not targets:
        raise ValidationError(_("Every school has reported; there is no one to remind."))
    fresh_ids = {t.school.pk for t in targets} - actions.reminded_today([t.school.pk for t in targets])
    if not fresh_ids:
        raise ValidationError(_("These schools were all reminded today already; a school is reminded at most "
                                "once a day."))
    with translation.override(settings.LANGUAGE_CODE):  # stored and sent in the platform's language
        rows = [(t.school, t.kind, _inbox_text(spec, period, t.kind)) for t in targets]
        title, text = _channel_message(spec, period, area_name, [t for t in targets if t.school.pk in fresh_ids])
    reminder = actions.record_reminder(current_version(spec.code).form, period, area, rows, acting_user=acting_user)
    results = notify.send(area, title, text, acting_user=acting_user)
    return actions.record_reminder_channels(reminder, results, acting_user=acting_user)
