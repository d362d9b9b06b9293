from edupulse.supervision.models.round import ROUND_WORKFLOW, RoundStatus, SupervisionRound
from edupulse.supervision.models.score import SupervisionResult, SupervisionScore

__all__ = ["ROUND_WORKFLOW", "RoundStatus", "SupervisionResult", "SupervisionRound", "SupervisionScore"]
