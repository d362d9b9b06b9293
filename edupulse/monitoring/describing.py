"""What a check result means, in the reader's language: one sentence per finding, and what to do about it.

The probe engine's evidence is a technical JSON contract (English keys and reasons, see
``docs/cli-monitoring-probe.md``). Officials read findings in the finding list, in alerts and in formal
notices (通报), so every place that shows a finding to a person uses :func:`describe` (what is wrong, with
the figures from the evidence) and :func:`advice` (the rectification asked for, 整改要求). Both go through
Django's i18n: Chinese by default, English when the reader chose it. Each check's sentence and advice are part
of its presentation in ``monitoring.checks``.
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from edupulse.monitoring.checks import PRESENTATIONS, Evidence


def describe(check_name: str, evidence: Evidence | None, status: str = "fail") -> str:
    """One sentence saying what is wrong, in the active language, with the figures from the evidence.

    ``status`` is the check's (a finding is opened by "fail" or "warn"); the evidence tells the cases apart.
    """
    presentation = PRESENTATIONS.get(check_name)
    if presentation is None or status not in ("fail", "warn"):
        return _("%(check)s: %(status)s") % {"check": check_name, "status": status}
    try:
        return presentation.describe(status, evidence or {})
    except (TypeError, ValueError, KeyError, AttributeError):  # evidence of an older engine: say it plainly
        return _("%(check)s: %(status)s") % {"check": check_name, "status": status}


def advice(check_name: str) -> str:
    """What the responsible unit is asked to do (整改要求), in the active language."""
    presentation = PRESENTATIONS.get(check_name)
    return presentation.advice() if presentation is not None else _("Fix the problem and report back.")
