"""Yes/no filters read "Any" when unset, not django-filter's "Unknown" (which reads as a value)."""

import pytest
from django.urls import reverse

from opportunities.filtersets import OpportunityFilterSet
from tests.factories import OpportunityFactory

pytestmark = pytest.mark.django_db


def test_a_yes_no_filter_offers_any_yes_no(engineer):
    form = OpportunityFilterSet(data={}, request=None).form
    choices = [str(label) for _value, label in form.fields["has_tender"].widget.choices]
    assert choices == ["Any", "Yes", "No"]


def test_the_list_page_shows_no_unknown_choice(client, engineer, team):
    client.force_login(engineer)
    page = client.get(reverse("opportunities:list")).content.decode()
    assert ">Unknown<" not in page
    assert ">Any<" in page


def test_yes_no_filters_still_filter_in_the_api(client_for, engineer, team):
    tender = OpportunityFactory(team=team, has_tender=True)
    OpportunityFactory(team=team, has_tender=False)
    response = client_for(engineer).get(reverse("opportunity-list"), {"has_tender": "true"})
    assert [row["id"] for row in response.json()["results"]] == [tender.pk]
