"""State changes of the collection app, one module per topic (Zulip's ``zerver/actions/`` layout).

Every public function decorated with ``@action`` is atomic, takes ``acting_user=`` and writes the audit row:

* :mod:`.forms` — ``load_forms`` (shipped YAML → versioned form models), ``save_form_part`` (admin edits);
* :mod:`.submissions` — ``open_submission`` / ``create_submission`` (the entry page's first save) /
  ``save_values`` (draft or returned only) and the review
  workflow ``submit`` / ``approve`` / ``return_submission`` / ``reopen``, enforced by
  ``models.submission.SUBMISSION_WORKFLOW``;
* :mod:`.imports` — ``store_records``: the accepted records of an import in bulk;
* :mod:`.extracts` — ``save_extract`` / ``delete_extract``;
* :mod:`.reminders` — 催报: ``record_reminder`` (throttled per school and day), ``record_reminder_channels``,
  ``mark_inbox_read``.

Callers import the package (``from edupulse.collection import actions``); the orchestration around the
actions (reading workbooks, the parallel import, the demo loader) lives outside it and calls them.
"""

from edupulse.collection.actions.extracts import delete_extract, save_extract
from edupulse.collection.actions.forms import FormLoadResult, load_forms, save_form_part
from edupulse.collection.actions.imports import PreparedRecord, locked_schools, store_records
from edupulse.collection.actions.reminders import (
    mark_inbox_read,
    record_reminder,
    record_reminder_channels,
    reminded_today,
)
from edupulse.collection.actions.submissions import (
    approve,
    check_school_for_form,
    context_values,
    create_submission,
    open_submission,
    reopen,
    return_submission,
    revalidate,
    save_values,
    submit,
)

__all__ = [
    "FormLoadResult", "PreparedRecord", "approve", "check_school_for_form", "context_values", "create_submission",
    "delete_extract", "load_forms", "locked_schools", "mark_inbox_read", "open_submission", "record_reminder",
    "record_reminder_channels", "reminded_today", "reopen", "return_submission", "revalidate",
    "save_extract", "save_form_part", "save_values", "store_records", "submit",
]
