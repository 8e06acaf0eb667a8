"""Write serializers are strict (issue 8, item 19): unknown keys, read-only keys and every
other field error of a request come back together in one 400, on every write serializer of
leads, opportunities and SLA policies (``presales.api.serializers.StrictMixin``)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from leads.models import Customer
from opportunities.models import Opportunity
from presales.core.roles import Role
from presales.sla.defaults import LEAD_FIRST_CONTACT
from presales.sla.models import SlaPolicy
from tests.factories import OpportunityFactory

pytestmark = pytest.mark.django_db


def test_customer_create_reports_unknown_read_only_and_invalid_fields_at_once(client_for, engineer):
    # given a body with an unknown key, a read-only key, a missing name and a bad choice
    body = {"nickname": "ACME", "graded_at": "2026-01-01T00:00:00Z", "size_class": "gigantic"}
    # when it is posted
    response = client_for(engineer).post(reverse("customer-list"), body, format="json")
    # then one 400 lists all four, and nothing is created
    assert response.status_code == 400
    fields = response.json()["fields"]
    assert fields["nickname"] == ["Unknown field."]
    assert fields["graded_at"] == ["This field is read-only."]
    assert {"name", "size_class"} <= set(fields)
    assert not Customer.objects.exists()


def test_opportunity_patch_refuses_unknown_keys_with_the_other_errors(client_for, engineer, team):
    # given an opportunity of the engineer
    opportunity = OpportunityFactory(team=team, presales_owner=engineer)
    # when a PATCH sends an unknown key, the stage and a bad amount
    response = client_for(engineer).patch(
        reverse("opportunity-detail", args=[opportunity.pk]),
        {"titel": "Typo", "stage": "handoff", "amount": "lots"},
        format="json",
    )
    # then one 400 names all three and nothing changed
    assert response.status_code == 400
    fields = response.json()["fields"]
    assert fields["titel"] == ["Unknown field."]
    assert fields["stage"] == ["The stage changes only through POST …/move/."]
    assert "amount" in fields
    assert Opportunity.objects.get(pk=opportunity.pk).title == opportunity.title


def test_an_unknown_key_alone_is_refused_on_patch(client_for, engineer, team):
    opportunity = OpportunityFactory(team=team, presales_owner=engineer)
    response = client_for(engineer).patch(
        reverse("opportunity-detail", args=[opportunity.pk]), {"colour": "red"}, format="json"
    )
    assert response.status_code == 400 and response.json()["fields"] == {"colour": ["Unknown field."]}


def test_policy_patch_reports_unknown_read_only_and_invalid_fields_at_once(make_user, client_for, team):
    """R-SLA-4: an admin's policy change is refused whole, with every reason."""
    admin = make_user(Role.ADMIN, team=team)
    url = reverse("sla-policy-detail", args=[LEAD_FIRST_CONTACT])
    before = SlaPolicy.objects.get(kind=LEAD_FIRST_CONTACT).version
    response = client_for(admin).patch(
        url, {"limit_valeu": 3, "kind": "other", "reminder_hours": [-3]}, format="json"
    )
    assert response.status_code == 400
    fields = response.json()["fields"]
    assert fields["limit_valeu"] == ["Unknown field."]
    # (``version`` is not read-only here: it is the version the client read, R-SLA-4 edits
    # are checked against it; see tests/presales/test_versions.py)
    assert fields["kind"] == ["This field is read-only."]
    assert "reminder_hours" in fields
    assert SlaPolicy.objects.get(kind=LEAD_FIRST_CONTACT).version == before
