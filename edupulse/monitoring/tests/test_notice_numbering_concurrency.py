"""Two officers of one authority issue notices at the same moment: each gets its own number, nobody a 500.

On PostgreSQL both transactions used to read the same highest number and the second failed on the unique
constraint; the authority's row lock now makes the second wait. A file-backed SQLite database serialises the
two with IMMEDIATE transactions; the suite's in-memory SQLite test database cannot hold two writers at all
(it raises "table is locked" at once instead of waiting), so there the two issue one after the other."""

from __future__ import annotations

import contextlib
import threading

import pytest
from django.db import connection

from edupulse.core.actions import run_as_system
from edupulse.monitoring import actions
from edupulse.monitoring.actions import notices
from edupulse.monitoring.tests.factories import make_notice
from edupulse.orgs.tests.factories import make_school


@pytest.mark.django_db(transaction=True)
def test_two_notices_issued_at_once_get_numbers_one_and_two(monkeypatch) -> None:
    school = make_school("510107")
    first, second = make_notice(school), make_notice(school)
    # Hold each issuer just before it writes its number, until the other one got there too (or 2 s passed):
    # without the lock both have read the same highest number by then.
    barrier = threading.Barrier(2, timeout=2)
    real_change = notices._change

    def change_after_the_other_read(obj, *args, **kwargs):  # type: ignore[no-untyped-def]
        if len(args) > 1 and args[1] == "issue":
            with contextlib.suppress(threading.BrokenBarrierError):  # the other one waits for our lock: go on
                barrier.wait()
        return real_change(obj, *args, **kwargs)

    monkeypatch.setattr(notices, "_change", change_after_the_other_read)
    errors: list[str] = []

    def issue(notice):  # type: ignore[no-untyped-def]
        try:
            run_as_system(actions.issue_notice, notice)
        except Exception as exc:  # the failure is what the test reports
            errors.append(repr(exc)[:300])
        finally:
            connection.close()

    threads = [threading.Thread(target=issue, args=(notice,)) for notice in (first, second)]
    at_once = connection.vendor == "postgresql"
    for thread in threads:
        thread.start()
        if not at_once:
            thread.join()
    for thread in threads:
        thread.join()
    first.refresh_from_db()
    second.refresh_from_db()
    assert errors == []
    assert {first.sequence, second.sequence} == {1, 2}
