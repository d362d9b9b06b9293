"""Yes/no filters offer 全部 / 是 / 否 (django-filter's own widget says 未知 for "no filter")."""

from __future__ import annotations

import importlib
from typing import Any

import django_filters
import pytest
from django.apps import apps
from django.utils import translation

from edupulse.accounts.tests.factories import PASSWORD, make_user
from edupulse.monitoring.tests.factories import make_website
from edupulse.orgs.tests.factories import make_school

pytestmark = pytest.mark.django_db


def _filtersets() -> list[type[django_filters.FilterSet]]:
    found: list[type[django_filters.FilterSet]] = []
    for config in apps.get_app_configs():
        if not config.name.startswith("edupulse."):
            continue
        try:
            module = importlib.import_module(f"{config.name}.filtersets")
        except ModuleNotFoundError:
            continue
        found += [v for v in vars(module).values() if isinstance(v, type) and issubclass(v, django_filters.FilterSet)
                  and v.__module__ == module.__name__ and getattr(v._meta, "model", None) is not None]
    return found


def _yes_no_fields() -> list[tuple[str, Any]]:
    fields = []
    for filterset_class in _filtersets():
        filterset = filterset_class(data={}, queryset=filterset_class._meta.model.objects.none())
        for name, declared in filterset.filters.items():
            if isinstance(declared, django_filters.BooleanFilter):
                fields.append((f"{filterset_class.__name__}.{name}", filterset.form[name]))
    return fields


def test_every_yes_no_filter_offers_all_yes_and_no() -> None:
    fields = _yes_no_fields()
    assert len(fields) >= 8  # the scan reaches the filtersets of every app
    with translation.override("zh-hans"):
        for name, bound in fields:
            html = str(bound)
            assert "未知" not in html, name
            assert '<option value="" selected>全部</option>' in html, (name, html)
            assert '<option value="true">是</option>' in html and '<option value="false">否</option>' in html, name


def test_the_filter_still_filters(client: Any) -> None:
    school = make_school("510107")
    on, off = make_website(school), make_website(school, is_active=False)
    user = make_user("county_officer", region="510107")
    assert client.login(username=user.username, password=PASSWORD)
    body = client.get("/monitoring/websites/?is_active=false").content.decode()
    assert off.url in body and on.url not in body
    assert on.url in client.get("/monitoring/websites/?is_active=").content.decode()
