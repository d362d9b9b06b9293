from __future__ import annotations

import polib
import pytest

from edupulse.accounts.tests.factories import PASSWORD, make_user
from edupulse.utilities import i18n

pytestmark = pytest.mark.django_db


def test_every_catalogue_is_complete_and_compiled():
    for po in i18n.catalogues():
        untranslated = [e.msgid for e in polib.pofile(str(po)) if not e.translated() and not e.obsolete]
        assert not untranslated, f"{po}: untranslated {untranslated[:5]}"
        assert not i18n.stale(po), f"{po}: .mo is stale; run python -m edupulse.utilities.i18n"


def test_ui_is_chinese_by_default_and_english_on_request(client):
    page = client.get("/login/")
    assert "登录" in page.content.decode()
    user = make_user("county_officer", region="510107")
    client.login(username=user.username, password=PASSWORD)
    assert "学校标识码" in client.get("/schools/").content.decode()
    client.post("/i18n/setlang/", {"language": "en", "next": "/schools/"})
    english = client.get("/schools/").content.decode()
    assert "School code" in english and "学校标识码" not in english


def test_chinese_even_when_the_browser_asks_for_english(client):
    page = client.get("/login/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert "登录" in page.content.decode() and page["Content-Language"] == "zh-hans"


def test_api_clients_may_ask_for_english(client):
    user = make_user("county_officer", region="510107")
    client.login(username=user.username, password=PASSWORD)
    response = client.post("/api/schools/", {"code": "1"}, content_type="application/json", HTTP_ACCEPT_LANGUAGE="en")
    assert "10 digits" in str(response.json()) or "required" in str(response.json())
