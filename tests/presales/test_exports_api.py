"""API of export jobs (/api/v1/exports/) and the ``export`` actions (R-CUST-6): the
contract (202 + Location, 400 naming the field), owner-only access, immediate or job."""

import pytest
from django.urls import reverse

from presales.exports.models import ExportJob, ExportLog, ExportState
from presales.exports.services import export_run
from presales.exports.tasks import run_export_task
from tests.factories import CustomerFactory, ExportJobFactory, LeadFactory
from tests.presales.test_api_contract import assert_contract

pytestmark = pytest.mark.django_db

JOBS = "export-job-list"


@pytest.fixture
def delay(monkeypatch):
    calls: list[int] = []
    monkeypatch.setattr(run_export_task, "delay", calls.append)
    return calls


@pytest.fixture
def low_limit(settings):
    settings.PRESALES = {**settings.PRESALES, "EXPORT_SYNC_MAX_ROWS": 1}


def post_job(client, body, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        return client.post(reverse(JOBS), body, format="json")


# --- starting a job ------------------------------------------------------------------------------


def test_post_starts_a_job_202_with_its_location_r_cust_6(
    client_for, sales_rep, team, delay, django_capture_on_commit_callbacks
):
    # given two leads of the sales rep's team
    LeadFactory.create_batch(2, team=team)
    # when they start an export of the new leads
    response = post_job(
        client_for(sales_rep),
        {"resource": "leads", "params": {"status": ["new"]}},
        django_capture_on_commit_callbacks,
    )
    # then the job is accepted: its URL in Location, queued, enqueued once after commit
    assert response.status_code == 202, response.content
    job = ExportJob.objects.get()
    body = response.json()
    assert (
        response["Location"]
        == body["url"]
        == f"http://testserver{reverse('export-job-detail', args=[job.pk])}"
    )
    assert {k: body[k] for k in ("id", "resource", "params", "channel", "state", "progress", "total")} == {
        "id": job.pk,
        "resource": "leads",
        "params": {"status": ["new"]},
        "channel": "api",
        "state": "queued",
        "progress": 0,
        "total": 2,
    }
    assert body["download_url"] is None
    assert delay == [job.pk]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"resource": "planets"}, "resource"),
        ({}, "resource"),
        ({"resource": "customers", "params": {"grade": "Z"}}, "params.grade"),
        ({"resource": "leads", "params": {"team": "east"}}, "params.team"),
        ({"resource": "leads", "params": {"colour": "red"}}, "params.colour"),
        ({"resource": "leads", "params": ["status", "new"]}, "params"),
        ({"resource": "leads", "params": {"q": {"deep": 1}}}, "params.q"),
        ({"resource": "leads", "params": {"q": "a\x00b"}}, "params.q"),
        ({"resource": "leads", "format": "xlsx"}, "format"),
    ],
)
def test_bad_input_answers_400_naming_the_field(
    client_for, engineer, delay, django_capture_on_commit_callbacks, body, field
):
    response = post_job(client_for(engineer), body, django_capture_on_commit_callbacks)
    assert field in assert_contract(response, 400)["fields"]
    assert not ExportJob.objects.exists() and delay == []


def test_a_body_that_is_not_an_object_answers_400(
    client_for, engineer, delay, django_capture_on_commit_callbacks
):
    response = post_job(client_for(engineer), ["leads"], django_capture_on_commit_callbacks)
    assert_contract(response, 400)
    assert not ExportJob.objects.exists()


@pytest.mark.parametrize(("user", "status"), [(None, 401), ("no_role_user", 403)])
def test_starting_needs_a_role(client_for, request, delay, django_capture_on_commit_callbacks, user, status):
    caller = request.getfixturevalue(user) if user else None
    response = post_job(client_for(caller), {"resource": "leads"}, django_capture_on_commit_callbacks)
    assert_contract(response, status)
    assert not ExportJob.objects.exists()


# --- reading jobs: the owner only --------------------------------------------------------------


def finished(user, team) -> ExportJob:
    LeadFactory(team=team, company_name="Gamma", phone="13800009999")
    return export_run(job_id=ExportJobFactory(user=user, resource="leads").pk)


