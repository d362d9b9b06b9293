"""No internal code reaches a reader: audit action codes, status codes, rule codes or raw JSON, on the main
pages as each role (issue 14: labels in Chinese everywhere)."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.urls import reverse

from edupulse.accounts.tests.factories import PASSWORD, make_user
from edupulse.collection.tests.factories import make_submission
from edupulse.core import audit_labels
from edupulse.monitoring.tests.factories import make_finding, make_website
from edupulse.orgs.tests.factories import make_school

pytestmark = pytest.mark.django_db

DOTTED_CODE = re.compile(r"\b[a-z_]+\.[a-z_]+\.[a-z_]+\b")
RULE_CODE = re.compile(r"\b[A-Z]{2,}\.[a-z_]+\b")
RAW_STATUSES = ("province_approved", "prefecture_approved", "county_approved", "submitted", "draft", "returned",
                "evidence_submitted", "not_filed", "write", "read")


def visible_text(html: str) -> str:
    """What a reader sees: no tags (so no attributes or URLs), no scripts or styles."""
    html = re.sub(r"<(script|style)\b[^>]*>.*?</\1>", " ", html, flags=re.S)
    return re.sub(r"<[^>]+>", " ", html)


# Host names look like codes (www.example.edu.cn); a code never ends in a top-level domain.
HOST_ENDINGS = (".cn", ".com", ".net", ".org", ".test", ".edu", ".gov")


def _problems(text: str) -> list[str]:
    found = [code for code in DOTTED_CODE.findall(text) if not code.endswith(HOST_ENDINGS)] + RULE_CODE.findall(text)
    found += [code for code in RAW_STATUSES if re.search(rf"(?<![\w.]){code}(?![\w.])", text)]
    if re.search(r"\{\s*(\"|&quot;)", text):
        found.append("raw JSON")
    return found


@pytest.fixture
def small_world() -> dict[str, Any]:
    school = make_school("510107", name="武侯区实验小学")
    submission = make_submission(school, values={})
    site = make_website(school)
    finding = make_finding(site, "ipv6")
    return {"school": school, "submission": submission, "finding": finding}


@pytest.mark.parametrize(("role", "scope"), [
    ("province_admin", {"region": "51"}),
    ("county_officer", {"region": "510107"}),
    ("school_cio", {"school": True}),
    ("auditor", {"region": "51"}),
])
def test_main_pages_show_no_internal_codes(client: Any, small_world: dict[str, Any], role: str,
                                           scope: dict[str, Any]) -> None:
    kwargs = {"school": small_world["school"]} if "school" in scope else scope
    user = make_user(role, **kwargs)
    assert client.login(username=user.username, password=PASSWORD)
    pages = [reverse("home"), reverse("core:audit-list"), reverse("collection:submission-list"),
             reverse("collection:submission-detail", args=[small_world["submission"].pk]),
             reverse("monitoring:finding-list"),
             reverse("monitoring:finding-detail", args=[small_world["finding"].pk])]
    seen = {}
    for url in pages:
        response = client.get(url)
        if response.status_code != 200:
            continue
        seen[url] = _problems(visible_text(response.content.decode()))
    assert reverse("core:audit-list") in seen
    assert not any(seen.values()), {url: found for url, found in seen.items() if found}


def test_every_action_code_written_by_the_code_has_a_label_without_dots() -> None:
    codes = ["collection.submission.demo_review", "monitoring.noticeitem.acknowledge", "monitoring.results.save",
             "indicators.value.recompute", "accounts.user.reset_password", "orgs.school.create", "x.y.unheard_of"]
    for code in codes:
        label = audit_labels.action_label(code)
        assert "." not in label and "_" not in label, (code, label)
