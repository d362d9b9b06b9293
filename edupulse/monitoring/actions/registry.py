"""The asset registry: websites, information systems and education apps (create, change, delete, import)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext as _

from edupulse.core import audit
from edupulse.core.actions import action, delete_instance, save_instance
from edupulse.core.actors import Actor
from edupulse.core.permissions import require
from edupulse.core.roles import Role
from edupulse.monitoring import importing
from edupulse.monitoring.models import EducationApp, Finding, InformationSystem, SiteState, Website


def _school_may_only_change(instance: models.Model, allowed: tuple[str, ...], acting_user: Actor) -> None:
    """A school CIO may change only ``allowed`` fields of an asset of their own school, and create none."""
    if acting_user.role != Role.SCHOOL_CIO:
        return
    if instance._state.adding:
        raise ValidationError(_("Only the education authority registers assets; ask the county."))
    stored = type(instance)._default_manager.get(pk=instance.pk)
    changed = [f.name for f in type(instance)._meta.concrete_fields
               if getattr(stored, f.attname) != getattr(instance, f.attname)]
    forbidden = [name for name in changed if name not in allowed]
    if forbidden:
        raise ValidationError({name: _("A school may not change this field; ask the county.") for name in forbidden})


@action
def save_website(website: Website, *, acting_user: Actor) -> Website:
    _school_may_only_change(website, Website.SCHOOL_EDITABLE_FIELDS, acting_user)
    saved = save_instance(website, acting_user=acting_user)
    state = SiteState.objects.filter(website=saved).first()
    if state is not None:  # keep the dashboard's copy of the placement in step
        state.copy_placement(saved)
        state.save(update_fields=["province_code", "prefecture_code", "county_code", "school_id", "active"])
    _move_findings_with(saved, acting_user)
    return saved


def _move_findings_with(website: Website, acting_user: Actor) -> None:
    """A site moved to another owner takes its findings along (they are scoped by the copied codes), with
    one audit row naming the findings moved and where from."""
    placement = {"province_code": str(website.province_id or ""), "prefecture_code": str(website.prefecture_id or ""),
                 "county_code": str(website.county_id or ""), "school_id": website.school_id}
    stale = Finding.objects.filter(website=website).exclude(**placement)
    moved = list(stale.values("pk", "province_code", "prefecture_code", "county_code", "school_id"))
    if not moved:
        return
    stale.update(**placement)
    audit.record("monitoring.finding.move", website, acting_user=acting_user,
                 before={"findings": moved}, after={"findings": [row["pk"] for row in moved], **placement})


@action
def delete_website(website: Website, *, acting_user: Actor) -> None:
    delete_instance(website, acting_user=acting_user)


@action
def save_system(system: InformationSystem, *, acting_user: Actor,
                websites: list[Website] | None = None) -> InformationSystem:
    """Create or update a system; ``websites`` (when given) replaces its linked sites, which must be
    visible to the acting user."""
    _school_may_only_change(system, InformationSystem.SCHOOL_EDITABLE_FIELDS, acting_user)
    saved = save_instance(system, acting_user=acting_user)
    if websites is not None:
        before = sorted(saved.websites.values_list("pk", flat=True))
        after = sorted(s.pk for s in websites)
        if before != after and acting_user.role == Role.SCHOOL_CIO \
                and "websites" not in InformationSystem.SCHOOL_EDITABLE_FIELDS:
            raise ValidationError({"websites": _("A school may not change this field; ask the county.")})
        # Only the links being added must be visible to the acting user: a link the user cannot see (made by
        # the authority above) may stay as it is.
        for site in websites:
            if site.pk not in before:
                require(acting_user, "view", site)
        if before != after:
            saved.websites.set(websites)
            audit.record("monitoring.informationsystem.websites", saved, acting_user=acting_user,
                         before={"websites": before}, after={"websites": after})
    return saved


@action
def delete_system(system: InformationSystem, *, acting_user: Actor) -> None:
    delete_instance(system, acting_user=acting_user)


@action
def save_app(app: EducationApp, *, acting_user: Actor) -> EducationApp:
    _school_may_only_change(app, EducationApp.SCHOOL_EDITABLE_FIELDS, acting_user)
    return save_instance(app, acting_user=acting_user)


@action
def delete_app(app: EducationApp, *, acting_user: Actor) -> None:
    delete_instance(app, acting_user=acting_user)


@action
def import_assets(kind: str, rows: list[dict[str, Any]], *, acting_user: Actor) -> int:
    """Create every parsed row of an import (see :mod:`.importing`) — all or none.

    Rows were validated by the importer; each is saved through the model's own action so that scope,
    validation and the audit trail are exactly those of a single create.
    """
    spec = importing.SPECS[kind]
    savers: dict[str, Callable[..., Any]] = {"website": save_website, "system": save_system, "app": save_app}
    saver = savers[kind]
    for row in rows:
        values = dict(row)
        links = values.pop("_websites", None)
        instance = spec.model(**values)
        if kind == "system":
            saver(instance, acting_user=acting_user, websites=links)
        else:
            saver(instance, acting_user=acting_user)
    return len(rows)