def test_list_and_detail_show_the_callers_jobs_only(client_for, engineer, other_engineer, team):
    mine = finished(engineer, team)
    theirs = ExportJobFactory(user=other_engineer)
    client = client_for(engineer)
    listed = client.get(reverse(JOBS)).json()["results"]
    assert [job["id"] for job in listed] == [mine.pk]
    detail = client.get(reverse("export-job-detail", args=[mine.pk])).json()
    assert (detail["state"], detail["progress"], detail["total"], detail["row_count"]) == ("done", 1, 1, 1)
    assert detail["download_url"] == f"http://testserver{reverse('export-job-download', args=[mine.pk])}"
    assert_contract(client.get(reverse("export-job-detail", args=[theirs.pk])), 404)


def test_only_the_owner_downloads_r_cust_6(client_for, engineer, other_engineer, general_manager, team):
    job = finished(engineer, team)
    url = reverse("export-job-download", args=[job.pk])
    # the owner gets the CSV
    response = client_for(engineer).get(url)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert "13800009999" in b"".join(response.streaming_content).decode("utf-8-sig")
    # another user, even one who sees every record, gets 404; anonymous 401
    assert_contract(client_for(other_engineer).get(url), 404)
    assert_contract(client_for(general_manager).get(url), 404)
    assert_contract(client_for(None).get(url), 401)
    assert_contract(client_for(None).get(reverse(JOBS)), 401)
    # and downloads are not logged again: the finished job was logged once
    assert ExportLog.objects.count() == 1


def test_an_unfinished_job_answers_409_on_download(client_for, engineer):
    job = ExportJobFactory(user=engineer)
    body = assert_contract(client_for(engineer).get(reverse("export-job-download", args=[job.pk])), 409)
    assert body["code"] == "not_ready"


def test_a_failed_job_shows_its_error(client_for, engineer):
    job = ExportJobFactory(user=engineer)
    ExportJob.objects.filter(pk=job.pk).update(state=ExportState.FAILED, error="RuntimeError: disk full")
    body = client_for(engineer).get(reverse("export-job-detail", args=[job.pk])).json()
    assert (body["state"], body["error"], body["download_url"]) == ("failed", "RuntimeError: disk full", None)


# --- the export actions: immediate or job ------------------------------------------------------


@pytest.mark.parametrize("url_name", ["lead-export", "customer-export"])
def test_export_action_answers_csv_below_the_limit(client_for, engineer, team, delay, url_name):
    LeadFactory(team=team)
    CustomerFactory(team=team)
    response = client_for(engineer).get(reverse(url_name))
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    assert not ExportJob.objects.exists() and delay == []
    assert ExportLog.objects.get().channel == "api"


@pytest.mark.parametrize(
    ("url_name", "query", "over_limit"),
    [
        ("lead-export", {"async": "1"}, False),
        ("customer-export", {"async": "true"}, False),
        ("lead-export", {}, True),
        ("customer-export", {"grade": "A"}, True),
    ],
)
def test_export_action_answers_202_with_a_job_when_asked_or_large(
    client_for,
    engineer,
    team,
    settings,
    delay,
    django_capture_on_commit_callbacks,
    url_name,
    query,
    over_limit,
):
    if over_limit:
        settings.PRESALES = {**settings.PRESALES, "EXPORT_SYNC_MAX_ROWS": 1}
    LeadFactory.create_batch(2, team=team)
    CustomerFactory.create_batch(2, team=team, grade="A")
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(engineer).get(reverse(url_name), query, HTTP_ACCEPT="text/csv")
    assert response.status_code == 202, response.content
    assert response["Content-Type"] == "application/json"
    job = ExportJob.objects.get()
    assert response["Location"].endswith(reverse("export-job-detail", args=[job.pk]))
    assert response.json()["id"] == job.pk
    assert "async" not in job.params
    assert (job.channel, job.total) == ("api", 2)
    assert delay == [job.pk]
    assert not ExportLog.objects.exists()


def test_export_action_refuses_a_bad_async_flag(client_for, engineer):
    body = assert_contract(client_for(engineer).get(reverse("lead-export"), {"async": "maybe"}), 400)
    assert "async" in body["fields"]


def test_export_action_refuses_a_bad_filter(client_for, engineer):
    body = assert_contract(client_for(engineer).get(reverse("customer-export"), {"grade": "Z"}), 400)
    assert "grade" in body["fields"]
    assert not ExportLog.objects.exists()
