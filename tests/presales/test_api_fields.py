"""ScopedPrimaryKeyRelatedField: an id the caller may not see answers exactly like an id
that does not exist (R-CUST-6: the API never confirms a record outside the scope)."""

import pytest
from django.urls import reverse

from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db

MISSING = 999_999_999


@pytest.mark.parametrize(
    ("url_name", "body"),
    [
        ("opportunity-list", {"title": "Line upgrade", "amount": "1000"}),
        ("contact-list", {"name": "Wang"}),
        ("communication-list", {"channel": "phone", "key_points": "Call."}),
    ],
)
def test_a_customer_out_of_scope_does_not_exist(client_for, engineer, other_team, url_name, body):
    # given a customer of another team, invisible to the engineer
    hidden = CustomerFactory(team=other_team)
    client = client_for(engineer)
    # when it is referenced, and when an id that exists nowhere is referenced
    out_of_scope = client.post(reverse(url_name), {**body, "customer": hidden.pk}, format="json")
    missing = client.post(reverse(url_name), {**body, "customer": MISSING}, format="json")
    # then both answer 400 with the same "does not exist" message (only the id differs)
    assert out_of_scope.status_code == missing.status_code == 400
    hidden_message = out_of_scope.json()["fields"]["customer"]
    missing_message = missing.json()["fields"]["customer"]
    assert [m.replace(str(hidden.pk), "ID") for m in hidden_message] == [
        m.replace(str(MISSING), "ID") for m in missing_message
    ]
