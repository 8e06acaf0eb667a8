"""The broker is down (Redis stopped or unreachable) or lost a message: requests still answer,
the committed work is recovered by the periodic sweeps, and a message delivered twice does
its work once (item 13; R-CUST-6 exports, R-SLA-3 notifications).

"Broker down" is ``delay`` raising kombu's OperationalError, which is what Celery raises
when it cannot publish.
"""

import logging
from datetime import timedelta
from unittest import mock

import pytest
from django.conf import settings
from django.core.files.storage import default_storage
from django.urls import reverse
from kombu.exceptions import OperationalError

from presales.core.tasks import enqueue, enqueue_on_commit
from presales.exports.models import ExportJob, ExportLog, ExportState
from presales.exports.services import QUEUED_RECOVERY_AFTER, RUN_TASK, export_recover_queued
from presales.exports.tasks import recover_queued_exports_task, run_export_task
from presales.sla.models import Delivery, DeliveryState
from presales.sla.notifications import CALENDAR_UNKNOWN, notify
from presales.sla.sweep import recover_deliveries
from presales.sla.tasks import deliver_notification_task
from tests.factories import LeadFactory

pytestmark = pytest.mark.django_db

BROKER_DOWN = OperationalError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")


@pytest.fixture
def broker_down():
    """Every enqueue of an export or a delivery fails as with Redis stopped."""
    with (
        mock.patch.object(run_export_task, "delay", side_effect=BROKER_DOWN) as exports,
        mock.patch.object(deliver_notification_task, "delay", side_effect=BROKER_DOWN) as deliveries,
    ):
        yield exports, deliveries


def enqueue_failures(caplog) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.name == "presales.core.tasks"]


def test_enqueue_logs_a_broker_error_instead_of_raising(broker_down, caplog):
    # when a task is sent while the broker is down
    with caplog.at_level(logging.ERROR, logger="presales.core.tasks"):
        sent = enqueue(RUN_TASK, 41)
    # then nothing is raised, and the failure is logged with the task and its id
    assert sent is False
    assert enqueue_failures(caplog) == [
        f"Could not enqueue {RUN_TASK}(41,); its recovery will enqueue it again"
    ]


def test_an_unknown_task_name_is_logged_not_raised_after_the_commit(caplog):
    with caplog.at_level(logging.ERROR, logger="presales.core.tasks"):
        assert enqueue("presales.no_such_task", 1) is False
    assert enqueue_failures(caplog) == [
        "Could not enqueue presales.no_such_task(1,); its recovery will enqueue it again"
    ]


def test_enqueue_on_commit_sends_after_the_commit_only(django_capture_on_commit_callbacks):
    with mock.patch.object(run_export_task, "delay") as delay:
        with django_capture_on_commit_callbacks(execute=False) as callbacks:
            enqueue_on_commit(RUN_TASK, 7)
        delay.assert_not_called()
        for callback in callbacks:
            callback()
    delay.assert_called_once_with(7)


# --- exports -------------------------------------------------------------------------------------


def test_post_export_answers_202_with_a_queued_job_when_the_broker_is_down_r_cust_6(
    client_for, engineer, team, broker_down, django_capture_on_commit_callbacks, caplog
):
    # given leads to export and a broker that refuses connections
    LeadFactory.create_batch(2, team=team)
    # when the engineer starts an export
    with caplog.at_level(logging.ERROR), django_capture_on_commit_callbacks(execute=True):
        response = client_for(engineer).post(reverse("export-job-list"), {"resource": "leads"}, format="json")
    # then the request is accepted with the job, which stays queued for the recovery
    assert response.status_code == 202, response.content
    job = ExportJob.objects.get()
    assert response.json()["id"] == job.pk and job.state == ExportState.QUEUED
    # and our enqueue logged the broker error (Django's robust on-commit never saw it)
    assert len(enqueue_failures(caplog)) == 1
    assert not [r for r in caplog.records if "on_commit()" in r.getMessage()]


def test_the_export_button_opens_the_job_page_when_the_broker_is_down(
    client, engineer, team, broker_down, settings, django_capture_on_commit_callbacks
):
    settings.PRESALES = {**settings.PRESALES, "EXPORT_SYNC_MAX_ROWS": 1}
    LeadFactory.create_batch(2, team=team)
    client.force_login(engineer)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.get(reverse("leads:lead_export"))
    job = ExportJob.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("exports:detail", args=[job.pk])


