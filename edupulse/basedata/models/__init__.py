from edupulse.basedata.models.batch import ImportBatch, RecordKind, SourceSystem

__all__ = ["ImportBatch", "RecordKind", "SourceSystem"]
