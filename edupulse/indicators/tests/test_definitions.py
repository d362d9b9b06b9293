"""Indicator definitions: the built-in library, its checks, and versions saved by the province admin."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from edupulse.accounts.tests.factories import make_superuser, make_user
from edupulse.core.actions import run_as_system
from edupulse.indicators.actions import save_definition
from edupulse.indicators.definitions import DefinitionError, builtin, effective, parse

CLI_CODES = {"internet_rate", "ten_mbps_rate", "gigabit_rate", "hundred_mbps_class_rate", "multimedia_rate",
             "teacher_space_rate", "student_space_rate", "training_20_rate", "cio_rate", "ipv6_rate", "djbh_rate",
             "site_ipv6_rate", "site_https_rate", "system_filing_rate"}


def test_the_library_ships_every_indicator_the_issue_names_with_its_seed_target() -> None:
    library = builtin()
    assert set(library) >= CLI_CODES
    assert library["internet_rate"].target is not None and library["internet_rate"].target.value == 98
    assert library["ten_mbps_rate"].target.value == 70  # type: ignore[union-attr]
    assert library["multimedia_rate"].target.value == 80  # type: ignore[union-attr]
    assert library["teacher_space_rate"].target.value == 90  # type: ignore[union-attr]
    assert library["student_space_rate"].target.value == 60  # type: ignore[union-attr]
    for definition in library.values():
        if definition.target is not None:
            assert definition.target.source[:3] in {"000", "001", "002", "003", "004"}, definition.code


def _spec(**changes: Any) -> dict[str, Any]:
    spec = builtin()["multimedia_rate"].as_yaml()
    spec.update(changes)
    return spec


@pytest.mark.parametrize(("changes", "fragment"), [
    ({"source": "nowhere"}, "未知的数据来源 nowhere"),
    ({"numerator": {"sum": "classrooms_with_tv"}}, "数据来源中没有字段 classrooms_with_tv"),
    ({"denominator": {"count": "ordinary_classrooms > 0 AND"}}, "无效"),
    ({"denominator": {"count": "lower(name) = 'x'"}}, "只能将字段与数值比较"),
    ({"target": {"value": "80%"}}, "（target.value）：必须是数字"),
    ({"code": "多媒体"}, "只能使用字母、数字和下划线"),
    ({"categories": ["2"]}, "两位学校类别代码"),
])
def test_a_bad_definition_is_refused_with_a_message_naming_the_field(changes: Any, fragment: str) -> None:
    with pytest.raises(DefinitionError) as error:
        parse(_spec(**changes))
    assert str(error.value).startswith("指标 ") and fragment in str(error.value)


@pytest.mark.django_db
def test_a_saved_version_overrides_the_built_in_and_an_inactive_one_withdraws_it() -> None:
    admin = make_superuser()
    first = save_definition(_spec(target={"value": 85, "source": "004"}), acting_user=admin, note="省里提高目标")
    assert first.version == 1 and effective()["multimedia_rate"].target.value == 85  # type: ignore[union-attr]
    second = save_definition(_spec(), acting_user=admin, is_active=False)
    assert second.version == 2 and "multimedia_rate" not in effective()
    assert "internet_rate" in effective()


@pytest.mark.django_db
def test_only_the_province_admin_may_save_and_a_bad_one_writes_nothing() -> None:
    with pytest.raises(PermissionDenied):
        save_definition(_spec(), acting_user=make_user("county_officer", region="510107"))
    with pytest.raises(ValidationError) as error:
        run_as_system(save_definition, _spec(numerator={"sum": "nope"}))
    assert "nope" in str(error.value.message_dict["spec"])
    assert save_definition(_spec(), acting_user=make_user("province_admin", region="51")).version == 1
