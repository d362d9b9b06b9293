"""Models of the statistics collection app."""

from edupulse.collection.models.extract import SavedExtract
from edupulse.collection.models.form import Field, Form, FormVersion, Section, ValidationRule
from edupulse.collection.models.reminder import InboxMessage, NotReportedKind, Reminder
from edupulse.collection.models.submission import Submission

__all__ = ["Field", "Form", "FormVersion", "InboxMessage", "NotReportedKind", "Reminder", "SavedExtract", "Section",
           "Submission", "ValidationRule"]
