"""Findings saved before ``monitoring.describing`` existed carry the engine's English reason as their summary;
rewrite them as the sentence the platform now stores (in the server's language), from their evidence."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import migrations


def describe_existing(apps: Any, schema_editor: Any) -> None:
    from django.utils import translation

    from edupulse.monitoring.describing import describe

    finding_model = apps.get_model("monitoring", "Finding")
    changed = []
    with translation.override(settings.LANGUAGE_CODE):
        for finding in finding_model.objects.only("id", "check_name", "evidence", "summary").iterator(chunk_size=2000):
            text = describe(finding.check_name, finding.evidence or {})[:255]
            if text != finding.summary:
                finding.summary = text
                changed.append(finding)
            if len(changed) >= 2000:
                finding_model.objects.bulk_update(changed, ["summary"])
                changed = []
    if changed:
        finding_model.objects.bulk_update(changed, ["summary"])


class Migration(migrations.Migration):
    dependencies = [("monitoring", "0002_scheduled_job")]

    operations = [migrations.RunPython(describe_existing, migrations.RunPython.noop, elidable=True)]
