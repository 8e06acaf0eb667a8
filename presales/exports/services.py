"""Exports of customer data (R-CUST-6): always masked per viewer, always logged.

Each app registers what it can export with :func:`register_exporter` (from its
``AppConfig.ready``): a builder that applies the resource's FilterSet to what the user may
see and yields the rows already masked for that user. The export buttons and endpoints call
:func:`export_or_start`: a small export is written at once (:func:`export_csv`); a larger one,
or one the caller asks to run in the background, becomes an :class:`ExportJob`
(:func:`export_start` → ``run_export_task`` → :func:`export_run`) whose progress a page polls.
Either way the ExportLog row is written when the file is complete.
"""

from __future__ import annotations

import io
import logging
import tempfile
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from types import SimpleNamespace
from typing import IO, Any

from django.conf import settings
from django.core.files import File
from django.db import transaction
from django.db.models import QuerySet
from django.http import QueryDict
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django_filters import FilterSet

from presales.accounts.models import User
from presales.core import jobs
from presales.core.csvfile import write_csv
from presales.core.errors import DomainError, NotAllowed
from presales.core.roles import scope_of
from presales.core.tasks import enqueue_on_commit
from presales.core.writes import validate
from presales.exports.models import ExportJob, ExportLog, ExportState, encode_query
from presales.exports.registry import (
    Exporter,
    Params,
    exporters,
    find_exporter,
)

RUN_TASK = "presales.exports.tasks.run_export_task"
STALE_TASK = "presales.exports.tasks.fail_stale_exports_task"
RECOVER_TASK = "presales.exports.tasks.recover_queued_exports_task"

logger = logging.getLogger(__name__)


# Rows between two progress updates of a running job (each one cheap UPDATE).
PROGRESS_EVERY = 500
# A running job without progress for this long lost its worker (killed, out of memory).
STALE_AFTER = timedelta(minutes=15)
# A job still queued this long after it was handed to the broker lost its message (Redis
# down when it was started, flushed or restarted since): the recovery enqueues it again.
QUEUED_RECOVERY_AFTER = timedelta(minutes=5)
# Rows a builder fetches per database round trip (``QuerySet.iterator(chunk_size=...)``).
CHUNK_ROWS = 500
# Query-string keys that shape a page or a response, not the exported rows.
TRANSPORT_PARAMS = frozenset(
    {"async", "format", "sort", "page", "per_page", "page_size", "cursor", "ordering"}
)
MAX_PARAMS = 30
MAX_VALUES = 100
MAX_VALUE_LENGTH = 200


def sync_max_rows() -> int:
    """Up to this many rows an export is answered at once; above it runs as a job."""
    return int(settings.PRESALES.get("EXPORT_SYNC_MAX_ROWS", 2000))


# --- parameters -------------------------------------------------------------------------------


def clean_params(raw: object) -> Params:
    """The filter as ``{name: [values]}`` from a query string or a JSON object. Transport keys
    (paging, sorting, format) are dropped; anything that is not a short text, number or
    boolean (or a list of them) is refused, so what is stored can always be replayed."""
    if raw is None:
        return {}
    if isinstance(raw, QueryDict):
        items = list(raw.lists())
    elif isinstance(raw, Mapping):
        items = list(raw.items())
    else:
        raise DomainError(fields={"params": [_("Give the filter as an object of names and values.")]})
    params: Params = {}
    errors: dict[str, list[str]] = {}
    for name, value in items:
        if name in TRANSPORT_PARAMS:
            continue
        values = list(value) if isinstance(value, list | tuple) else [value]
        if not isinstance(name, str) or not name or len(name) > 50 or "\x00" in name:
            errors["params"] = [_("A filter name is not valid.")]
            continue
        if len(values) > MAX_VALUES or not all(
            isinstance(v, str | int | float) and len(str(v)) <= MAX_VALUE_LENGTH and "\x00" not in str(v)
            for v in values
        ):
            errors[name] = [_("Give a short text, a number or a list of them.")]
            continue
        params[name] = [("true" if v else "false") if isinstance(v, bool) else str(v) for v in values]
    if len(params) > MAX_PARAMS:
        errors["params"] = [_("Too many filters.")]
    if errors:
        raise DomainError(_("The export filter is invalid."), fields=errors)
    return params


