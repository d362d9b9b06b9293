"""Forms as data: YAML definitions, loading into versioned models, freezing."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from edupulse.collection import actions
from edupulse.collection.definitions import FORMS_DIR, DefinitionError, load_yaml, spec_from_mapping
from edupulse.collection.models import Field, Form, FormVersion, ValidationRule
from edupulse.collection.registry import build_spec, current_version
from edupulse.collection.tests.conftest import FORM
from edupulse.collection.tests.helpers import run_cli
from edupulse.core.actions import run_as_system

SHIPPED = FORMS_DIR / f"{FORM}.yaml"


def test_shipped_survey_covers_the_work_plan_targets() -> None:
    spec = load_yaml(SHIPPED)
    codes = {f.code for f in spec.fields}
    for needed in ("internet_access", "internet_bandwidth_mbps", "classroom_bandwidth_mbps", "wireless_coverage_pct",
                   "multimedia_classrooms", "ordinary_classrooms", "teacher_terminals", "student_terminals",
                   "teacher_space_accounts", "student_space_accounts", "teachers_trained_20", "cio_appointed",
                   "spending_total", "websites", "websites_ipv6", "systems", "systems_djbh_filed"):
        assert needed in codes
    assert {f.type for f in spec.fields} == {"integer", "decimal", "percent", "boolean", "choice", "text", "date"}
    assert {r.severity for r in spec.rules} == {"error", "warning"}
    assert {r.missing for r in spec.rules} == {"skip_if_any", "skip_if_all", "never_skip"}


@pytest.mark.parametrize(("patch", "fragment"), [
    ({"version": 0}, "version"),
    ({"period_type": "weekly"}, "period_type"),
    ({"rules": [{"code": "R1", "expr": "nope_field > 1"}]}, "nope_field"),
    ({"rules": [{"code": "R1", "expr": "1 +"}]}, "rules[0].expr"),
    ({"rules": [{"code": "R1", "expr": "a > 1", "severity": "fatal"}]}, "severity"),
    ({"surprise": 1}, "surprise"),
])
def test_bad_definitions_name_the_problem(patch: dict[str, Any], fragment: str) -> None:
    data = yaml.safe_load(SHIPPED.read_text(encoding="utf-8"))
    data.update(patch)
    with pytest.raises(DefinitionError, match=r".*") as info:
        spec_from_mapping(data, "x.yaml")
    assert fragment in str(info.value)


@pytest.mark.django_db
def test_load_is_idempotent_and_db_spec_matches_yaml(forms: Any) -> None:
    assert [r.status for r in run_as_system(actions.load_forms)] == ["unchanged"]
    version = current_version(FORM)
    assert build_spec(version).checksum() == load_yaml(SHIPPED).checksum() == version.checksum
    assert Field.objects.filter(version=version).count() == len(load_yaml(SHIPPED).fields)


@pytest.mark.django_db
def test_version_freezes_with_data_and_then_refuses_changes(forms: Any, school: Any, tmp_path: Path) -> None:
    from edupulse.collection.tests.factories import make_submission

    make_submission(school)
    version = FormVersion.objects.get(pk=forms.pk)
    assert version.frozen
    data = yaml.safe_load(SHIPPED.read_text(encoding="utf-8"))
    data["name"] = "改过的名字"
    data["sections"][0]["fields"][0]["max"] = 99999
    (tmp_path / "f.yaml").write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    with pytest.raises(DefinitionError):
        run_as_system(actions.load_forms, directory=tmp_path)
    data["version"] = 2
    (tmp_path / "f.yaml").write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    assert [r.status for r in run_as_system(actions.load_forms, directory=tmp_path)] == ["created"]
    assert current_version(FORM).number == 2
    assert not FormVersion.objects.get(pk=forms.pk).is_current
    field = Field.objects.filter(version=version).first()
    assert field is not None
    field.label = "x"
    with pytest.raises(Exception, match=r"frozen|冻结"):
        run_as_system(actions.save_form_part, field)


@pytest.mark.django_db
def test_admin_edit_of_unfrozen_rule_checks_the_expression(forms: Any) -> None:
    from django.core.exceptions import ValidationError

    rule = ValidationRule.objects.filter(version=forms).first()
    assert rule is not None
    rule.expression = "unknown_thing > 0"
    with pytest.raises(ValidationError):
        run_as_system(actions.save_form_part, rule)
    rule.expression = "websites >= websites_ipv6"
    run_as_system(actions.save_form_part, rule)
    assert FormVersion.objects.get(pk=forms.pk).checksum != forms.checksum  # old templates are now outdated


@pytest.mark.django_db
def test_cli_forms_json(forms: Any) -> None:
    import json

    code, out = run_cli("forms", "--json")
    assert code == 0
    listed = json.loads(out)["forms"]
    assert listed[0]["code"] == FORM and listed[0]["version"] == 1 and listed[0]["id"] == Form.objects.get().pk
    assert {"id", "code", "name", "version", "version_id", "current", "frozen"} <= set(listed[0])
