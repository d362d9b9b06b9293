from __future__ import annotations

import pytest
import yaml
from django.core.management import call_command

from edupulse.accounts.tests.factories import PASSWORD, make_user

pytestmark = pytest.mark.django_db


def test_openapi_schema_is_valid_without_warnings(tmp_path):
    out = tmp_path / "schema.yaml"
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(out))
    schema = yaml.safe_load(out.read_text())
    assert "/api/schools/" in schema["paths"] and "/api/auth/token/" in schema["paths"]


def test_docs_are_served_without_a_cdn(client):
    user = make_user("county_officer", region="510107")
    client.login(username=user.username, password=PASSWORD)
    page = client.get("/api/docs/").content.decode()
    assert "cdn" not in page.lower() and "/static/drf_spectacular_sidecar/" in page
