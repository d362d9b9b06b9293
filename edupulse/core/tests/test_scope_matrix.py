"""The scope matrix: every route keyed by an object, as every kind of user, against a table written by hand.

The expectations here do not come from ``visible_to`` or ``can``: the tables below say, for a small world of
schools and bureaus in 四川 (and one school in 陕西 outside it), which schools and which regions each user sees
(``SCHOOLS_SEEN``, ``BUREAUS_SEEN``, ``REGIONS_SEEN``, ``USERS_SEEN``; ``USERS_MANAGED`` for user management), and
``ROWS`` says which roles may use each route at all. A request is expected to succeed when the user's role may use
the route *and* the object's owner is in the user's row of the table; otherwise it must be refused (403 or 404), an
object outside the scope must answer exactly like a key that does not exist (no existence leak), and a refused write
changes nothing (the object's row and the audit trail are as before).

``test_every_keyed_route_is_in_the_matrix`` walks the URL configuration (pages and the REST router): a new route
that takes an object key fails it until it has a row in ``ROWS`` (or, when its keys are not objects, a line in
``NOT_OBJECT_KEYED`` saying why).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import models, transaction
from django.test import Client, override_settings
from django.urls import URLPattern, URLResolver, get_resolver, resolve, reverse
from django.utils import timezone

from edupulse.accounts.tests.factories import make_user
from edupulse.basedata.tests.factories import make_review, make_share_request, make_store_records
from edupulse.collection.models import Submission
from edupulse.collection.tests.factories import FORM, make_extract, make_submission, shipped_version
from edupulse.core.actions import run_as_system
from edupulse.core.models import AuditLog
from edupulse.core.regions import RegionCode
from edupulse.core.tests.factories import make_export_job
from edupulse.indicators.models import IndicatorValue
from edupulse.monitoring import actions as monitoring
from edupulse.monitoring.tests.factories import (
    make_app,
    make_channel,
    make_delivery,
    make_finding,
    make_sweep,
    make_system,
    make_website,
    report,
)
from edupulse.orgs.models import Region
from edupulse.orgs.tests.factories import make_school
from edupulse.plans.tests.factories import make_update
from edupulse.reports.tests.factories import make_finished_run
from edupulse.supervision.models import SupervisionResult
from edupulse.supervision.tests.factories import make_round

# ── The world ──────────────────────────────────────────────────────────────────────────────────────────────
# 四川 51: 成都 5101 (武侯 510107 with two schools, 锦江 510104), 绵阳 5107 (涪城 510703); 陕西 61: 雁塔 610113.
SCHOOLS = {"wuhou_a": "510107", "wuhou_b": "510107", "jinjiang": "510104", "fucheng": "510703", "yanta": "610113"}
COUNTIES = {"510107": "wuhou_a", "510104": "jinjiang", "510703": "fucheng", "610113": "yanta"}  # county → a school
REGIONS = ("51", "5101", "510107", "510104", "5107", "510703", "61", "610113")

USERS: dict[str, tuple[str, dict[str, str]]] = {
    "province": ("province_admin", {"region": "51"}),
    "chengdu": ("prefecture_officer", {"region": "5101"}),
    "wuhou": ("county_officer", {"region": "510107"}),
    "cio": ("school_cio", {"school": "wuhou_a"}),
    "reviewer": ("expert_reviewer", {"region": "510107"}),
    "auditor": ("auditor", {"region": "5101"}),
}

# ── The table: who sees what, by name ──────────────────────────────────────────────────────────────────────
SCHOOLS_SEEN: dict[str, set[str]] = {
    "province": {"wuhou_a", "wuhou_b", "jinjiang", "fucheng"},
    "chengdu": {"wuhou_a", "wuhou_b", "jinjiang"},
    "wuhou": {"wuhou_a", "wuhou_b"},
    "cio": {"wuhou_a"},
    "reviewer": {"wuhou_a", "wuhou_b"},
    "auditor": {"wuhou_a", "wuhou_b", "jinjiang"},
}
# Records owned by a region (a bureau's site or system, a county's notices, extracts, channels, sweeps): a user
# sees those of their own region and below it, never those of the region above, and a school sees none.
BUREAUS_SEEN: dict[str, set[str]] = {
    "province": {"51", "5101", "510107", "510104", "5107", "510703"},
    "chengdu": {"5101", "510107", "510104"},
    "wuhou": {"510107"},
    "cio": set(),
    "reviewer": {"510107"},
    "auditor": {"5101", "510107", "510104"},
}
# The regions themselves: one's own, everything below, and the chain above (a school: its county's chain).
REGIONS_SEEN: dict[str, set[str]] = {
    "province": {"51", "5101", "510107", "510104", "5107", "510703"},
    "chengdu": {"51", "5101", "510107", "510104"},
    "wuhou": {"51", "5101", "510107"},
    "cio": {"51", "5101", "510107"},
    "reviewer": {"51", "5101", "510107"},
    "auditor": {"51", "5101", "510107", "510104"},
}
# User accounts whose scope lies inside the viewer's (a school's CIO and a reviewer read no accounts at all).
_CHENGDU_ACCOUNTS = {"chengdu", "wuhou", "cio", "reviewer", "auditor", "wuhou_b.cio", "jinjiang.cio"}
USERS_SEEN: dict[str, set[str]] = {
    "province": {"province", *_CHENGDU_ACCOUNTS, "fucheng.cio"},
    "chengdu": _CHENGDU_ACCOUNTS,
    "wuhou": {"wuhou", "cio", "reviewer", "wuhou_b.cio"},
    "cio": set(),
    "reviewer": set(),
    "auditor": _CHENGDU_ACCOUNTS,
}

# Accounts each user *manages* (用户管理: accounts.managing's table, written out by hand): never their own, a
# county officer only the school CIOs of the county, a prefecture officer the counties', schools', reviewers' and
# auditors' accounts of the prefecture, the province administrator everyone in the province but themselves.
USERS_MANAGED: dict[str, set[str]] = {
    "province": {*_CHENGDU_ACCOUNTS, "fucheng.cio"},
    "chengdu": {"wuhou", "cio", "reviewer", "auditor", "wuhou_b.cio", "jinjiang.cio"},
    "wuhou": {"cio", "wuhou_b.cio"},
    "cio": set(),
    "reviewer": set(),
    "auditor": set(),
}

EVERYONE = frozenset(role for role, _scope in USERS.values())
OFFICERS = frozenset({"province_admin", "prefecture_officer", "county_officer"})
UNIT = OFFICERS | {"school_cio"}  # the receiving unit and the officers above it
NOT_SCHOOLS = EVERYONE - {"school_cio"}
READERS_OF_ACCOUNTS = OFFICERS | {"auditor"}
SUPERVISORS = frozenset({"province_admin", "prefecture_officer"})  # who holds and scores a 督导 round


@dataclass(frozen=True)
class Row:
    """One route × method: which kinds of object it is tried on and which roles may use it at all."""

    route: str
    kinds: tuple[str, ...]
    roles: frozenset[str]
    method: str = "get"
    key: str = "pk"  # the URL keyword, read from the object's attribute of the same name ("pk" → pk)
    attribute: str = ""  # the object's attribute when it differs from the keyword
    kwargs: dict[str, str] = field(default_factory=dict)
    query: dict[str, str] = field(default_factory=dict)
    data: dict[str, Any] = field(default_factory=dict)
    json: bool = False
    writes: bool = False  # a GET that may create something (checked like a POST when refused)
    school_key: str = ""  # the key is ``?<school_key>=<school code>``, not a path keyword
    table: str = ""  # the owner's table when it is not the kind's own ("managed": USERS_MANAGED for accounts)

    @property
    def label(self) -> str:
        extra = "".join(f" {k}={v}" for k, v in {**self.kwargs, **self.query}.items())
        return f"{self.method.upper()} {self.route}{extra}"


_ASSETS = ("website", "bureau_site")
_SYSTEMS = ("system", "bureau_system")
_DOCX = {"fmt": "docx"}
_PERIOD = {"form": FORM, "period": "2022"}

ROWS: tuple[Row, ...] = (
    # Pages
    Row("orgs:region-tree-node", ("region",), EVERYONE, key="code"),
    Row("orgs:school-detail", ("school",), EVERYONE, key="code"),
    Row("orgs:school-edit", ("school",), UNIT, key="code"),
    Row("orgs:school-edit", ("school",), UNIT, method="post", key="code"),
    Row("monitoring:website-detail", _ASSETS, EVERYONE),
    Row("monitoring:website-edit", _ASSETS, UNIT),
    Row("monitoring:website-edit", _ASSETS, UNIT, method="post"),
    Row("monitoring:system-detail", _SYSTEMS, EVERYONE),
    Row("monitoring:system-edit", _SYSTEMS, UNIT),
    Row("monitoring:system-edit", _SYSTEMS, UNIT, method="post"),
    Row("monitoring:app-edit", ("app",), UNIT),
    Row("monitoring:app-edit", ("app",), UNIT, method="post"),
    Row("monitoring:finding-detail", ("finding",), EVERYONE),
    Row("monitoring:notice-detail", ("notice", "draft"), NOT_SCHOOLS),
    Row("monitoring:notice-issue", ("draft",), OFFICERS, method="post"),
    Row("monitoring:notice-document", ("notice",), NOT_SCHOOLS, kwargs=_DOCX),
    Row("monitoring:item-detail", ("item_new", "item_acked"), EVERYONE),
    Row("monitoring:item-detail", ("item_acked",), UNIT, method="post", data={"response": "已整改，见附件"}),
    # Only the receiving unit signs for its item: the school's CIO, not the officers who issued the notice.
    Row("monitoring:item-acknowledge", ("item_new",), frozenset({"school_cio"}), method="post"),
    # A re-probe changes the item: the unit and its officers ask for it, reviewers and auditors only read.
    Row("monitoring:item-reprobe", ("item_submitted",), UNIT, method="post"),
    Row("monitoring:item-evidence", ("item_submitted",), EVERYONE),
    Row("monitoring:item-document", ("item_new",), EVERYONE, kwargs=_DOCX),
    Row("plans:plan-detail", ("plan",), NOT_SCHOOLS),
    Row("plans:plan-report", ("plan",), NOT_SCHOOLS),
    Row("plans:target-confirm", ("plan_target",), OFFICERS, method="post"),
    Row("plans:target-reject", ("plan_target",), OFFICERS, method="post"),
    Row("plans:task-detail", ("plan_task",), NOT_SCHOOLS),
    Row("plans:task-detail", ("plan_task",), OFFICERS, method="post", data={"text": "已完成方案", "progress": "40"}),
    Row("plans:task-move", ("plan_task",), OFFICERS, method="post", data={"verb": "complete"}),
    Row("plans:task-assign", ("plan_task",), OFFICERS, method="post", data={"owner_unit": "区电教馆"}),
    Row("plans:update-evidence", ("plan_update",), NOT_SCHOOLS),
    Row("collection:submission-detail", ("submission",), EVERYONE),
    Row("collection:submission-edit", ("submission",), UNIT),
    Row("collection:submission-edit", ("submission",), UNIT, method="post"),
    Row("collection:submission-transition", ("submission",), UNIT, method="post", data={"action": "submit"}),
    Row("collection:extract-detail", ("extract",), NOT_SCHOOLS),
    # 督导: a round is its region's (and, once published, seen by the regions below); a result is its region's.
    Row("supervision:round-detail", ("round_published", "round_draft"), NOT_SCHOOLS),
    Row("supervision:round-export", ("round_published", "round_draft"), NOT_SCHOOLS, kwargs={"fmt": "xlsx"}),
    Row("supervision:round-transition", ("round_draft",), SUPERVISORS, method="post", data={"action": "score"}),
    Row("supervision:scorecard", ("result",), NOT_SCHOOLS),
    Row("collection:extract-detail", ("extract",), NOT_SCHOOLS, query={"format": "xlsx"}),
    Row("reports:annual-detail", ("report_run",), NOT_SCHOOLS),
    Row("reports:annual-download", ("report_run",), NOT_SCHOOLS, kwargs={"fmt": "pdf"}),
    # A background export is its requester's alone: not even the officers above see it.
    Row("core:export-detail", ("export_job",), EVERYONE),
    Row("core:export-download", ("export_job",), EVERYONE),
    # Base data: personal records of a school (its roster, a person by pseudonym) for the bureaus and the school.
    Row("basedata:student-list", ("school",), UNIT, key="code"),
    Row("basedata:teacher-list", ("school",), UNIT, key="code"),
    Row("basedata:student-detail", ("student_record",), UNIT, key="pseudonym"),
    Row("basedata:teacher-detail", ("teacher_record",), UNIT, key="pseudonym"),
    # The review queue of entity resolution: officers decide, schools do not judge their own records.
    Row("basedata:review-detail", ("match_review",), OFFICERS),
    Row("basedata:review-confirm", ("match_review",), OFFICERS, method="post"),
    Row("basedata:review-reject", ("match_review",), OFFICERS, method="post"),
    # Sharing (数出一门): the requesting area reads its requests, the province (the data owner) decides, officers
    # download the masked extract of an approved one.
    Row("basedata:share-detail", ("share_request",), READERS_OF_ACCOUNTS),
    Row("basedata:share-move", ("share_request",), frozenset({"province_admin"}), method="post", data={"verb": "reject"}),
    Row("basedata:share-download", ("share_request",), OFFICERS),
    # The quality trend (aggregates, no personal data): a region's for its officers and auditors (their own region
    # and below, never the region above), a school's for them and the school's CIO; reviewers read no scores.
    Row("basedata:quality-region", ("area",), READERS_OF_ACCOUNTS, key="code"),
    Row("basedata:quality-school", ("school",), EVERYONE - {"expert_reviewer"}, key="code"),
    Row("basedata:quality-region", ("area",), READERS_OF_ACCOUNTS, key="code", query={"export": "csv"}),
    # Pages keyed by ?school=: a school's CIO always gets its own school whatever the key (checked below).
    Row("collection:template", ("school",), EVERYONE, kwargs=_PERIOD, school_key="school"),
    Row("collection:entry", ("school",), UNIT, kwargs=_PERIOD, school_key="school", writes=True),
    # The dashboard of a region: one's own region and below it, never the region above (unlike the region tree).
    Row("reports:dashboard-region", ("area",), NOT_SCHOOLS, key="code"),
    Row("reports:dashboard-data", ("area",), NOT_SCHOOLS, key="code"),
    # User management: what an officer manages, not what they may read (USERS_MANAGED)
    Row("accounts:user-detail", ("account",), OFFICERS, table="managed"),
    Row("accounts:user-edit", ("account",), OFFICERS, table="managed"),
    Row("accounts:user-edit", ("account",), OFFICERS, method="post", table="managed"),
    Row("accounts:user-active", ("account",), OFFICERS, method="post", data={"active": "0"}, table="managed"),
    Row("accounts:user-reset-password", ("account",), OFFICERS, method="post", table="managed"),
    # REST API
    Row("region-detail", ("region",), EVERYONE, key="code"),
    Row("region-detail", ("region",), frozenset({"province_admin"}), method="patch", key="code", json=True),
    Row("school-detail", ("school",), EVERYONE, key="code"),
    Row("school-detail", ("school",), UNIT, method="patch", key="code", json=True),
    Row("user-detail", ("account",), READERS_OF_ACCOUNTS),
    Row("auditlog-detail", ("audit",), EVERYONE, key="sequence"),
    Row("form-detail", ("form",), EVERYONE, key="code"),
    Row("submission-detail", ("submission",), EVERYONE),
    Row("submission-save-values", ("submission",), UNIT, method="post", data={"values": {}}, json=True),
    Row("submission-transition", ("submission",), UNIT, method="post", data={"action": "submit"}, json=True),
    Row("savedextract-detail", ("extract",), NOT_SCHOOLS),
    Row("savedextract-detail", ("extract",), OFFICERS, method="patch", json=True),
    Row("savedextract-run", ("extract",), NOT_SCHOOLS),
    Row("website-detail", _ASSETS, EVERYONE),
    Row("website-detail", _ASSETS, UNIT, method="patch", json=True),
    Row("informationsystem-detail", _SYSTEMS, EVERYONE),
    Row("informationsystem-detail", _SYSTEMS, UNIT, method="patch", json=True),
    Row("educationapp-detail", ("app",), EVERYONE),
    Row("educationapp-detail", ("app",), UNIT, method="patch", json=True),
    Row("finding-detail", ("finding",), EVERYONE),
    Row("sitestate-detail", ("state",), EVERYONE),
    Row("sweep-detail", ("sweep",), EVERYONE),
    Row("notice-detail", ("notice",), NOT_SCHOOLS),
    Row("noticeitem-detail", ("item_new",), EVERYONE),
    Row("alertchannel-detail", ("channel",), NOT_SCHOOLS),
    Row("alertchannel-detail", ("channel",), OFFICERS, method="patch", json=True),
    Row("alertdelivery-detail", ("delivery",), EVERYONE),
    Row("indicatorvalue-detail", ("value",), EVERYONE),
)

# Routes whose URL keywords are not objects of a scope (checked by the walk, so the list stays honest).
NOT_OBJECT_KEYED: dict[str, str] = {
    "monitoring:import": "kind is one of three fixed registry kinds; rows are placed by the import action",
    "collection:missing": "form code and period (reference data); the schools listed come from the scoped queryset",
    "collection:completeness": "form code and period; ?region= only narrows counts over the user's own schools",
    "collection:summary": "form code and period; the summary is computed over the user's schools",
    "collection:outliers": "form code and period; outliers are computed over the user's schools",
    "collection:upload-errors": "a one-off token that starts with the uploader's id; nobody else's is served",
    "collection:completeness-export": "form code, period and format; counted over the user's schools like the page",
    "collection:remind": "form code and period; ?region= narrows the user's own schools, a reminder is placed "
                         "there and its save checks the scope",
    "indicatordefinition-detail": "indicator code: reference data, the definitions in force are the same for everyone",
    "basedata:dataset": "a dataset code of the shipped catalogue (reference data); its lineage lists visible batches only",
}
# The admin's object pages are tried for every registered model by test_scope_everywhere.
EXEMPT_NAMESPACES = ("admin:",)

MISSING_KEYS = {"pk": "2147480000", "code": "990000", "sequence": "2147480000", "pseudonym": "0" * 20}


@dataclass
class World:
    objects: dict[str, tuple[models.Model, str]]  # name → (object, owner: "school:x", "bureau:code", …)
    users: dict[str, Any]

    def of_kind(self, kind: str) -> Iterator[tuple[str, models.Model, str]]:
        for name, (obj, owner) in self.objects.items():
            if name.rsplit(".", 1)[-1] == kind:
                yield name, obj, owner


def sees(user: str, owner: str, table: str = "") -> bool:
    """Whether the table lets ``user`` see an object of ``owner`` (``table="managed"``: manage an account)."""
    kind, _sep, key = owner.partition(":")
    if kind == "requester":  # an object only the user who asked for it sees (a background export)
        return key == user
    tables = {"school": SCHOOLS_SEEN, "bureau": BUREAUS_SEEN, "region": REGIONS_SEEN, "account": USERS_SEEN}
    if table == "managed" and kind == "account":
        return key in USERS_MANAGED[user]
    return kind == "public" or key in tables[kind][user]


# ── Building the world once for the module ─────────────────────────────────────────────────────────────────
def _notice_with_items(school: Any) -> tuple[Any, list[Any]]:
    """An issued notice of the school's county with three items: new, acknowledged, evidence submitted."""
    findings = [make_finding(make_website(school)) for _ in range(3)]
    notice = run_as_system(monitoring.create_notice, findings, region=Region.objects.get(code=school.county_id),
                           title="关于网站安全问题的通报", deadline=date.today() + timedelta(days=10))
    notice = run_as_system(monitoring.issue_notice, notice)
    new, acked, submitted = notice.items.order_by("pk")
    run_as_system(monitoring.acknowledge_item, acked)
    run_as_system(monitoring.acknowledge_item, submitted)
    evidence = SimpleUploadedFile("整改报告.pdf", b"%PDF-1.4 evidence", content_type="application/pdf")
    run_as_system(monitoring.submit_evidence, submitted, response="已整改", evidence=evidence)
    return notice, [new, acked, submitted]


