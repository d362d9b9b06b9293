"""Saving a new version of an indicator definition (the admin's and the API's write)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Max

from edupulse.accounts.models import User
from edupulse.core.actions import action, save_instance
from edupulse.core.actors import Actor
from edupulse.indicators.definitions import DefinitionError, parse
from edupulse.indicators.models import IndicatorDefinition


@action
def save_definition(spec: dict[str, Any], *, acting_user: Actor, is_active: bool = True,
                    note: str = "") -> IndicatorDefinition:
    """Check ``spec`` (the YAML mapping) and store it as the next version of its code; a definition that does
    not parse is refused with the parser's Chinese message and nothing is written."""
    try:
        definition = parse(spec)
    except DefinitionError as error:
        raise ValidationError({"spec": str(error)}) from None
    latest = IndicatorDefinition.objects.filter(code=definition.code).aggregate(v=Max("version"))["v"] or 0
    row = IndicatorDefinition(code=definition.code, version=latest + 1, spec=definition.as_yaml(),
                              is_active=is_active, note=note,
                              saved_by=acting_user if isinstance(acting_user, User) else None)
    return save_instance(row, acting_user=acting_user)
