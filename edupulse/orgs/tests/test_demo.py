"""The demo-data generator: deterministic, calibrated, valid, and idempotent when written."""

from __future__ import annotations

import json
import re
from collections import Counter
from io import StringIO
from typing import Any

import pytest
from django.core.management import CommandError, call_command

from edupulse.accounts.models import User
from edupulse.core import audit
from edupulse.orgs import demo
from edupulse.orgs.codes import SchoolCategory, school_code_problems
from edupulse.orgs.models import School


@pytest.fixture(scope="module")
def shaanxi() -> tuple[demo.ProvinceLayout, list[dict[str, Any]]]:
    layout = demo.layout_from_files("61")
    return layout, demo.generate_schools(layout, scale=1.0, seed=7)


@pytest.fixture(scope="module")
def sichuan() -> tuple[demo.ProvinceLayout, list[dict[str, Any]]]:
    layout = demo.layout_from_files("51")
    return layout, demo.generate_schools(layout, scale=1.0, seed=7)


def test_generation_is_deterministic() -> None:
    layout = demo.layout_from_files("51")
    first = demo.generate_schools(layout, scale=0.05, seed=7)
    second = demo.generate_schools(layout, scale=0.05, seed=7)
    assert first == second
    other_seed = demo.generate_schools(layout, scale=0.05, seed=8)
    assert [r["name"] for r in other_seed] != [r["name"] for r in first]


def test_shaanxi_category_mix_matches_2022(shaanxi: Any) -> None:
    _, rows = shaanxi
    expected = {"11": 8028, "21": 4407, "31": 1666, "34": 444, "36": 225, "41": 111, "51": 79}
    counts = Counter(r["category"] for r in rows)
    for category, target in expected.items():
        assert abs(counts[category] - target) <= max(2, target * 0.02), (category, counts[category], target)
    assert abs(len(rows) - 14_961) <= 150


def test_sichuan_is_about_25000_schools_with_5700_primary(sichuan: Any) -> None:
    _, rows = sichuan
    assert 24_000 <= len(rows) <= 26_000
    assert abs(Counter(r["category"] for r in rows)["21"] - 5_700) <= 100


def test_other_provinces_scale_national_totals_by_counties() -> None:
    layout = demo.layout_from_files("53")  # Yunnan: not calibrated by hand
    totals = demo.category_totals(layout, 1.0)
    share = len(layout.counties) / 2978
    assert abs(sum(totals.values()) - 518_075 * share) < 0.01 * 518_075 * share
    rows = demo.generate_schools(layout, scale=0.02, seed=7)
    assert {r["county_id"] for r in rows} == {c.code for c in layout.counties}


def test_every_county_gets_schools_even_at_small_scale() -> None:
    layout = demo.layout_from_files("51")
    rows = demo.generate_schools(layout, scale=0.01, seed=7)
    assert len(layout.counties) == 183
    primary_counties = {r["county_id"] for r in rows if r["category"] == "21"}
    assert primary_counties == {c.code for c in layout.counties}
    assert len(rows) < 600


def test_every_county_has_the_main_categories_at_full_scale(sichuan: Any) -> None:
    layout, rows = sichuan
    by_county: dict[str, Counter[str]] = {}
    for row in rows:
        by_county.setdefault(row["county_id"], Counter())[row["category"]] += 1
    assert set(by_county) == {c.code for c in layout.counties}
    for county, counts in by_county.items():
        for category in ("11", "21", "31", "34"):
            assert counts[category] >= 1, (county, category)


def test_codes_are_valid_and_unique(sichuan: Any, shaanxi: Any) -> None:
    for _, rows in (sichuan, shaanxi):
        codes = [r["code"] for r in rows]
        assert len(codes) == len(set(codes))
        for row in rows:
            assert school_code_problems(row["code"], row["category"], row["county_id"]) == {}, row
            assert row["code"][:2] in SchoolCategory.values
            assert row["school_type"][:2] == row["category"]


def test_names_are_unique_per_county_and_look_chinese(sichuan: Any) -> None:
    _, rows = sichuan
    pairs = Counter((r["county_id"], r["name"]) for r in rows)
    assert [p for p, n in pairs.items() if n > 1] == []
    higher = [r["name"] for r in rows if r["category"] == "41"]
    assert len(higher) == len(set(higher))
    names = {r["name"] for r in rows}
    assert "成都市武侯区实验小学" in names
    assert any(re.fullmatch(r"成都市武侯区第[一二]实验小学", n) for n in names)
    assert any(n.endswith("特殊教育学校") for n in names)
    assert any(n.endswith(("大学", "职业技术学院")) for n in higher)
    assert any(re.search(r"[镇乡]中心小学$", n) for n in names)
    for row in rows:
        assert re.fullmatch(r"[\u4e00-\u9fff]+", row["name"]), row["name"]
        assert re.fullmatch(r"[\u4e00-\u9fff]{2,3}", row["contact_name"]), row["contact_name"]
        assert re.fullmatch(r"(0\d{2,3}-\d{7,8}|1\d{10})", row["contact_phone"]), row["contact_phone"]
        assert row["address"].startswith("四川省")


