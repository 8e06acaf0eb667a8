"""Export jobs (presales/exports.py) against the real database: lifecycle, progress, masking,
the export log, idempotency, enqueue on commit, refusals (R-CUST-6).

The Celery task is run synchronously: ``delay`` is replaced by a direct call of the task,
made when the starting transaction commits (``django_capture_on_commit_callbacks``).
"""

import csv
import io
import re
from datetime import timedelta
from unittest import mock

import pytest
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone, translation

from leads.choices import Grade
from presales.core.errors import DomainError, NotAllowed
from presales.core.roles import Role
from presales.exports import services as exports
from presales.exports.models import ExportJob, ExportLog, ExportState
from presales.exports.registry import register_exporter
from presales.exports.services import export_or_start, export_run, export_start
from presales.exports.tasks import fail_stale_exports_task, run_export_task
from tests.factories import ContactFactory, CustomerFactory, ExportJobFactory, LeadFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def tasks():
    """``run_export_task.delay`` runs the task at once, in this thread; records the job ids."""
    calls: list[int] = []

    def delay(job_id):
        calls.append(job_id)
        return run_export_task(job_id)

    with mock.patch.object(run_export_task, "delay", side_effect=delay):
        yield calls


@pytest.fixture
def probe_exporter(monkeypatch):
    """A ``probe`` resource of five numbered rows. While the file is written each row records
    the job's state and progress as another connection would read them from the database;
    ``fail_at`` makes the row of that number raise."""
    seen: list[tuple[str, int]] = []
    options = {"fail_at": None}

    def build(user, params):
        def rows():
            for number in range(1, 6):
                job = ExportJob.objects.get(resource="probe")
                seen.append((job.state, job.progress))
                if number == options["fail_at"]:
                    raise RuntimeError("the data source went away")
                yield [number, f"row {number}"]

        return ["n", "label"], rows(), 5

    monkeypatch.setitem(exports._EXPORTERS, "probe", exports.Exporter("probe", "Probe", build))
    monkeypatch.setattr(exports, "PROGRESS_EVERY", 2)
    return seen, options


def read_job_file(job) -> list[list[str]]:
    with job.file.open("rb") as f:
        return list(csv.reader(io.StringIO(f.read().decode("utf-8-sig"))))


def stored_exports() -> set[str]:
    return set(default_storage.listdir("exports")[1]) if default_storage.exists("exports") else set()


def read_text(content: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(content.removeprefix("\ufeff"))))


def start(django_capture_on_commit_callbacks, **kwargs) -> ExportJob:
    with django_capture_on_commit_callbacks(execute=True):
        job = export_start(**kwargs)
    job.refresh_from_db()
    return job


# --- lifecycle ---------------------------------------------------------------------------------


def test_job_goes_queued_running_done_and_is_logged_r_cust_6(
    engineer, team, tasks, django_capture_on_commit_callbacks
):
    """R-CUST-6: a started job is queued, the task (after commit) runs it, the file holds the
    visible rows, and the finished export is logged once."""
    # given two leads of the engineer's team, one new
    LeadFactory(team=team, company_name="Alpha")
    LeadFactory(team=team, company_name="Beta", status="contacted")
    # when the engineer starts an export of the new leads
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        job = export_start(actor=engineer, resource="leads", params={"status": ["new"]})
        # then it is queued, and nothing is enqueued before the commit
        assert (job.state, job.total, job.progress) == (ExportState.QUEUED, 1, 0)
        assert tasks == []
    for callback in callbacks:
        callback()
    # and the task ran it to done after the commit
    job.refresh_from_db()
    assert tasks == [job.pk]
    assert (job.state, job.row_count, job.progress, job.error) == (ExportState.DONE, 1, 1, "")
    assert job.started_at <= job.finished_at
    rows = read_job_file(job)
    assert [r[1] for r in rows[1:]] == ["Alpha"]
    assert re.fullmatch(r"exports/leads-\d{8}-\d{4}-[\w-]{22}\.csv", job.file.name), job.file.name
    log = ExportLog.objects.get()
    assert (log.user, log.resource, log.row_count, log.query, log.channel) == (
        engineer,
        "leads",
        1,
        "status=new",
        "web",
    )