def filter_rows(
    filterset_class: type[FilterSet], queryset: QuerySet[Any], params: Params, *, user: Any
) -> QuerySet[Any]:
    """``queryset`` filtered by ``params`` through the resource's FilterSet (the one its list
    page and API use), its choices scoped to ``user`` as on the page (R-CUST-6). Unknown and
    invalid filters raise DomainError naming them."""
    unknown = sorted(set(params).difference(filterset_class.base_filters))
    if unknown:
        raise DomainError(
            _("The export filter is invalid."), fields={name: [_("Unknown filter.")] for name in unknown}
        )
    data = QueryDict(mutable=True)
    for name, values in params.items():
        data.setlist(name, values)
    # The FilterSet's choices are callables of the request (R-CUST-6); a task has no
    # request, so it gets one that carries the user.
    filterset = filterset_class(data=data, queryset=queryset, request=SimpleNamespace(user=user))
    if not filterset.is_valid():
        raise DomainError(_("The export filter is invalid."), fields=filterset.errors)
    return filterset.qs


# --- writing ----------------------------------------------------------------------------------


def _write_csv(
    stream: IO[str],
    header: Sequence[str],
    rows: Iterable[Sequence],
    *,
    on_progress: Callable[[int], None] | None = None,
) -> int:
    """CSV with a BOM, formula-like text neutralised (presales/core/csvfile.py); reports
    progress every ``PROGRESS_EVERY`` rows. Returns the number of rows."""

    def on_row(count: int) -> None:
        if on_progress is not None and count % PROGRESS_EVERY == 0:
            on_progress(count)

    return write_csv(stream, header, rows, on_row=on_row)


def export_csv(
    *,
    actor: User,
    resource: str,
    header: Sequence[str],
    rows: Iterable[Sequence],
    query: str = "",
    channel: str = "web",
) -> str:
    """Render rows as CSV and log the export (R-CUST-6): the small, immediate export."""
    buffer = io.StringIO()
    count = _write_csv(buffer, header, rows)
    with transaction.atomic():
        ExportLog.objects.create(user=actor, resource=resource, query=query, row_count=count, channel=channel)
    return buffer.getvalue()


# --- use cases --------------------------------------------------------------------------------


def _exporter_for(actor: User, resource: object) -> Exporter:
    # The same permission as the list pages the exports come from: any role (R-CUST-6).
    if scope_of(actor) is None:
        raise NotAllowed(_("Your role cannot export records."))
    exporter = find_exporter(resource) if isinstance(resource, str) else None
    if exporter is None:
        raise DomainError(
            fields={
                "resource": [
                    _("Unknown export; choose one of: %(codes)s.")
                    % {"codes": ", ".join(e.code for e in exporters())}
                ]
            }
        )
    return exporter


@dataclass
class ExportResult:
    """What an export request produced: the CSV at once, or a job to follow."""

    content: str | None = None
    job: ExportJob | None = None


def export_or_start(
    *, actor: User, resource: str, params: object, channel: str = "web", background: bool = False
) -> ExportResult:
    """An export from a button or endpoint: up to ``EXPORT_SYNC_MAX_ROWS`` rows are written
    at once and logged (R-CUST-6); more rows, or ``background=True``, start a job."""
    exporter = _exporter_for(actor, resource)
    params = clean_params(params)
    header, rows, total = exporter.build(actor, params)
    if background or total > sync_max_rows():
        return ExportResult(job=export_start(actor=actor, resource=resource, params=params, channel=channel))
    content = export_csv(
        actor=actor,
        resource=exporter.code,
        header=header,
        rows=rows,
        query=encode_query(params),
        channel=channel,
    )
    return ExportResult(content=content)


@transaction.atomic
def export_start(*, actor: User, resource: str, params: object, channel: str = "web") -> ExportJob:
    """Queue an export job for ``actor`` (who may export as from the list pages). The filter
    is checked now (bad input is refused before anything is queued, named ``params.<name>``)
    and the task is enqueued after commit: a rolled-back start enqueues nothing."""
    exporter = _exporter_for(actor, resource)
    try:
        params = clean_params(params)
        _header, _rows, total = exporter.build(actor, params)
    except DomainError as exc:
        if isinstance(exc, NotAllowed):
            raise
        fields = {name if name == "params" else f"params.{name}": msgs for name, msgs in exc.fields.items()}
        raise DomainError(exc.message, code=exc.code, fields=fields) from exc
    job = ExportJob(user=actor, resource=exporter.code, params=params, channel=channel, total=total)
    validate(job)
    job.save()
    enqueue_on_commit(RUN_TASK, job.pk)
    return job


