"""Factories for the generic scope test: "app.Model" -> function(school) -> instance built through actions."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from edupulse.collection import actions
from edupulse.collection.models import (
    Field,
    Form,
    FormVersion,
    InboxMessage,
    Reminder,
    SavedExtract,
    Section,
    Submission,
    ValidationRule,
)
from edupulse.collection.registry import current_version
from edupulse.core.actions import run_as_system

FORM = "edu_informatization_annual"


def shipped_version() -> FormVersion:
    """The annual survey's current version, loaded once (forms are shared by every school)."""
    if not FormVersion.objects.filter(form__code=FORM).exists():
        run_as_system(actions.load_forms)
    return current_version(FORM)


def make_submission(school: Any, period: str = "2022", values: dict[str, Any] | None = None) -> Submission:
    submission: Submission = run_as_system(actions.open_submission, shipped_version(), school, period)
    if values is not None:
        submission = run_as_system(actions.save_values, submission, values)
    return submission


def _form(_school: Any) -> Form:
    return shipped_version().form


def _version(_school: Any) -> FormVersion:
    return shipped_version()


def _section(_school: Any) -> Section:
    return shipped_version().sections.order_by("order").first()  # type: ignore[return-value]


def _field(_school: Any) -> Field:
    return shipped_version().fields.order_by("order").first()  # type: ignore[return-value]


def _rule(_school: Any) -> ValidationRule:
    return shipped_version().rules.order_by("order").first()  # type: ignore[return-value]


def _submission(school: Any) -> Submission:
    return make_submission(school)


def make_extract(school: Any) -> SavedExtract:
    """An extract saved by an officer of the school's county."""
    extract = SavedExtract(name=f"{school.county_id} 学校带宽", form=shipped_version().form,
                           field_codes=["internet_bandwidth_mbps"], region_codes=[school.county_id],
                           periods=["2022"])
    saved: SavedExtract = run_as_system(actions.save_extract, extract, region_code=school.county_id)
    return saved


SCOPED_FACTORIES: dict[str, Callable[[Any], Any]] = {
    "collection.Form": _form,
    "collection.FormVersion": _version,
    "collection.Section": _section,
    "collection.Field": _field,
    "collection.ValidationRule": _rule,
    "collection.Submission": _submission,
    "collection.SavedExtract": make_extract,
}


def make_reminder(school: Any) -> Reminder:
    """A 催报 of the school's county that reached the school (sent by the platform, no channel)."""
    reminder: Reminder = run_as_system(actions.record_reminder, shipped_version().form, "2022", school.county_id,
                                       [(school, "no_record", "请报送 2022 年度报表。")])
    return reminder


def _inbox_message(school: Any) -> InboxMessage:
    # One reminder a day reaches a school: the message of the reminder made above, or a new one.
    message = InboxMessage.objects.filter(school=school).first()
    return message or make_reminder(school).messages.get()


SCOPED_FACTORIES.update({"collection.Reminder": make_reminder, "collection.InboxMessage": _inbox_message})