def test_progress_is_committed_while_the_file_is_written(engineer, probe_exporter, tasks):
    """Every PROGRESS_EVERY rows (2 here) the progress is visible in the database; the job is
    running meanwhile, and ends with progress = rows = total."""
    seen, _options = probe_exporter
    job = ExportJobFactory(user=engineer, resource="probe", total=5)
    # when the task runs it
    export_run(job_id=job.pk)
    # then each row saw the job running, with the progress of the rows before it (in steps of 2)
    assert seen == [("running", 0), ("running", 0), ("running", 2), ("running", 2), ("running", 4)]
    job.refresh_from_db()
    assert (job.state, job.progress, job.total, job.row_count, job.percent) == (
        ExportState.DONE,
        5,
        5,
        5,
        100,
    )
    assert read_job_file(job) == [["n", "label"], *[[str(n), f"row {n}"] for n in range(1, 6)]]


def test_a_failing_job_is_marked_failed_with_the_reason_and_not_logged_r_cust_6(
    engineer, probe_exporter, tasks
):
    seen, options = probe_exporter
    options["fail_at"] = 4
    job = ExportJobFactory(user=engineer, resource="probe")
    # when the rows break off in the middle
    export_run(job_id=job.pk)
    # then the job failed with the reason, holds no file, and nothing was logged
    job.refresh_from_db()
    assert job.state == ExportState.FAILED
    assert "the data source went away" in job.error
    assert job.finished_at is not None
    assert not job.file
    assert not ExportLog.objects.exists()
    # and running it again changes nothing
    export_run(job_id=job.pk)
    assert ExportJob.objects.get(pk=job.pk).state == ExportState.FAILED
    assert len(seen) == 4


def test_running_a_finished_job_again_does_nothing(engineer, team, tasks, django_capture_on_commit_callbacks):
    """A redelivered task (acks_late) finds the job done: no second file, no second log row."""
    LeadFactory(team=team)
    job = start(django_capture_on_commit_callbacks, actor=engineer, resource="leads", params={})
    assert job.state == ExportState.DONE
    # when the task is delivered again
    again = export_run(job_id=job.pk)
    # then the job is as it was
    assert again.state == ExportState.DONE
    assert (again.file.name, again.finished_at) == (job.file.name, job.finished_at)
    assert ExportLog.objects.count() == 1


def test_a_job_already_claimed_by_another_worker_is_left_alone(engineer, probe_exporter):
    seen, _options = probe_exporter
    job = ExportJobFactory(user=engineer, resource="probe")
    ExportJob.objects.filter(pk=job.pk).update(state=ExportState.RUNNING)
    assert export_run(job_id=job.pk).state == ExportState.RUNNING
    assert seen == []
    assert not ExportLog.objects.exists()


def test_a_missing_job_is_ignored(db):
    assert export_run(job_id=987654) is None
    assert run_export_task(987654) == "missing"


