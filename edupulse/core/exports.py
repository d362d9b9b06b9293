"""Big list exports in the background (issue 14, item 6).

A list export of at most ``settings.EXPORT_INLINE_ROWS`` rows (5,000: a few seconds of XLSX writing) is
answered in the request, as before. A bigger one (a province's school list or submissions: 16–23 s) becomes an
:class:`ExportJob`: :func:`request_export` records it and queues ``core.tasks.run_export``, the browser goes to
the job's page (progress, then the download link), and :func:`write_export` — run by the task — re-runs the
list's own view as the requester (same filters, same scope, same columns) and writes the file under
``MEDIA_ROOT/exports``. Files and jobs are removed ``EXPORT_KEEP_DAYS`` (7) days after they were asked for.

File names are Chinese, with the list, the requester's area and the date (``学校-四川省-20260309.xlsx``), sent
with RFC 5987 ``filename*=UTF-8''…`` by ``django.utils.http.content_disposition_header``.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable, Iterator, Sequence
from datetime import timedelta
from pathlib import Path
from typing import Any

from django.conf import settings
from django.http import HttpRequest, QueryDict
from django.urls import resolve
from django.utils import timezone
from django.utils.translation import gettext as _

from edupulse.core import audit, context
from edupulse.core.actions import action, delete_instance, save_instance
from edupulse.core.actors import Actor
from edupulse.core.models import ExportJob, ExportStatus
from edupulse.core.scoping import scope_of
from edupulse.utilities.export import to_csv, to_xlsx

EXPORT_KEEP_DAYS = 7
PROGRESS_EVERY = 1000  # rows between progress stamps


def inline_limit() -> int:
    """Rows an export may have to be answered in the request (a Django setting, so tests can lower it)."""
    return int(settings.EXPORT_INLINE_ROWS)


def exports_dir() -> Path:
    return Path(settings.MEDIA_ROOT) / "exports"


def file_name(title: str, user: Any, fmt: str) -> str:
    """``<list>-<area>-<YYYYMMDD>.<fmt>``: what the officer sees in the download folder."""
    area = user.scope_label() if hasattr(user, "scope_label") else ""
    parts = [title, area, f"{timezone.localdate():%Y%m%d}"]
    return "-".join(p.replace("/", "_") for p in parts if p) + f".{fmt}"


def _place(job: ExportJob, user: Any) -> None:
    scope = scope_of(user)
    if scope.level == "school":
        school = getattr(user, "scope_school", None)
        job.store_placement(str(getattr(school, "county_id", "") or ""))
        job.school_id = scope.school_id
    else:
        job.store_placement(scope.region_code)


@action
def request_export(title: str, path: str, query: str, fmt: str, rows_total: int, *, acting_user: Any) -> ExportJob:
    """Record an export job of the list at ``path`` with ``query`` (its filters) for ``acting_user``."""
    job = ExportJob(requester=acting_user, title=title[:120], path=path, query=query[:2000], fmt=fmt,
                    rows_total=rows_total, file_name=file_name(title, acting_user, fmt),
                    expires_at=timezone.now() + timedelta(days=EXPORT_KEEP_DAYS))
    _place(job, acting_user)
    return save_instance(job, acting_user=acting_user)


@action
def finish_export(job: ExportJob, *, acting_user: Actor, stored_as: str = "", rows: int = 0,
                  error: str = "") -> ExportJob:
    """The task's verdict: the file written (``stored_as``) or the error."""
    stored = ExportJob.objects.select_for_update().get(pk=job.pk)
    stored.status = ExportStatus.FAILED if error else ExportStatus.READY
    stored.stored_as, stored.error, stored.rows_done = stored_as, error[:300], rows
    stored.finished_at = timezone.now()
    return save_instance(stored, acting_user=acting_user)


@action
def start_export(job: ExportJob, *, acting_user: Actor) -> ExportJob:
    stored = ExportJob.objects.select_for_update().get(pk=job.pk)
    stored.status = ExportStatus.RUNNING
    return save_instance(stored, acting_user=acting_user)


@action
def purge_expired_exports(*, acting_user: Actor) -> int:
    """Remove the jobs (and their files) past ``expires_at``; returns how many."""
    expired = list(ExportJob.objects.filter(expires_at__lte=timezone.now()))
    for job in expired:
        if job.stored_as:
            (exports_dir() / job.stored_as).unlink(missing_ok=True)
        delete_instance(job, acting_user=acting_user)
    return len(expired)


def record_download(job: ExportJob, user: Any) -> None:
    """A download is a read of the list: audited like every export of personal data may need to be."""
    audit.record_read("core.exportjob.download", [job], acting_user=user, purpose=job.file_name)


def _counted(rows: Iterable[Sequence[Any]], job: ExportJob) -> Iterator[Sequence[Any]]:
    for done, row in enumerate(rows, start=1):
        yield row
        if done % PROGRESS_EVERY == 0:
            # rows_done is bookkeeping (unaudited_fields): stamped outside an action so the page can show it.
            ExportJob.objects.filter(pk=job.pk).update(rows_done=done)


def _view_request(job: ExportJob) -> tuple[Any, HttpRequest]:
    """The list's view, set up with a request of the requester carrying the job's filters."""
    match = resolve(job.path)
    request = HttpRequest()
    request.method, request.path = "GET", job.path
    request.GET = QueryDict(job.query)
    request.user = job.requester
    view = match.func.view_class()  # type: ignore[attr-defined]
    view.setup(request, *match.args, **match.kwargs)
    return view, request


def write_export(job: ExportJob, *, acting_user: Actor) -> ExportJob:
    """Run the job (called by the task): build the rows as the requester, write the file, record the verdict."""
    with context.using(context.RequestContext(source="task", address="task@export")):
        job = start_export(job, acting_user=acting_user)
        try:
            view, _request = _view_request(job)
            queryset, _filterset = view.filtered_queryset()
            headers, rows, text_columns = view.export_table(queryset)
            counted = _counted(rows, job)
            if job.fmt == "csv":
                body = to_csv(headers, counted)
            else:
                body = to_xlsx(headers, counted, sheet=view.export_name, text_columns=text_columns)
            name = f"{job.pk}-{secrets.token_urlsafe(12)}.{job.fmt}"
            exports_dir().mkdir(parents=True, exist_ok=True)
            (exports_dir() / name).write_bytes(body)
        except Exception as exc:  # any failure is the job's verdict, shown on its page
            return finish_export(job, acting_user=acting_user, error=str(exc) or type(exc).__name__)
        return finish_export(job, acting_user=acting_user, stored_as=name, rows=job.rows_total)


def status_text(job: ExportJob) -> str:
    if job.status == ExportStatus.FAILED:
        return _("The export failed: %(error)s") % {"error": job.error}
    return str(job.get_status_display())