def _build_world(directory: Path) -> World:
    objects: dict[str, tuple[Any, str]] = {}
    users: dict[str, Any] = {}
    shipped_version()
    objects["form"] = (shipped_version().form, "public")
    schools = {name: make_school(county, name=f"{name}测试小学") for name, county in SCHOOLS.items()}
    for name, school in schools.items():
        owner = f"school:{name}"
        audit_row = AuditLog.objects.filter(school_id=school.pk).order_by("-sequence").first()
        assert audit_row is not None
        website = make_website(school)
        finding = make_finding(website)
        notice, (new, acked, submitted) = _notice_with_items(school)
        draft = run_as_system(monitoring.create_notice, [finding], region=Region.objects.get(code=school.county_id),
                              title="草稿通报", deadline=date.today() + timedelta(days=10))
        objects.update({
            f"{name}.school": (school, owner), f"{name}.audit": (audit_row, owner),
            f"{name}.website": (website, owner), f"{name}.finding": (finding, owner),
            f"{name}.state": (website.state, owner), f"{name}.system": (make_system(school), owner),
            f"{name}.app": (make_app(school), owner), f"{name}.submission": (make_submission(school), owner),
            f"{name}.item_new": (new, owner), f"{name}.item_acked": (acked, owner),
            f"{name}.item_submitted": (submitted, owner),
            f"{name}.notice": (notice, f"bureau:{school.county_id}"), f"{name}.draft": (draft, f"bureau:{school.county_id}"),
        })
    for county, school_name in COUNTIES.items():
        school, owner = schools[school_name], f"bureau:{county}"
        objects.update({
            f"{county}.extract": (make_extract(school), owner), f"{county}.channel": (make_channel(school), owner),
            f"{county}.sweep": (make_sweep(school), owner), f"{county}.delivery": (make_delivery(school), owner),
            f"{county}.report_run": (make_finished_run(school), owner),
            f"{county}.share_request": (make_share_request(school), owner),
        })
        update = make_update(school)  # a plan of the county bureau, its first task reported on with evidence
        objects.update({
            f"{county}.plan": (update.task.plan, owner), f"{county}.plan_task": (update.task, owner),
            f"{county}.plan_target": (update.task.plan.targets.order_by("order").first(), owner),
            f"{county}.plan_update": (update, owner),
        })
    for name, (student, teacher) in make_store_records(schools, directory).items():
        objects[f"{name}.student_record"] = (student, f"school:{name}")
        objects[f"{name}.teacher_record"] = (teacher, f"school:{name}")
        objects[f"{name}.match_review"] = (make_review(schools[name]), f"school:{name}")
    objects["510107.bureau_site"] = (make_website(region="510107"), "bureau:510107")
    objects["5101.bureau_system"] = (make_system(region="5101"), "bureau:5101")
    for code in REGIONS:
        objects[f"{code}.region"] = (Region.objects.get(code=code), f"region:{code}")
        # The same region as the subject of its dashboard and of its indicator values (owned like a bureau's).
        objects[f"{code}.area"] = (Region.objects.get(code=code), f"bureau:{code}")
        objects[f"{code}.value"] = (IndicatorValue.objects.create(
            period="2022", indicator="internet_rate", region_id=code, level=RegionCode.parse(code).level,
            **IndicatorValue.placement_fields(code), computed_at=timezone.now()), f"bureau:{code}")
    for user_name, (role, scope) in USERS.items():
        scope_school = schools[scope["school"]] if "school" in scope else None
        users[user_name] = make_user(role, region=scope.get("region", ""), school=scope_school)
        objects[f"{user_name}.account"] = (users[user_name], f"account:{user_name}")
        objects[f"{user_name}.export_job"] = (make_export_job(users[user_name]), f"requester:{user_name}")
    for name in ("wuhou_b", "jinjiang", "fucheng", "yanta"):
        objects[f"{name}.cio.account"] = (make_user("school_cio", school=schools[name]), f"account:{name}.cio")
    _supervision(objects)
    return World(objects, users)


