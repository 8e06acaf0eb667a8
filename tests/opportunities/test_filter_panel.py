"""The opportunity filter panel on a phone (issue 8): folded behind a "Filters" button that
counts the filters set, opened only when tapped, never opened by the server because a filter
is set; always open from the md breakpoint (the browser journeys check the screens)."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from tests.factories import OpportunityFactory

pytestmark = pytest.mark.django_db


def panel(page: str) -> str:
    match = re.search(r'<div class="collapse[^"]*"[^>]*data-testid="filters-panel"[^>]*>', page)
    assert match
    return match.group(0)


@pytest.mark.parametrize("url_name", ["opportunities:board", "opportunities:list"])
def test_set_filters_keep_the_panel_folded_with_a_count(client, engineer, team, url_name):
    OpportunityFactory(team=team, title="Line A")
    client.force_login(engineer)
    url = reverse(url_name)

    # given no filter: the panel is folded on phones (collapse, open from md up) with no badge
    page = client.get(url).content.decode()
    assert panel(page) == (
        '<div class="collapse d-md-block mb-3" id="opportunity-filters-panel" data-testid="filters-panel">'
    )
    assert 'data-testid="filters-active"' not in page
    assert "<details" not in page

    # when two filters are set (and an empty one posted, as the form does)
    page = client.get(url, {"q": "Line", "customer_grade": "A", "owner": ""}).content.decode()

    # then the panel is still folded (not "show", no "open"), and the button counts two
    assert " show" not in panel(page) and " open" not in panel(page)
    assert 'aria-expanded="false"' in page
    assert '<span class="badge text-bg-primary" data-testid="filters-active">2</span>' in page


def test_the_boards_hidden_stage_filter_is_not_counted(client, engineer, team):
    client.force_login(engineer)
    page = client.get(reverse("opportunities:board"), {"stage": "solution", "mine": "true"}).content.decode()
    assert '<span class="badge text-bg-primary" data-testid="filters-active">1</span>' in page
