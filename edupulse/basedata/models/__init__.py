from edupulse.basedata.models.batch import ImportBatch, RecordKind, SourceSystem
from edupulse.basedata.models.linking import REVIEW_WORKFLOW, MatchReview, ReviewStatus
from edupulse.basedata.models.quality import QualityLevel, QualityScore
from edupulse.basedata.models.sharing import SHARE_WORKFLOW, ShareRequest, ShareStatus

__all__ = ["REVIEW_WORKFLOW", "SHARE_WORKFLOW", "ImportBatch", "MatchReview", "QualityLevel", "QualityScore",
           "RecordKind", "ReviewStatus", "ShareRequest", "ShareStatus", "SourceSystem"]
