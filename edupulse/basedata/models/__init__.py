from edupulse.basedata.models.batch import ImportBatch, RecordKind, SourceSystem
from edupulse.basedata.models.linking import REVIEW_WORKFLOW, MatchReview, ReviewStatus

__all__ = ["REVIEW_WORKFLOW", "ImportBatch", "MatchReview", "RecordKind", "ReviewStatus", "SourceSystem"]
