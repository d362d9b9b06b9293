"""Test set-up shared by every app.

* The write guard is on: a model written outside an action fails the test.
* The audit key is fixed so hash-chain tests are reproducible.
* ``regions`` loads the real GB/T 2260 table once per test database (it is reference data).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import pytest
from django.conf import settings
from django.db import connection

# On for the whole session, from the first fixture on (session- and module-scoped set-up included), not only
# inside each test.
settings.EDUPULSE_ENFORCE_ACTIONS = True


@pytest.fixture(autouse=True)
def _enforce_actions(settings: Any) -> None:
    settings.EDUPULSE_ENFORCE_ACTIONS = True


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup: Any, django_db_blocker: Any) -> Iterator[None]:
    """Load the regions once into the test database; every test then runs in a transaction on top."""
    # app registry: this conftest is imported before Django is set up; these modules import models.
    from edupulse.core.actions import run_as_system
    from edupulse.orgs import actions

    with django_db_blocker.unblock():
        run_as_system(actions.load_regions)
    yield
    # The live server's request threads can still hold a database connection when the session ends
    # (pytest-django#429), and PostgreSQL refuses to drop a database in use: end those sessions first.
    if connection.vendor == "postgresql":
        with django_db_blocker.unblock(), connection.cursor() as cursor:
            cursor.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                           "WHERE datname = current_database() AND pid <> pg_backend_pid()")


@pytest.fixture(autouse=True)
def _regions_in_transactional_tests(request: Any) -> None:
    """Transactional tests (live servers, threads) flush every table afterwards, regions included;
    reload the reference data for them when an earlier one removed it."""
    marker = request.node.get_closest_marker("django_db")
    transactional = (marker is not None and marker.kwargs.get("transaction")) or any(
        name in request.fixturenames for name in ("transactional_db", "live_server"))
    if not transactional:
        return
    request.getfixturevalue("transactional_db")
    # app registry: as in django_db_setup above.
    from edupulse.core.actions import run_as_system
    from edupulse.orgs import actions
    from edupulse.orgs.models import Region

    if not Region.objects.exists():
        run_as_system(actions.load_regions)


def in_ci() -> bool:
    return os.environ.get("CI", "").lower() == "true"


def require_service(name: str, reachable: bool, detail: str) -> None:
    """In CI a missing service fails the test; elsewhere the test skips with the reason."""
    if reachable:
        return
    message = f"{name} is not reachable ({detail})"
    if in_ci():
        pytest.fail(message + " — CI=true requires it")
    pytest.skip(message + " — start it to run this test (required in CI)")


__all__ = ["in_ci", "require_service", "settings"]
