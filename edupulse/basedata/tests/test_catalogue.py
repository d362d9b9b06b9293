"""The data resource catalogue: complete and checked, lineage from batches to indicators, DCAT-like export, pages."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from edupulse.accounts.tests.factories import make_user
from edupulse.basedata import catalogue
from edupulse.basedata.schemas import SCHEMAS
from edupulse.basedata.tests.factories import make_batch
from edupulse.orgs.tests.factories import make_school


def test_every_record_field_is_classified() -> None:
    for kind, schema in SCHEMAS.items():
        dataset = next(d for d in catalogue.datasets() if d.table == kind)
        assert [f.name for f in dataset.fields] == list(schema.names)
    student = catalogue.field_sharing("basedata.student")
    assert student["id_number"].sharing == "none" and student["id_number"].personal == "sensitive"
    assert all(f.minors for f in student.values() if f.personal)


def test_a_wrong_vocabulary_value_or_a_missing_field_is_refused(tmp_path: Path) -> None:
    text = catalogue.CATALOGUE_FILE.read_text(encoding="utf-8")
    wrong = tmp_path / "wrong.yaml"
    wrong.write_text(text.replace("grade: important", "grade: secret", 1), encoding="utf-8")
    with pytest.raises(catalogue.CatalogueError, match="secret"):
        catalogue.datasets(wrong)
    missing = tmp_path / "missing.yaml"
    missing.write_text(text.replace("    needy: {", "    needy_flag: {", 1), encoding="utf-8")
    with pytest.raises(catalogue.CatalogueError, match="needy"):
        catalogue.datasets(missing)


@pytest.mark.django_db
def test_the_export_is_dcat_like_with_lineage_to_batches_and_indicators() -> None:
    batch = make_batch(make_school("510107"))
    out = io.StringIO()
    call_command("basedata", "catalogue", stdout=out)
    exported = json.loads(out.getvalue())
    assert exported["@type"] == "dcat:Catalog" and "dcat" in exported["@context"]
    by_code = {d["dct:identifier"]: d for d in exported["dcat:dataset"]}
    student = by_code["basedata.student"]
    assert student["@type"] == "dcat:Dataset" and student["dct:title"] == "学生基础数据"
    assert student["dct:publisher"]["foaf:name"] and student["dcat:distribution"][0]["@type"] == "dcat:Distribution"
    assert student["edupulse:classification"]["edupulse:grade"] == "important"
    assert student["edupulse:classification"]["edupulse:minors"] is True
    assert f"batch:{batch.pk}" in student["prov:wasDerivedFrom"]
    assert "teacher_20_completion_rate" in by_code["basedata.teacher"]["edupulse:indicators"]
    assert by_code["basedata.student_master"]["prov:wasDerivedFrom"] == ["basedata.student"]


@pytest.mark.django_db
def test_officers_browse_the_catalogue_and_schools_do_not() -> None:
    school = make_school("510107")
    make_batch(school)
    officer, cio = Client(), Client()
    officer.force_login(make_user("county_officer", region="510107"))
    cio.force_login(make_user("school_cio", school=school))
    page = officer.get(reverse("basedata:catalogue"))
    assert page.status_code == 200 and "学生基础数据" in page.content.decode()
    detail = officer.get(reverse("basedata:dataset", args=["basedata.teacher"])).content.decode()
    assert "teacher_20_completion_rate" in detail
    student = officer.get(reverse("basedata:dataset", args=["basedata.student"])).content.decode()
    assert f"{school.code}.csv" in student  # the lineage names the batch by its file
    assert officer.get(reverse("basedata:dataset", args=["nothing"])).status_code == 404
    assert json.loads(officer.get(reverse("basedata:catalogue"), {"format": "json"}).content)["@type"] == "dcat:Catalog"
    assert cio.get(reverse("basedata:catalogue")).status_code == 403