def export_run(*, job_id: int) -> ExportJob | None:
    """Write a queued job's file (the Celery task calls this). Idempotent: the job is claimed
    under its row lock only while queued, so a second delivery of the task does nothing.
    Progress is committed every ``PROGRESS_EVERY`` rows; the ExportLog row is written with the
    finished file (R-CUST-6); an error marks the job failed with its message and logs nothing."""
    job = _claim(job_id)
    if job is None:
        return ExportJob.objects.filter(pk=job_id).first()
    # The file is written to a temporary file first: storage gets only complete files.
    try:
        with tempfile.TemporaryFile() as raw, io.TextIOWrapper(raw, encoding="utf-8", newline="") as text:
            with translation.override(job.user.language or None):
                count = _write_job_file(job, text)
            text.flush()
            raw.seek(0)
            name = job.download_name
            stored = job.file.storage.save(job.file.field.generate_filename(job, name), File(raw, name=name))
    except Exception as exc:
        logger.exception("Export job %s failed", job_id)
        return _finish_failed(job_id, exc)
    return _finish_done(job_id, stored, count)


@transaction.atomic
def _claim(job_id: int) -> ExportJob | None:
    job = ExportJob.objects.select_for_update(of=("self",)).select_related("user").filter(pk=job_id).first()
    if job is None or job.state != ExportState.QUEUED:
        return None
    job.state = ExportState.RUNNING
    job.started_at = job.heartbeat_at = timezone.now()
    job.progress = 0
    job.save(update_fields=["state", "started_at", "heartbeat_at", "progress"])
    return job


def _write_job_file(job: ExportJob, stream: IO[str]) -> int:
    exporter = _exporter_for(job.user, job.resource)
    header, rows, total = exporter.build(job.user, job.params)
    running = ExportJob.objects.filter(pk=job.pk, state=ExportState.RUNNING)
    running.update(total=total, heartbeat_at=timezone.now())

    def progress(count: int) -> None:
        running.update(progress=count, heartbeat_at=timezone.now())

    return _write_csv(stream, header, rows, on_progress=progress)


@transaction.atomic
def _finish_done(job_id: int, stored_name: str, count: int) -> ExportJob:
    job = ExportJob.objects.select_for_update().get(pk=job_id)
    if job.state != ExportState.RUNNING:
        job.file.storage.delete(stored_name)
        return job
    job.file.name = stored_name
    job.state = ExportState.DONE
    job.progress = job.row_count = count
    job.finished_at = timezone.now()
    job.save(update_fields=["file", "state", "progress", "row_count", "finished_at"])
    ExportLog.objects.create(
        user_id=job.user_id,
        resource=job.resource,
        query=job.query,
        row_count=count,
        channel=job.channel,
    )
    return job


@transaction.atomic
def _finish_failed(job_id: int, exc: Exception) -> ExportJob:
    job = ExportJob.objects.select_for_update().get(pk=job_id)
    if job.state == ExportState.RUNNING:
        job.state = ExportState.FAILED
        job.error = (exc.message if isinstance(exc, DomainError) else f"{type(exc).__name__}: {exc}")[:2000]
        job.finished_at = timezone.now()
        job.save(update_fields=["state", "error", "finished_at"])
    return job


def export_fail_stale(*, now: datetime | None = None) -> int:
    """Fail the running jobs whose worker stopped without a word (no progress for
    ``STALE_AFTER``): their owner sees why and starts the export again, instead of watching a
    bar that never moves. A late finish of such a job is discarded (``_finish_done``).
    Returns the number of jobs failed."""
    return jobs.fail_stale(
        ExportJob,
        after=STALE_AFTER,
        error=_("The export was interrupted (its worker stopped); start it again."),
        now=now,
    )


def export_recover_queued(*, now: datetime | None = None, batch_size: int = 200) -> int:
    """Enqueue again the jobs still queued ``QUEUED_RECOVERY_AFTER`` after they were last
    handed to the broker (their message was lost, or the broker was down when they were
    started). A copy that arrives after the original does nothing: ``export_run`` claims a
    job only while it is queued, under its row lock. Returns the number of jobs enqueued again."""
    return jobs.recover_queued(
        ExportJob, task=RUN_TASK, after=QUEUED_RECOVERY_AFTER, now=now, batch_size=batch_size
    )
