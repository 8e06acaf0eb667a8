"""Issue 12's journey in headless Chromium: on an approved solution version the engineer asks
for the customer copy in Traditional Chinese, watches its progress while a worker renders it
in the background, downloads the PDF and records that it was sent (R-SOL-5, R-DOC)."""

from __future__ import annotations

import threading
from decimal import Decimal
from pathlib import Path

import pytest
from django.db import connection
from django.urls import reverse
from playwright.sync_api import Page, expect

from opportunities.choices import Stage
from presales.core import tasks
from presales.core.roles import Role
from presales.documents import services
from presales.documents.models import DocumentDelivery
from proposals.models import SolutionVersion
from tests.browser.test_issue11_journey import sign_in, watch_console
from tests.factories import OpportunityFactory, TeamFactory, UserFactory
from tests.proposals.solutions.factories import (
    QuoteLineFactory,
    SectionFactory,
    SolutionFactory,
    SolutionVersionFactory,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def worker(monkeypatch):
    """Instead of Celery: render each queued document in a thread, a moment after it was
    asked for, so that the page shows it queued and rendering before it is ready."""
    started: list[threading.Thread] = []

    def run(document_id: int) -> None:
        threading.Event().wait(1.0)
        try:
            services.document_run(document_id=document_id)
        finally:
            connection.close()

    def enqueue(task_name: str, *args) -> bool:
        assert task_name == services.RUN_TASK
        thread = threading.Thread(target=run, args=args, daemon=True)
        thread.start()
        started.append(thread)
        return True

    monkeypatch.setattr(tasks, "enqueue", enqueue)
    yield started
    for thread in started:
        thread.join(timeout=60)


def test_generate_watch_and_download_the_customer_copy(page: Page, live_server, worker):
    team = TeamFactory()
    engineer = UserFactory(username="docs_engineer", team=team, roles=[Role.PRESALES_ENGINEER])
    opportunity = OpportunityFactory(team=team, presales_owner=engineer, stage=Stage.DEMO, amount=500_000)
    solution = SolutionFactory(opportunity=opportunity, created_by=engineer, title="智慧園區能耗方案")
    version = SolutionVersionFactory(solution=solution, number=1, author=engineer, status="draft")
    SectionFactory(solution_version=version, kind="background", body_html="<p>園區共有三棟廠房。</p>")
    QuoteLineFactory(solution_version=version, unit_cost=Decimal("700.00"), unit_price=Decimal("1000.00"))
    SolutionVersion.objects.filter(pk=version.pk).update(status="approved")

    problems = watch_console(page)
    sign_in(page, live_server.url, "docs_engineer")
    page.goto(live_server.url + reverse("proposals:solutions:version", args=[version.pk]))
    panel = page.get_by_test_id("document-panel")
    expect(panel).to_be_visible()
    form = panel.locator("form").filter(has=page.get_by_test_id("document-generate-solution-customer"))
    form.locator("select[name=language]").select_option("zh-hant")
    page.get_by_test_id("document-generate-solution-customer").click()

    progress = page.get_by_test_id("document-progress")
    expect(progress).to_be_visible()
    assert progress.get_attribute("data-state") in ("queued", "running", "done")
    expect(page.get_by_test_id("document-download")).to_be_visible(timeout=60_000)
    expect(progress).to_have_attribute("data-state", "done")

    with page.expect_download() as download_info:
        page.get_by_test_id("document-download").click()
    path = download_info.value.path()
    content = Path(path).read_bytes()
    assert content.startswith(b"%PDF") and len(content) > 5_000
    assert download_info.value.suggested_filename.endswith("-customer-zh-hant.pdf")

    sent = page.get_by_test_id("document-sent-form")
    sent.locator("input[name=recipient]").fill("王主任 wang@example.com")
    sent.locator("button[type=submit]").click()
    expect(page.get_by_text("王主任 wang@example.com")).to_be_visible()
    assert DocumentDelivery.objects.filter(recipient="王主任 wang@example.com").count() == 1
    assert problems == []
