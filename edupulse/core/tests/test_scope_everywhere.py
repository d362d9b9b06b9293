"""The generic scope test: every page, export, API endpoint and admin page, as every role.

Nothing here names a particular model or view: pages are found in the URL configuration, endpoints
in the API router, admin pages in the admin site, models in the app registry and test objects in each
app's ``tests/factories.py``. A new endpoint is covered without anyone adding it here; a model with no
scope declaration or no factory fails ``test_every_model_is_covered``. Routes keyed by an object (details,
actions, downloads) are also tried, user by user, against a hand-written table in ``test_scope_matrix``.
"""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest
from django.contrib import admin
from django.db import models
from django.urls import reverse

from edupulse.accounts.tests.factories import PASSWORD, make_user
from edupulse.api_urls import router
from edupulse.core.api.viewsets import ScopedReadOnlyViewSet
from edupulse.core.testing import UNSCOPED_VIEW_NAMES, edupulse_models, page_routes, scoped_factories
from edupulse.core.views import ScopedDetailView, ScopedListView, ScopedMixin, ScopedUpdateView
from edupulse.orgs.tests.factories import make_school

# Three schools: 武侯区 (成都), 涪城区 (绵阳, same province), 雁塔区 (西安, another province).
WUHOU, FUCHENG, YANTA = "510107", "510703", "610113"

ROLES: list[tuple[str, dict[str, Any]]] = [
    ("province_admin", {"region": "51"}),
    ("prefecture_officer", {"region": "5101"}),
    ("county_officer", {"region": WUHOU}),
    ("school_cio", {"school": "wuhou"}),
    ("expert_reviewer", {"region": WUHOU}),
    ("auditor", {"region": "5101"}),
]

# The schools each role's user sees, written by hand (not read from visible_to): what lies outside is what
# every page, endpoint and admin page must hide.
SCHOOLS_SEEN: dict[str, set[str]] = {
    "province_admin": {"wuhou", "fucheng"},
    "prefecture_officer": {"wuhou"},
    "county_officer": {"wuhou"},
    "school_cio": {"wuhou"},
    "expert_reviewer": {"wuhou"},
    "auditor": {"wuhou"},
}


@pytest.fixture
def world(db: Any) -> dict[str, Any]:
    schools = {
        "wuhou": make_school(WUHOU, name="武侯区测试小学"),
        "fucheng": make_school(FUCHENG, name="涪城区测试小学"),
        "yanta": make_school(YANTA, name="雁塔区测试小学"),
    }
    objects: dict[str, dict[str, models.Model]] = {}
    for label, factory in scoped_factories().items():
        objects[label] = {key: factory(school) for key, school in schools.items()}
    return {"schools": schools, "objects": objects}


def _login(client: Any, world: dict[str, Any], role: str, scope: dict[str, Any]) -> Any:
    kwargs = dict(scope)
    if "school" in kwargs:
        kwargs["school"] = world["schools"][kwargs["school"]]
    user = make_user(role, **kwargs)
    assert client.login(username=user.username, password=PASSWORD)
    return user


def _outside(world: dict[str, Any], user: Any, label: str) -> list[models.Model]:
    """The objects of ``label`` built for schools the user's role does not see (``SCHOOLS_SEEN``)."""
    seen = SCHOOLS_SEEN[user.role]
    return [obj for key, obj in world["objects"][label].items() if key not in seen and not _is_shared(obj, world, label)]


def _is_shared(obj: models.Model, world: dict[str, Any], label: str) -> bool:
    """Objects that several schools share (their common province, say) are not 'outside' for anyone."""
    same = [o for o in world["objects"][label].values() if o.pk == obj.pk]
    return len(same) > 1


def _visible_pks(model: type[models.Model], user: Any) -> set[Any]:
    return set(model._default_manager.visible_to(user).values_list("pk", flat=True))  # type: ignore[attr-defined]


def test_every_model_is_covered() -> None:
    factories = scoped_factories()
    missing = []
    for model in edupulse_models():
        label = model._meta.label
        if getattr(model, "scope_spec", None) is None:
            missing.append(f"{label}: no scope_spec")
        if not hasattr(model, "role_permissions"):
            missing.append(f"{label}: no role_permissions")
        if not hasattr(model._default_manager, "visible_to"):
            missing.append(f"{label}: default manager is not scoped")
        if label not in factories and not getattr(model, "scope_test_exempt", ""):
            missing.append(f"{label}: no factory in its app's tests/factories.py SCOPED_FACTORIES")
    assert not missing, "models without scope coverage:\n" + "\n".join(missing)


def test_every_page_and_endpoint_uses_the_scoped_base_classes() -> None:
    loose = [r.name for r in page_routes() if r.name not in UNSCOPED_VIEW_NAMES
             and not (isinstance(r.view_class, type) and issubclass(r.view_class, ScopedMixin))]
    assert not loose, f"pages that bypass core.views scoping: {loose}"
    loose_api = [prefix for prefix, viewset, _ in router.registry if not issubclass(viewset, ScopedReadOnlyViewSet)]
    assert not loose_api, f"API endpoints that bypass scoping: {loose_api}"
    from edupulse.core.admin import ScopedModelAdmin

    for model, model_admin in admin.site._registry.items():
        if model in edupulse_models():
            assert isinstance(model_admin, ScopedModelAdmin), f"admin of {model._meta.label} is not scoped"


