"""Stored values follow the data: a review decision or an import queues one recomputation, which a worker runs."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.cache import cache
from django_tasks_db.models import DBTaskResult

from edupulse.collection import actions as collection_actions
from edupulse.collection.tests.conftest import WUHOU, good_values
from edupulse.collection.tests.factories import make_submission
from edupulse.core.actions import run_as_system
from edupulse.indicators import tasks
from edupulse.indicators.actions import recompute
from edupulse.indicators.models import IndicatorValue
from edupulse.orgs.tests.factories import make_school

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_cache() -> Any:
    cache.clear()
    yield
    cache.clear()


def _queued() -> list[Any]:
    return [r for r in DBTaskResult.objects.all() if r.task_path.endswith("recompute_indicators")]


def test_approvals_queue_one_recompute_and_the_worker_brings_the_values_up_to_date(
        django_capture_on_commit_callbacks: Any) -> None:
    run_as_system(collection_actions.load_forms)
    schools = [make_school(WUHOU), make_school(WUHOU)]
    run_as_system(recompute, ["2022"])
    stored = IndicatorValue.objects.get(indicator="multimedia_rate", region_id=WUHOU, period="2022", basis="approved")
    assert stored.value is None and stored.schools_with_data == 0
    with django_capture_on_commit_callbacks(execute=True):
        for school, classrooms in zip(schools, (10, 30), strict=True):
            submission = make_submission(school, values=good_values(ordinary_classrooms=classrooms,
                                                                     multimedia_classrooms=classrooms // 2))
            submission = run_as_system(collection_actions.submit, submission)
            run_as_system(collection_actions.approve, submission)
    queued = _queued()
    assert len(queued) == 1 and queued[0].args_kwargs["args"] == [["2022"]]  # four review steps, one run
    tasks.recompute_indicators.call(["2022"])
    stored = IndicatorValue.objects.get(indicator="multimedia_rate", region_id=WUHOU, period="2022", basis="approved")
    assert (stored.value, stored.schools_with_data) == (50.0, 2)