def _supervision(objects: dict[str, tuple[models.Model, str]]) -> None:
    """Published rounds of 四川 and 陕西 (seen like their regions: from below too), draft rounds of 成都 and 陕西
    (seen like a bureau's records), and the results of the published rounds (each its scored region's)."""
    for region in ("51", "61"):
        published = make_round(region, publish=True)
        objects[f"{region}.round_published"] = (published, f"region:{region}")
        for result in SupervisionResult.objects.filter(round=published, region_id__in=["5101", *COUNTIES]):
            objects[f"{result.region_id}.result"] = (result, f"bureau:{result.region_id}")
    for region in ("5101", "61"):
        objects[f"{region}.round_draft"] = (make_round(region), f"bureau:{region}")


@pytest.fixture(scope="module")
def world(django_db_setup: Any, django_db_blocker: Any, tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    """Built once, inside a transaction rolled back after the module; each test runs in a savepoint on top."""
    media = tmp_path_factory.mktemp("scope-matrix-media")
    store = Path(media) / "basedata.duckdb"
    with (django_db_blocker.unblock(), override_settings(MEDIA_ROOT=Path(media), BASEDATA_DUCKDB_PATH=store),
          transaction.atomic()):
        yield _build_world(Path(media))
        transaction.set_rollback(True)


# ── Trying a row ───────────────────────────────────────────────────────────────────────────────────────────
def _url(row: Row, key: str) -> tuple[str, dict[str, str]]:
    if row.school_key:
        return reverse(row.route, kwargs=row.kwargs), {**row.query, row.school_key: key}
    return reverse(row.route, kwargs={row.key: key, **row.kwargs}), dict(row.query)


def _key_of(row: Row, obj: models.Model) -> str:
    return str(getattr(obj, "code" if row.school_key else (row.attribute or row.key)))


def _send(client: Client, row: Row, key: str) -> Any:
    url, query = _url(row, key)
    if row.method == "get":
        return client.get(url, query)
    if query:
        url += "?" + "&".join(f"{k}={v}" for k, v in query.items())
    if row.json:
        return getattr(client, row.method)(url, json.dumps(row.data), content_type="application/json")
    return getattr(client, row.method)(url, row.data)


def _state(obj: Any) -> tuple[Any, int]:
    """The object's stored row and the length of the audit trail: what a refused write must leave alone
    (a person in the base-data store is no Django row: only the trail is compared)."""
    if not isinstance(obj, models.Model):
        return None, AuditLog.objects.count()
    row = type(obj)._default_manager.filter(pk=obj.pk).values().first()
    return row, AuditLog.objects.count()


def _try(client: Client, row: Row, obj: models.Model) -> tuple[Any, bool]:
    """Send the request inside a savepoint that is rolled back, so every try starts from the same world;
    return the response and whether it changed the object or the audit trail."""
    with transaction.atomic():
        before = _state(obj)
        response = _send(client, row, _key_of(row, obj))
        changed = _state(obj) != before
        transaction.set_rollback(True)
    return response, changed


def _own_school_served(row: Row, response: Any, own: Any) -> bool:
    """A ?school= page answered a school's CIO about the CIO's own school, whatever school it asked for."""
    if row.route == "collection:template":
        return own.code in response.get("Content-Disposition", "")
    # collection:entry opens the school's submission and sends the user to it.
    opened = resolve(response["Location"]).kwargs["pk"] if response.status_code == 302 else None
    return Submission.objects.filter(pk=opened, school=own).exists()


@pytest.fixture
def probe_passes(settings: Any) -> None:
    """A re-probe that an allowed user asks for sees the problem fixed, without the network."""
    settings.PROBE_RUNNER = lambda urls, checks: [report(url) for url in urls]


def _verdict(world: World, user_name: str, row: Row, owner: str, response: Any, changed: bool,
             missing: int) -> str | None:
    """What is wrong with one try against the table, or None."""
    role, status = USERS[user_name][0], response.status_code
    visible = sees(user_name, owner, row.table)
    if row.school_key and role == "school_cio" and role in row.roles:
        own = world.objects[f"{USERS[user_name][1]['school']}.school"][0]
        if status in (403, 404) or not _own_school_served(row, response, own):
            return f"{status}, not the CIO's own school"
        return None
    if role in row.roles and visible:
        ok = status == 200 if row.method == "get" and not row.writes else status not in (403, 404)
        return None if ok else f"{status}, expected allowed"
    if status not in (403, 404):
        return f"{status}, expected refused"
    if not visible and status != missing:
        return f"{status} but a missing key answers {missing} (existence leaks)"
    if changed and (row.method != "get" or row.writes):
        return "refused, but the object or the audit trail changed"
    return None


@pytest.mark.django_db
@pytest.mark.parametrize("user_name", list(USERS))
def test_scope_matrix(world: World, user_name: str, probe_passes: None) -> None:
    client = Client()
    client.force_login(world.users[user_name])
    wrong: list[str] = []
    for row in ROWS:
        missing = _missing_status(client, row)
        for name, obj, owner in (item for kind in row.kinds for item in world.of_kind(kind)):
            response, changed = _try(client, row, obj)
            problem = _verdict(world, user_name, row, owner, response, changed, missing)
            if problem:
                wrong.append(f"{row.label} {name}: {problem}")
    assert not wrong, f"{user_name} ({USERS[user_name][0]}):\n" + "\n".join(wrong)


def _missing_status(client: Client, row: Row) -> int:
    """What the route answers for a key that names nothing: an object outside the scope must look the same."""
    with transaction.atomic():
        response = _send(client, row, MISSING_KEYS["code" if row.school_key else row.key])
        transaction.set_rollback(True)
    return int(response.status_code)


# ── The matrix is complete and every row can fail ──────────────────────────────────────────────────────────
def _keyed_routes() -> set[str]:
    """Names of the routes whose URL takes a keyword other than a format suffix (admin excluded)."""

    def walk(patterns: list[Any], namespace: str) -> Iterator[tuple[str, set[str]]]:
        for entry in patterns:
            if isinstance(entry, URLResolver):
                yield from walk(entry.url_patterns, f"{namespace}{entry.namespace}:" if entry.namespace else namespace)
            elif isinstance(entry, URLPattern) and entry.name:
                yield f"{namespace}{entry.name}", set(entry.pattern.regex.groupindex) - {"format"}

    return {name for name, keys in walk(get_resolver().url_patterns, "")
            if keys and not name.startswith(EXEMPT_NAMESPACES)}


def test_every_keyed_route_is_in_the_matrix() -> None:
    keyed = _keyed_routes()
    covered = {row.route for row in ROWS} | set(NOT_OBJECT_KEYED)
    assert not keyed - covered, f"routes keyed by an object without a row in ROWS: {sorted(keyed - covered)}"
    assert not covered - keyed, f"rows or exemptions for routes that no longer exist: {sorted(covered - keyed)}"


@pytest.mark.django_db
def test_every_row_is_tried_inside_and_outside_a_scope(world: World) -> None:
    """Each row has, among the users, one who may use it on an object and one who does not see the object
    (public reference data, seen by everyone, only needs the first)."""
    weak = []
    for row in ROWS:
        owners = [owner for kind in row.kinds for _name, _obj, owner in world.of_kind(kind)]
        users_with_role = [u for u, (role, _scope) in USERS.items() if role in row.roles]
        allowed = any(sees(u, o, row.table) for u in users_with_role for o in owners)
        hidden = any(not sees(u, o, row.table) for u in users_with_role for o in owners)
        public = all(owner == "public" for owner in owners)
        if not (owners and allowed and (hidden or public)):
            weak.append(row.label)
    assert not weak, f"rows that cannot tell a scope hole from a correct refusal: {weak}"
