"""催报: recording a reminder to the schools that have not reported, its channel outcomes, and a school
reading its inbox. Sending over the alert channels is network I/O and happens between the two actions
(``collection.reminding.send_reminder``), never inside a transaction."""

from __future__ import annotations

from collections.abc import Sequence

from django.db.models import Model
from django.utils import timezone

from edupulse.collection.models import Form, InboxMessage, Reminder
from edupulse.core import audit
from edupulse.core.actions import action, save_instance
from edupulse.core.actors import Actor, is_system
from edupulse.core.notify import ChannelResult
from edupulse.core.permissions import require
from edupulse.orgs.models import School


def reminded_today(school_ids: Sequence[int]) -> set[int]:
    """The schools among ``school_ids`` that already got a reminder today (local date): the throttle."""
    return set(InboxMessage.objects.filter(school_id__in=list(school_ids), sent_on=timezone.localdate())
               .values_list("school_id", flat=True))


@action
def record_reminder(form: Form, period: str, area: str, targets: Sequence[tuple[School, str, str]], *,
                    acting_user: Actor) -> Reminder:
    """A reminder of ``area`` and one inbox message per ``(school, kind, text)`` not reminded yet today.

    Schools reminded earlier today are counted in ``skipped_count`` and get nothing; the reminder row and
    every message are audited (``collection.reminder.create`` and one ``collection.inboxmessage.create`` each)."""
    throttled = reminded_today([school.pk for school, _kind, _text in targets])
    fresh = [(school, kind, text) for school, kind, text in targets if school.pk not in throttled]
    reminder = Reminder(form=form, period=period, area=area, school_count=len(fresh),
                        skipped_count=len(targets) - len(fresh),
                        sent_by=None if is_system(acting_user) else acting_user)  # type: ignore[misc]
    reminder.store_placement(area)
    save_instance(reminder, acting_user=acting_user)
    today = timezone.localdate()
    messages = [InboxMessage(school=school, reminder=reminder, kind=kind, text=text, sent_on=today)
                for school, kind, text in fresh]
    for message in messages:
        require(acting_user, "add", message)  # every school must lie inside the sender's scope
    InboxMessage.objects.bulk_create(messages)
    audit.record_many("collection.inboxmessage.create", list[Model](messages), acting_user=acting_user)
    return reminder


@action
def record_reminder_channels(reminder: Reminder, results: Sequence[ChannelResult], *,
                             acting_user: Actor) -> Reminder:
    """Store what each alert channel did with the reminder (delivered, or the error)."""
    stored = Reminder.objects.select_for_update().get(pk=reminder.pk)
    stored.channels = [r.as_dict() for r in results]
    # Part of sending it: whoever may send a reminder records its outcome (no one may edit one afterwards).
    return save_instance(stored, acting_user=acting_user, verb="add")


@action
def mark_inbox_read(school: School, *, acting_user: Actor) -> int:
    """The school's CIO has read its unread messages; returns how many."""
    unread = list(InboxMessage.objects.filter(school=school, read_at=None))
    for message in unread:
        require(acting_user, "change", message)
    now = timezone.now()
    InboxMessage.objects.filter(pk__in=[m.pk for m in unread]).update(read_at=now)
    if unread:
        audit.record("collection.inboxmessage.read", school, acting_user=acting_user,
                     after={"messages": [m.pk for m in unread], "read_at": now})
    return len(unread)



