"""A large export in a real browser (R-CUST-6): the export button starts a job, the progress
page polls until the worker has written the file, then the download button fetches it."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.urls import reverse
from playwright.sync_api import Page, expect

from presales.core.roles import Role
from presales.exports.models import ExportJob, ExportLog
from presales.exports.services import export_run
from presales.exports.tasks import run_export_task
from tests.browser.test_lead_journey import sign_in
from tests.factories import LeadFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_large_export_runs_in_the_background_and_downloads_when_done(
    live_server, page: Page, make_user, team, settings, monkeypatch
):
    # given more leads than the immediate-export limit, and no worker yet
    settings.PRESALES = {**settings.PRESALES, "EXPORT_SYNC_MAX_ROWS": 2}
    enqueued: list[int] = []
    monkeypatch.setattr(run_export_task, "delay", enqueued.append)
    make_user(Role.PRESALES_ENGINEER, team=team, username="exporter", language="en")
    for name in ("Alpha", "Beta", "Gamma"):
        LeadFactory(team=team, company_name=f"{name} Robotics")
    sign_in(page, live_server, "exporter")

    # when they export the lead list
    page.goto(live_server.url + reverse("leads:lead_list"))
    page.get_by_test_id("export").click()

    # then the progress page shows the job waiting for a worker
    progress = page.get_by_test_id("export-progress")
    expect(progress).to_have_attribute("data-state", "queued")
    job = ExportJob.objects.get()
    assert enqueued == [job.pk]

    # when the worker writes the file, the page notices by itself (htmx polling)
    export_run(job_id=job.pk)
    expect(page.get_by_test_id("export-download")).to_be_visible(timeout=10_000)
    expect(page.get_by_test_id("export-progress")).to_have_attribute("data-state", "done")

    # and the download holds the three leads
    with page.expect_download() as download_info:
        page.get_by_test_id("export-download").click()
    content = Path(download_info.value.path()).read_text(encoding="utf-8-sig")
    assert all(f"{name} Robotics" in content for name in ("Alpha", "Beta", "Gamma"))
    assert ExportLog.objects.get().row_count == 3

    # and the job is listed under My exports, reached from the user menu
    page.get_by_test_id("user-menu").click()
    page.get_by_test_id("my-exports").click()
    expect(page.locator(f'[data-job="{job.pk}"] [data-state="done"]')).to_be_visible()
