"""State changes of this app (one module per topic)."""

from edupulse.plans.actions.imports import import_plan
from edupulse.plans.actions.links import confirm_link, reject_link, suggest_links
from edupulse.plans.actions.progress import assign_task, move_task, record_update

__all__ = ["assign_task", "confirm_link", "import_plan", "move_task", "record_update", "reject_link", "suggest_links"]