def test_nothing_is_enqueued_when_the_starting_transaction_rolls_back(
    engineer, team, django_capture_on_commit_callbacks
):
    LeadFactory(team=team)
    with (
        mock.patch.object(run_export_task, "delay") as delay,
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        export_start(actor=engineer, resource="leads", params={})
        raise RuntimeError("the caller failed after starting the export")
    assert callbacks == []
    delay.assert_not_called()
    assert not ExportJob.objects.exists()


def test_a_job_whose_owner_lost_every_role_fails_without_a_file(
    engineer, team, django_capture_on_commit_callbacks
):
    """R-CUST-6: the owner's rights are checked again when the job runs."""
    LeadFactory(team=team)
    with mock.patch.object(run_export_task, "delay"):
        job = start(django_capture_on_commit_callbacks, actor=engineer, resource="leads", params={})
    engineer.groups.clear()
    job = export_run(job_id=job.pk)
    assert job.state == ExportState.FAILED and not job.file
    assert not ExportLog.objects.exists()


# --- masking (R-CUST-6) ------------------------------------------------------------------------


@pytest.mark.parametrize("resource", ["leads", "customers"])
def test_job_files_mask_exactly_like_the_immediate_export_r_cust_6(
    resource, general_manager, engineer, team, tasks, django_capture_on_commit_callbacks
):
    """R-CUST-6: a job's file is the immediate export's CSV: masked for a viewer outside the
    owning team, in full for the team."""
    # given a lead and a customer with a contact, of the engineer's team
    LeadFactory(team=team, company_name="Huadong", phone="13800001234", email="li.wei@huadong.example")
    customer = CustomerFactory(team=team, name="Donghai", grade=Grade.A)
    ContactFactory(customer=customer, name="Wang", phone="13911115678", email="wang@donghai.example")
    for viewer, masked in ((general_manager, True), (engineer, False)):
        # when the viewer exports at once and as a job
        immediate = read_text(export_or_start(actor=viewer, resource=resource, params={}).content)
        job = start(django_capture_on_commit_callbacks, actor=viewer, resource=resource, params={})
        # then both files are the same
        assert read_job_file(job) == immediate
        text = "\n".join(",".join(row) for row in immediate)
        if masked:
            full, shown = ("13800001234", "li.wei@huadong.example"), ("***1234", "l***@huadong.example")
            if resource == "customers":
                full, shown = ("13911115678", "wang@donghai.example"), ("***5678", "w***@donghai.example")
            assert all(value not in text for value in full)
            assert all(value in text for value in shown)
        else:
            assert "13800001234" in text or "13911115678" in text
            assert "***" not in text
    # and each export was logged once
    assert ExportLog.objects.filter(resource=resource).count() == 4


def test_job_headers_and_labels_are_in_the_owners_language(
    make_user, team, tasks, django_capture_on_commit_callbacks
):
    """The worker has no request: the file speaks its owner's language."""
    owner = make_user(Role.SALES_REP, team=team, language="zh-hans")
    LeadFactory(team=team)
    with translation.override("en"):
        job = start(django_capture_on_commit_callbacks, actor=owner, resource="leads", params={})
    header = read_job_file(job)[0]
    with translation.override("zh-hans"):
        assert header[1] == translation.gettext("Company") != "Company"
        assert header[7] == translation.gettext("Status") != "Status"


# --- refusals ------------------------------------------------------------------------------------


def test_a_user_without_a_role_may_not_export_r_cust_6(no_role_user, django_capture_on_commit_callbacks):
    with pytest.raises(NotAllowed):
        export_start(actor=no_role_user, resource="leads", params={})
    with pytest.raises(NotAllowed):
        export_or_start(actor=no_role_user, resource="leads", params={})
    assert not ExportJob.objects.exists() and not ExportLog.objects.exists()


@pytest.mark.parametrize(
    ("resource", "params", "field"),
    [
        ("planets", {}, "resource"),
        (None, {}, "resource"),
        ("customers", {"grade": ["Z"]}, "params.grade"),
        ("leads", {"team": "east"}, "params.team"),
        ("leads", {"received_after": "someday"}, "params.received_after"),
        ("leads", {"colour": "red"}, "params.colour"),
        ("leads", ["status", "new"], "params"),
        ("leads", {"q": {"nested": 1}}, "params.q"),
        ("leads", {"q": "a\x00b"}, "params.q"),
        ("leads", {"q": "x" * 201}, "params.q"),
    ],
)
def test_bad_input_is_refused_naming_the_field_and_starts_nothing(engineer, resource, params, field):
    with pytest.raises(DomainError) as refused:
        export_start(actor=engineer, resource=resource, params=params)
    assert field in refused.value.fields, refused.value.fields
    assert not ExportJob.objects.exists()


def test_transport_parameters_are_not_part_of_the_filter(engineer, team, tasks):
    LeadFactory(team=team)
    result = export_or_start(
        actor=engineer, resource="leads", params={"sort": "-received_at", "page": "2", "status": "new"}
    )
    assert len(read_text(result.content)) == 2
    assert ExportLog.objects.get().query == "status=new"


# --- immediate or background -------------------------------------------------------------------


def test_small_exports_answer_at_once_and_larger_ones_become_jobs(
    engineer, team, settings, tasks, django_capture_on_commit_callbacks
):
    settings.PRESALES = {**settings.PRESALES, "EXPORT_SYNC_MAX_ROWS": 2}
    LeadFactory.create_batch(2, team=team)
    # at the limit: the CSV at once, logged, no job
    at_limit = export_or_start(actor=engineer, resource="leads", params={})
    assert at_limit.job is None and len(read_text(at_limit.content)) == 3
    # asked for the background: a job
    with django_capture_on_commit_callbacks(execute=True):
        asked = export_or_start(actor=engineer, resource="leads", params={}, background=True)
    assert asked.content is None and asked.job.total == 2
    # above the limit: a job
    LeadFactory(team=team)
    with django_capture_on_commit_callbacks(execute=True):
        above = export_or_start(actor=engineer, resource="leads", params={}, channel="api")
    assert above.content is None and above.job.total == 3 and above.job.channel == "api"
    assert tasks == [asked.job.pk, above.job.pk]
    assert list(ExportLog.objects.order_by("pk").values_list("row_count", "channel")) == [
        (2, "web"),
        (2, "web"),
        (3, "api"),
    ]


def test_an_app_can_register_a_new_export(engineer, monkeypatch, tasks, django_capture_on_commit_callbacks):
    """Later features (documents, scorecards) register their own exporter and get jobs for free."""
    # The registry's one dict is shared by the services; this entry is removed after the test.
    monkeypatch.setitem(exports._EXPORTERS, "squares", None)
    register_exporter(
        "squares", "Squares", lambda user, params: (["n", "n²"], ([n, n * n] for n in range(3)), 3)
    )
    job = start(django_capture_on_commit_callbacks, actor=engineer, resource="squares", params={})
    assert read_job_file(job) == [["n", "n²"], ["0", "0"], ["1", "1"], ["2", "4"]]
    assert [e.code for e in exports.exporters()] == ["customers", "leads", "squares"]


# --- a worker that died ------------------------------------------------------------------------


def test_a_running_job_whose_worker_died_is_failed_by_the_sweep(engineer, probe_exporter):
    """A job left running by a killed worker is failed with the reason (not a bar stuck
    forever); a job still making progress is left alone."""
    now = timezone.now()
    silent = ExportJobFactory(user=engineer, resource="probe")
    alive = ExportJobFactory(user=engineer, resource="leads")
    ExportJob.objects.filter(pk=silent.pk).update(
        state=ExportState.RUNNING, heartbeat_at=now - exports.STALE_AFTER - timedelta(seconds=1)
    )
    ExportJob.objects.filter(pk=alive.pk).update(
        state=ExportState.RUNNING, heartbeat_at=now - timedelta(minutes=1)
    )
    # when the sweep runs
    assert fail_stale_exports_task() == 1
    # then the silent job failed with the reason, the other one still runs
    silent.refresh_from_db()
    assert silent.state == ExportState.FAILED and "interrupted" in silent.error
    assert ExportJob.objects.get(pk=alive.pk).state == ExportState.RUNNING
    # and a second sweep finds nothing more
    assert fail_stale_exports_task() == 0


def test_a_late_finish_of_a_failed_job_keeps_no_file_and_logs_nothing(engineer, probe_exporter):
    job = ExportJobFactory(user=engineer, resource="probe")
    files_before = stored_exports()
    original = exports._write_job_file

    def write_then_be_declared_dead(job, stream):
        count = original(job, stream)
        ExportJob.objects.filter(pk=job.pk).update(state=ExportState.FAILED)
        return count

    with mock.patch.object(exports, "_write_job_file", write_then_be_declared_dead):
        export_run(job_id=job.pk)
    job.refresh_from_db()
    assert job.state == ExportState.FAILED and not job.file
    assert stored_exports() == files_before
    assert not ExportLog.objects.exists()
