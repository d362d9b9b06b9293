"""Models of this app (one module per model family)."""

from edupulse.plans.models.plans import (
    LINK_WORKFLOW,
    TASK_WORKFLOW,
    LinkStatus,
    Plan,
    PlanSection,
    PlanTarget,
    PlanTask,
    TaskStatus,
    TaskUpdate,
)

__all__ = ["LINK_WORKFLOW", "TASK_WORKFLOW", "LinkStatus", "Plan", "PlanSection", "PlanTarget", "PlanTask",
           "TaskStatus", "TaskUpdate"]
