"""Sharing requests: submitting one, and the data owner's decisions (the workflow of ``SHARE_WORKFLOW``)."""

from __future__ import annotations

import datetime
from collections.abc import Sequence

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from edupulse.basedata import catalogue
from edupulse.basedata.models import SHARE_WORKFLOW, ShareRequest
from edupulse.core.actions import action, save_instance
from edupulse.core.actors import Actor, is_system
from edupulse.core.regions import RegionCode


def minors_sensitive(kind: str, fields: Sequence[str]) -> bool:
    """Whether any field asked for is minors' sensitive personal information (the catalogue says)."""
    entries = catalogue.field_sharing(f"basedata.{kind}")
    return any(entries[f].minors and entries[f].personal == "sensitive" for f in fields if f in entries)


@action
def submit_share_request(*, acting_user: Actor, requesting_unit: str, purpose: str, kind: str, fields: Sequence[str],
                         region: str, expires_on: datetime.date) -> ShareRequest:
    """A new request; the fields must be of the dataset, the expiry in the future, the region a region code
    (``save_instance`` refuses one outside the requester's scope)."""
    entries = catalogue.field_sharing(f"basedata.{kind}")
    unknown = [f for f in fields if f not in entries]
    if not fields or unknown:
        raise ValidationError({"fields": _("Choose fields of the dataset (unknown: %(fields)s).")
                               % {"fields": ", ".join(unknown) or "—"}})
    if expires_on <= timezone.localdate():
        raise ValidationError({"expires_on": _("The expiry date must be in the future.")})
    if RegionCode.parse_or_none(region) is None:
        raise ValidationError({"region": _("Give a region code (province, prefecture or county).")})
    request = ShareRequest(requesting_unit=requesting_unit.strip(), purpose=purpose.strip(), kind=kind,
                           fields=list(dict.fromkeys(fields)), region=region, expires_on=expires_on,
                           minors_sensitive=minors_sensitive(kind, fields),
                           requester=None if is_system(acting_user) else acting_user,  # type: ignore[misc]
                           requester_name=acting_user.get_username())
    request.store_placement(region)
    return save_instance(request, acting_user=acting_user)


def _move(request: ShareRequest, verb: str, acting_user: Actor) -> ShareRequest:
    transition = SHARE_WORKFLOW.enforce(acting_user, request, verb)
    approver = None if is_system(acting_user) else acting_user
    if verb == "approve":
        request.owner_approved_by = approver  # type: ignore[assignment]
    elif verb == "approve_minors":
        request.minors_approved_by = approver  # type: ignore[assignment]
    request.status = str(transition.target)
    return save_instance(request, acting_user=acting_user, verb="change")


@action
def approve_share_request(request: ShareRequest, *, acting_user: Actor) -> ShareRequest:
    """The data owner's approval (final, unless minors' sensitive fields await a second one)."""
    return _move(request, "approve", acting_user)


@action
def approve_minors_data(request: ShareRequest, *, acting_user: Actor) -> ShareRequest:
    """The second approval of minors' sensitive fields, by another person than the first."""
    return _move(request, "approve_minors", acting_user)


@action
def reject_share_request(request: ShareRequest, *, acting_user: Actor) -> ShareRequest:
    return _move(request, "reject", acting_user)