def test_the_recovery_enqueues_a_job_whose_message_was_lost_and_runs_it_once_r_cust_6(
    engineer, team, django_capture_on_commit_callbacks
):
    """A queued job is enqueued again only after QUEUED_RECOVERY_AFTER, then not again until
    that long has passed once more; the lost message arriving late as well writes nothing twice."""
    # given a job whose message the broker lost
    LeadFactory(team=team, company_name="Alpha")
    job = ExportJob.objects.create(user=engineer, resource="leads", params={}, total=1)
    sent: list[int] = []
    with (
        mock.patch.object(run_export_task, "delay", side_effect=sent.append),
        django_capture_on_commit_callbacks(execute=True),
    ):
        # when the recovery runs before, after and just after the grace period
        before = export_recover_queued(now=job.created_at + QUEUED_RECOVERY_AFTER - timedelta(seconds=1))
        after = export_recover_queued(now=job.created_at + QUEUED_RECOVERY_AFTER)
        again = export_recover_queued(now=job.created_at + QUEUED_RECOVERY_AFTER + timedelta(minutes=1))
        later = export_recover_queued(now=job.created_at + 2 * QUEUED_RECOVERY_AFTER)
    # then it was enqueued again once per grace period, never before the first one
    assert (before, after, again, later) == (0, 1, 0, 1)
    assert sent == [job.pk, job.pk]
    # when both messages are delivered (and the original one turns up as well)
    states = [run_export_task(job.pk) for _ in range(3)]
    # then the first run wrote the file and logged it; the others did nothing
    assert states == ["done", "done", "done"]
    job.refresh_from_db()
    assert (job.state, job.row_count) == (ExportState.DONE, 1)
    assert ExportLog.objects.count() == 1
    assert [name for name in default_storage.listdir("exports")[1] if name.startswith("leads-")].count(
        job.file.name.removeprefix("exports/")
    ) == 1


def test_running_jobs_are_not_recovered(engineer, django_capture_on_commit_callbacks):
    job = ExportJob.objects.create(user=engineer, resource="leads", params={}, state=ExportState.RUNNING)
    with (
        mock.patch.object(run_export_task, "delay") as delay,
        django_capture_on_commit_callbacks(execute=True),
    ):
        assert export_recover_queued(now=job.created_at + timedelta(hours=1)) == 0
    delay.assert_not_called()


def test_the_recovery_itself_survives_the_broker_being_down(
    engineer, broker_down, django_capture_on_commit_callbacks
):
    job = ExportJob.objects.create(user=engineer, resource="leads", params={})
    with django_capture_on_commit_callbacks(execute=True):
        assert export_recover_queued(now=job.created_at + QUEUED_RECOVERY_AFTER) == 1
    job.refresh_from_db()
    assert job.state == ExportState.QUEUED  # tried again at the next grace period


def test_the_recovery_runs_every_minute_from_beat():
    entry = settings.CELERY_BEAT_SCHEDULE["recover-queued-exports"]
    assert entry["task"] == recover_queued_exports_task.name and entry["schedule"] == 60.0


# --- notification deliveries ---------------------------------------------------------------------


def test_a_notification_is_kept_when_the_broker_is_down_and_recovered_later_r_sla_3(
    engineer, broker_down, django_capture_on_commit_callbacks, caplog
):
    # given a broker that refuses connections
    _exports, deliveries = broker_down
    # when a notification with an email delivery is created and committed
    with caplog.at_level(logging.ERROR), django_capture_on_commit_callbacks(execute=True):
        note = notify(recipient=engineer, kind=CALENDAR_UNKNOWN, key="broker-down:1", title="Hello")
    # then nothing was raised: the delivery waits, pending, and the failure is logged by us
    delivery = Delivery.objects.get(notification=note)
    assert delivery.state == DeliveryState.PENDING
    assert deliveries.call_count == 1 and len(enqueue_failures(caplog)) == 1
    # when the sweep's recovery runs after the grace period, with the broker back
    sent: list[int] = []
    with (
        mock.patch.object(deliver_notification_task, "delay", side_effect=sent.append),
        django_capture_on_commit_callbacks(execute=True),
    ):
        recovered = recover_deliveries(now=delivery.next_attempt_at)
    # then the delivery is enqueued again
    assert recovered == 1 and sent == [delivery.pk]


def test_enqueue_finds_a_task_whose_module_the_web_process_never_imported(monkeypatch):
    """Issue 8 (seen under a local server while fuzzing the API): a web process does not run
    Celery's task discovery, so ``run_export_task`` was not registered there and every
    export waited for the recovery; ``enqueue`` imports the task's module by its name."""
    from celery import current_app

    # given a process where the export tasks' module was never imported (its import is
    # what registers the task)
    task = current_app.tasks[RUN_TASK]
    monkeypatch.delitem(current_app.tasks, RUN_TASK)
    imported = []

    def import_module(name):
        imported.append(name)
        current_app.tasks[RUN_TASK] = task

    monkeypatch.setattr("presales.core.tasks.import_module", import_module)
    sent = []
    monkeypatch.setattr(task, "delay", lambda *args: sent.append(args))
    # when a job is enqueued
    assert enqueue(RUN_TASK, 41) is True
    # then the task's module was imported by its name, and the task sent
    assert imported == ["presales.exports.tasks"]
    assert sent == [(41,)]
