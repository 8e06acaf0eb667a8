"""Web pages of exports (R-CUST-6): the export buttons below and above the immediate limit,
"My exports", the progress page polled by htmx, and the owner-only download."""

import csv
import io
from unittest import mock

import pytest
from django.urls import reverse

from presales.exports.models import ExportJob, ExportLog, ExportState
from presales.exports.services import export_run
from presales.exports.tasks import run_export_task
from tests.factories import CustomerFactory, ExportJobFactory, LeadFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def delay():
    with mock.patch.object(run_export_task, "delay") as delay:
        yield delay


@pytest.fixture
def low_limit(settings):
    settings.PRESALES = {**settings.PRESALES, "EXPORT_SYNC_MAX_ROWS": 1}


@pytest.fixture
def leads(team):
    return [
        LeadFactory(team=team, company_name="Alpha", phone="13800001234"),
        LeadFactory(team=team, company_name="Beta"),
    ]


def logged_in(client, user):
    client.force_login(user)
    return client


def done_job(user, team) -> ExportJob:
    """A job of ``user`` run to the end, as the worker would."""
    LeadFactory(team=team, company_name="Gamma")
    job = ExportJobFactory(user=user, resource="leads", params={"q": ["Gamma"]})
    return export_run(job_id=job.pk)


# --- the export buttons ----------------------------------------------------------------------


def test_below_the_limit_the_export_button_still_downloads_at_once(client, engineer, leads, delay):
    """R-CUST-6: the immediate export is unchanged up to PRESALES_EXPORT_SYNC_MAX_ROWS."""
    response = logged_in(client, engineer).get(reverse("leads:lead_export"), {"q": "Alpha"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert [r[1] for r in rows[1:]] == ["Alpha"]
    assert not ExportJob.objects.exists()
    assert ExportLog.objects.get().query == "q=Alpha"
    delay.assert_not_called()


@pytest.mark.parametrize(
    ("url_name", "resource"), [("leads:lead_export", "leads"), ("leads:customer_export", "customers")]
)
def test_above_the_limit_the_export_button_starts_a_job_and_opens_its_page(
    client, engineer, leads, low_limit, delay, django_capture_on_commit_callbacks, url_name, resource
):
    CustomerFactory.create_batch(2, team=leads[0].team)
    # when the export of more rows than the limit is asked for, with a filter and a sort
    with django_capture_on_commit_callbacks(execute=True):
        response = logged_in(client, engineer).get(reverse(url_name), {"q": "", "sort": "name"})
    # then a job is queued with the filter and enqueued once, and its progress page opens
    job = ExportJob.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("exports:detail", args=[job.pk])
    assert (job.user, job.resource, job.params, job.state, job.total) == (
        engineer,
        resource,
        {"q": [""]},
        ExportState.QUEUED,
        2,
    )
    delay.assert_called_once_with(job.pk)
    # and nothing is logged before the file exists
    assert not ExportLog.objects.exists()


def test_a_bad_filter_returns_to_the_list_with_the_reason(client, engineer, leads, delay):
    response = logged_in(client, engineer).get(reverse("leads:lead_export"), {"team": "east"}, follow=True)
    assert response.redirect_chain[-1][0] == reverse("leads:lead_list") + "?team=east"
    assert "The export filter is invalid." in response.content.decode()
    assert not ExportLog.objects.exists() and not ExportJob.objects.exists()


# --- the progress page -------------------------------------------------------------------------


def test_progress_page_polls_every_second_while_the_job_runs(client, engineer, team):
    job = ExportJobFactory(
        user=engineer, total=200, params={"status": ["new", "contacted"], "q": ["华东"], "team": [""]}
    )
    ExportJob.objects.filter(pk=job.pk).update(state=ExportState.RUNNING, progress=50)
    url = reverse("exports:detail", args=[job.pk])
    # the full page shows the bar at 25 % and polls the same URL every second
    page = logged_in(client, engineer).get(url).content.decode()
    assert 'hx-trigger="every 1s"' in page and f'hx-get="{url}"' in page
    assert 'aria-valuenow="25"' in page and "50 of 200 rows written." in page
    assert "q=华东; status=new, contacted" in page  # jsonb keeps keys shortest first
    assert "export-download" not in page
    # the poll answers the progress part only
    partial = client.get(url, HTTP_HX_REQUEST="true").content.decode()
    assert "<html" not in partial and 'data-testid="export-progress"' in partial


def test_a_finished_job_shows_the_download_and_stops_polling(client, engineer, team):
    job = done_job(engineer, team)
    partial = (
        logged_in(client, engineer)
        .get(reverse("exports:detail", args=[job.pk]), HTTP_HX_REQUEST="true")
        .content.decode()
    )
    assert "hx-trigger" not in partial
    assert reverse("exports:download", args=[job.pk]) in partial
    assert "The file is ready: 1 row." in partial


def test_a_failed_job_shows_its_reason(client, engineer):
    job = ExportJobFactory(user=engineer)
    ExportJob.objects.filter(pk=job.pk).update(state=ExportState.FAILED, error="RuntimeError: disk full")
    page = logged_in(client, engineer).get(reverse("exports:detail", args=[job.pk])).content.decode()
    assert "The export failed" in page and "disk full" in page and "every 1s" not in page


# --- my exports ------------------------------------------------------------------------------


def test_my_exports_lists_only_my_jobs_and_is_in_the_user_menu(client, engineer, other_engineer, team):
    mine = done_job(engineer, team)
    queued = ExportJobFactory(user=engineer, resource="customers")
    theirs = ExportJobFactory(user=other_engineer)
    page = logged_in(client, engineer).get(reverse("exports:list")).content.decode()
    assert f'data-job="{mine.pk}"' in page and f'data-job="{queued.pk}"' in page
    assert f'data-job="{theirs.pk}"' not in page
    assert reverse("exports:download", args=[mine.pk]) in page
    # a queued job keeps the table polling
    assert 'hx-trigger="every 2s"' in page
    # and the user menu links here
    assert f'href="{reverse("exports:list")}" data-testid="my-exports"' in page


def test_my_exports_stops_polling_when_everything_is_finished(client, engineer, team):
    done_job(engineer, team)
    page = logged_in(client, engineer).get(reverse("exports:list")).content.decode()
    assert 'data-testid="export-row"' in page
    assert "every 2s" not in page


# --- download: the owner only (R-CUST-6) --------------------------------------------------------


def test_only_the_owner_downloads_the_file_r_cust_6(client, engineer, other_engineer, general_manager, team):
    job = done_job(engineer, team)
    url = reverse("exports:download", args=[job.pk])
    # the owner gets the CSV
    response = logged_in(client, engineer).get(url)
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith('attachment; filename="leads-')
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    assert "Gamma" in text
    # anyone else, whatever their scope, gets 404 for the file and the page
    for other in (other_engineer, general_manager):
        client.force_login(other)
        assert client.get(url).status_code == 404
        assert client.get(reverse("exports:detail", args=[job.pk])).status_code == 404
    # anonymous visitors are sent to sign in
    client.logout()
    response = client.get(url)
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


def test_a_user_without_a_role_gets_no_export_pages(client, no_role_user):
    client.force_login(no_role_user)
    assert client.get(reverse("exports:list")).status_code == 403


def test_an_unfinished_job_cannot_be_downloaded_yet(client, engineer):
    job = ExportJobFactory(user=engineer)
    response = logged_in(client, engineer).get(reverse("exports:download", args=[job.pk]))
    assert response.status_code == 302
    assert response["Location"] == reverse("exports:detail", args=[job.pk])