@pytest.mark.parametrize(("role", "scope"), ROLES, ids=[r for r, _ in ROLES])
def test_third_party_admin_pages_are_closed_to_every_role(rf: Any, db: Any, role: str, scope: dict[str, Any]) -> None:
    """Admins of library models (task queues, …) are not scoped, so only superusers may open them:
    roles never receive Django model permissions."""
    school = make_school(WUHOU)
    kwargs = dict(scope)
    if "school" in kwargs:
        kwargs["school"] = school
    user = make_user(role, **kwargs)
    request = rf.get("/admin/")
    request.user = user
    for model, model_admin in admin.site._registry.items():
        if model in edupulse_models():
            continue
        assert not model_admin.has_module_permission(request), f"{role} may open the admin of {model._meta.label}"
        assert not model_admin.has_view_permission(request), f"{role} may view {model._meta.label} in the admin"


@pytest.mark.parametrize(("role", "scope"), ROLES, ids=[r for r, _ in ROLES])
def test_api_never_shows_or_changes_anything_outside_scope(client: Any, world: dict[str, Any], role: str,
                                                           scope: dict[str, Any]) -> None:
    user = _login(client, world, role, scope)
    checked = 0
    for prefix, viewset, _ in router.registry:
        model = viewset.model
        label = model._meta.label
        if label not in world["objects"] or not getattr(viewset, "lists_rows", True):
            continue  # no objects built, or an endpoint over something else than the model's rows
        lookup = viewset.lookup_field
        listing = client.get(f"/api/{prefix}/", {"page_size": 1000})
        if listing.status_code == 403:
            continue  # the role may not read this kind of object at all
        assert listing.status_code == 200, (prefix, listing.status_code)
        rows = listing.json()["results"]
        listed = {str(row.get(lookup, row.get("id"))) for row in rows}
        for obj in _outside(world, user, label):
            key = str(getattr(obj, lookup))
            assert key not in listed, f"{role} lists {label} {key} outside the scope at /api/{prefix}/"
            url = f"/api/{prefix}/{key}/"
            assert client.get(url).status_code == 404, f"{role} reads {url}"
            assert client.patch(url, {}, content_type="application/json").status_code in (403, 404, 405)
            assert client.put(url, {}, content_type="application/json").status_code in (403, 404, 405)
            assert client.delete(url).status_code in (403, 404, 405)
            assert model._default_manager.filter(pk=obj.pk).exists(), f"{role} deleted {label} {key}"
            checked += 1
        assert len(rows) == len(_visible_pks(model, user)), f"{prefix}: listed rows differ from the scope"
    # Every role has something outside its scope (雁塔区 is in another province), so this must have run.
    assert checked > 0


@pytest.mark.parametrize(("role", "scope"), ROLES, ids=[r for r, _ in ROLES])
def test_pages_and_exports_never_show_anything_outside_scope(client: Any, world: dict[str, Any], role: str,
                                                             scope: dict[str, Any]) -> None:
    user = _login(client, world, role, scope)
    for route in page_routes():
        view = route.view_class
        if not (isinstance(view, type) and issubclass(view, ScopedMixin)):
            continue
        model = view.model
        label = model._meta.label
        outside = _outside(world, user, label) if label in world["objects"] else []
        if issubclass(view, ScopedListView) and not route.kwarg_names:
            url = reverse(route.name)
            page = client.get(url)
            if page.status_code == 403:
                assert client.get(url, {"export": "csv"}).status_code == 403
                continue
            assert page.status_code == 200, (url, page.status_code)
            listed = {row.record.pk for row in page.context["table"].rows} if "table" in page.context else set()
            assert not listed & {o.pk for o in outside}, f"{role} sees out-of-scope rows on {url}"
            assert listed <= _visible_pks(model, user), f"{role} sees rows outside visible_to on {url}"
            for fmt in ("csv", "xlsx"):
                export = client.get(url, {"export": fmt})
                assert export.status_code == 200
            rows = list(csv.reader(io.StringIO(client.get(url, {"export": "csv"}).content.decode("utf-8-sig"))))
            # The export holds exactly the rows the page counts (a list may show a subset, e.g. overdue
            # systems), and never more than the user may see.
            total = page.context.get("total", len(listed))
            assert len(rows) - 1 == total <= len(_visible_pks(model, user)), f"{url} exports rows outside the scope"
        elif issubclass(view, (ScopedDetailView, ScopedUpdateView)) and route.kwarg_names:
            for obj in outside:
                url = reverse(route.name, kwargs={view.slug_url_kwarg: getattr(obj, view.slug_field)})
                assert client.get(url).status_code in (403, 404), f"{role} opens {url}"
                assert client.post(url, {}).status_code in (403, 404, 405), f"{role} posts to {url}"


@pytest.mark.parametrize(("role", "scope"), ROLES, ids=[r for r, _ in ROLES])
def test_admin_never_shows_or_changes_anything_outside_scope(client: Any, world: dict[str, Any], role: str,
                                                             scope: dict[str, Any]) -> None:
    user = _login(client, world, role, scope)
    for model, _model_admin in admin.site._registry.items():
        label = model._meta.label
        if label not in world["objects"]:
            continue
        info = (model._meta.app_label, model._meta.model_name)
        changelist = client.get(reverse("admin:{}_{}_changelist".format(*info)))
        if changelist.status_code == 200:
            shown = set(changelist.context["cl"].queryset.values_list("pk", flat=True))
            assert shown <= _visible_pks(model, user), f"{role} sees out-of-scope {label} in the admin"
        else:
            assert changelist.status_code in (302, 403), (label, changelist.status_code)
        for obj in _outside(world, user, label):
            change_url = reverse("admin:{}_{}_change".format(*info), args=[obj.pk])
            response = client.get(change_url)
            assert response.status_code in (302, 403, 404), f"{role} opens {change_url}"
            client.post(reverse("admin:{}_{}_delete".format(*info), args=[obj.pk]), {"post": "yes"})
            assert model._default_manager.filter(pk=obj.pk).exists(), f"{role} deleted {label} in the admin"
