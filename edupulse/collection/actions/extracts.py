"""Saved custom extracts (查询方案) of an officer's area."""

from __future__ import annotations

from edupulse.collection.models import SavedExtract
from edupulse.core.actions import action, delete_instance, save_instance
from edupulse.core.actors import Actor, is_system
from edupulse.core.scoping import scope_of


@action
def save_extract(extract: SavedExtract, *, acting_user: Actor, region_code: str = "") -> SavedExtract:
    """Create or change a saved extract; a new one is placed in the area of the officer who saves it."""
    if extract._state.adding:
        extract.owner = None if is_system(acting_user) else acting_user  # type: ignore[assignment]  # a User here
        extract.place(region_code or scope_of(acting_user).region_code)
    return save_instance(extract, acting_user=acting_user)


@action
def delete_extract(extract: SavedExtract, *, acting_user: Actor) -> None:
    delete_instance(extract, acting_user=acting_user)