def test_chengdu_numbers_use_028_and_coordinates_stay_in_sichuan(sichuan: Any) -> None:
    _, rows = sichuan
    chengdu_landlines = {r["contact_phone"][:4] for r in rows if r["county_id"].startswith("5101")
                         and "-" in r["contact_phone"]}
    assert chengdu_landlines == {"028-"}
    for row in rows:
        assert 97.3 <= row["longitude"] <= 108.6
        assert 26.0 <= row["latitude"] <= 34.4


def test_urban_rural_follows_district_versus_county(sichuan: Any) -> None:
    layout, rows = sichuan
    kinds = {c.code: demo.county_kind(c, "51") for c in layout.counties}

    def urban_share(kind: str) -> float:
        codes = [r["urban_rural"] for r in rows if kinds[r["county_id"]] == kind]
        return sum(code.startswith("11") for code in codes) / len(codes)

    assert urban_share("core") == 1.0
    assert urban_share("district") > 0.3
    assert urban_share("county") < 0.1
    # Higher education only in the capital and the prefecture seats; Chengdu holds most of it.
    higher = [r["county_id"] for r in rows if r["category"] == "41"]
    assert sum(c.startswith("5101") for c in higher) > len(higher) / 2
    assert all(kinds[c] != "county" for c in higher)


def test_types_and_ownership_are_realistic(sichuan: Any) -> None:
    _, rows = sichuan
    types = Counter(r["school_type"] for r in rows)
    assert types["312"] > 0 and types["341"] > 0 and types["218"] > 0
    kindergartens = [r for r in rows if r["category"] == "11"]
    private_share = sum(r["ownership"] == "private" for r in kindergartens) / len(kindergartens)
    assert 0.3 < private_share < 0.65
    primaries = [r for r in rows if r["category"] == "21"]
    assert sum(r["ownership"] == "private" for r in primaries) / len(primaries) < 0.08


def test_base_names_and_numbers() -> None:
    assert demo.base_name("北川羌族自治县") == "北川"
    assert demo.base_name("阿坝藏族羌族自治州") == "阿坝"
    assert demo.base_name("武侯区") == "武侯"
    assert demo.base_name("高县") == "高县"
    assert [demo.chinese_number(n) for n in (1, 10, 12, 20, 35)] == ["一", "十", "十二", "二十", "三十五"]
    assert demo.apportion(10, [1.0, 1.0, 0.0, 2.0], minimum=1) == [3, 3, 0, 4]
    assert sum(demo.apportion(7, [0.3, 0.3, 0.4])) == 7


def test_demo_users_for_other_provinces_use_first_prefecture() -> None:
    users = {u.username: u for u in demo.demo_users(demo.layout_from_files("61"))}
    assert users["demo61-prefecture"].region_code == "6101"
    assert users["demo61-county"].region_code == "610102"
    assert users["demo61-county2"].region_code.startswith("6102")


@pytest.mark.django_db
def test_load_demo_writes_schools_and_users_and_is_idempotent() -> None:
    result = demo.load_demo("51", scale=0.01, seed=7)
    assert result.created == result.generated > 183
    assert School.objects.filter(province_id="51").count() == result.generated
    assert set(School.objects.values_list("county_id", flat=True)) >= {"510107", "510703", "513338"}
    users = {u.username: u for u in User.objects.filter(username__startswith="demo")}
    assert users["demo-admin"].is_superuser
    assert users["demo51-province"].role == "province_admin" and users["demo51-province"].scope_region_id == "51"
    assert users["demo51-prefecture"].scope_region_id == "5101"
    assert users["demo51-county"].scope_region_id == "510107"
    assert users["demo51-county2"].scope_region_id == "510703"
    cio = users["demo51-school"]
    assert cio.role == "school_cio" and cio.scope_school is not None and cio.scope_school.county_id == "510107"
    assert {users["demo51-expert"].role, users["demo51-auditor"].role} == {"expert_reviewer", "auditor"}
    assert users["demo51-auditor"].check_password(demo.DEMO_PASSWORD)

    again = demo.load_demo("51", scale=0.01, seed=7)
    assert again.created == 0 and again.skipped == result.generated
    assert not any(u.created for u in again.users)
    assert School.objects.filter(province_id="51").count() == result.generated
    assert User.objects.filter(username__startswith="demo").count() == 8
    assert audit.verify().ok


@pytest.mark.django_db
def test_command_prints_json_summary_and_rejects_bad_input() -> None:
    out = StringIO()
    call_command("demo_data", province="61", scale=0.005, json=True, quiet=True, stdout=out)
    summary = json.loads(out.getvalue())
    assert summary["ok"] is True and summary["created"] == summary["generated"] > 0
    assert {u["username"] for u in summary["users"]} >= {"demo-admin", "demo61-province", "demo61-school"}
    before = School.objects.count()
    with pytest.raises(CommandError, match="Unknown province"):
        call_command("demo_data", province="99", quiet=True)
    with pytest.raises(CommandError, match="scale"):
        call_command("demo_data", province="61", scale=0, quiet=True)
    assert School.objects.count() == before
