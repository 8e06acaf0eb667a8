"""Core behaviour: roles, scopes, the error contract, language per user."""

import pytest
from django.urls import reverse

from presales.core.errors import DomainError, GateRefused
from presales.core.roles import Role, Scope, scope_of

pytestmark = pytest.mark.django_db


def test_every_role_in_process_md_has_a_group(django_db_setup):
    from django.contrib.auth.models import Group

    # given the migrated database; then a group exists for each role
    assert set(Group.objects.values_list("name", flat=True)) >= set(Role.values)


@pytest.mark.parametrize(
    ("roles", "scope"),
    [
        ([], None),
        ([Role.PRESALES_ENGINEER], Scope.TEAM),
        ([Role.SALES_MANAGER], Scope.TEAM),
        ([Role.GENERAL_MANAGER], Scope.ALL),
        ([Role.PRESALES_ENGINEER, Role.LEGAL], Scope.ALL),
    ],
)
def test_scope_is_the_widest_of_the_roles(make_user, team, roles, scope):
    assert scope_of(make_user(*roles, team=team)) == scope


def test_domain_error_carries_fields_and_reasons():
    err = GateRefused(reasons=["Record the first contact."])
    assert err.status_code == 409
    assert err.as_dict() == {
        "code": "gate_refused",
        "message": str(GateRefused.default_message),
        "fields": {},
        "reasons": ["Record the first contact."],
    }
    assert DomainError(fields={"name": "Required."}).fields == {"name": ["Required."]}


def test_user_language_switches_the_whole_ui(client, make_user, team):
    # given a user who picked Traditional Chinese
    user = make_user(Role.PRESALES_ENGINEER, team=team, language="zh-hant")
    client.force_login(user)
    # when they open the profile page
    page = client.get(reverse("profile")).content.decode()
    # then it is in Traditional Chinese, and switching to English switches it
    assert 'lang="zh-hant"' in page
    client.post(reverse("profile"), {"display_name": "X", "email": "x@example.com", "language": "en"})
    assert 'lang="en"' in client.get(reverse("profile")).content.decode()


def test_anonymous_is_sent_to_login(client):
    response = client.get(reverse("dashboard"))
    assert response.status_code == 302
    assert reverse("login") in response["Location"]


def test_api_requires_authentication_with_error_contract(api_client):
    response = api_client.get(reverse("api-me"))
    assert response.status_code == 401
    assert set(response.json()) == {"code", "message", "fields"}


def test_api_refuses_users_without_role(client_for, no_role_user):
    response = client_for(no_role_user).get(reverse("api-me"))
    assert response.status_code == 403
    assert response.json()["code"] == "permission_denied"


def test_openapi_schema_and_docs_are_served(client, engineer):
    client.force_login(engineer)
    assert client.get(reverse("api-schema")).status_code == 200
    assert client.get(reverse("api-docs")).status_code == 200


@pytest.mark.parametrize("language", ["zh-hans", "zh-hant", "en"])
def test_amounts_are_grouped_by_thousands_in_every_language(language):
    from decimal import Decimal

    from django.template import Context, Template
    from django.utils import translation

    # given an amount as a quote or a board column shows it; when rendered in the language
    with translation.override(language):
        rendered = Template("{% load humanize %}{{ amount|intcomma }}").render(
            Context({"amount": Decimal("2600000.00")})
        )
    # then it is grouped by thousands with commas (ids and years elsewhere stay ungrouped)
    assert rendered == "2,600,000.00"


@pytest.mark.parametrize("language", ["zh-hans", "zh-hant", "en"])
def test_the_money_filter_shows_every_amount_one_way(language):
    """Issue 8: amounts read "1,500,000.00 CNY" in every language: two decimals, grouped,
    the currency code after; no amount reads "—" and CNY is the default code."""
    from decimal import Decimal

    from django.template import Context, Template
    from django.utils import translation

    # given amounts as the pages hold them; when rendered through the filter in the language
    template = Template("{% load money %}{{ a|money:'USD' }}|{{ b|money }}|{{ c|money }}|{{ d|money:'EUR' }}")
    with translation.override(language):
        rendered = template.render(
            Context({"a": Decimal("1500000"), "b": 0, "c": None, "d": Decimal("12.5")})
        )
    # then each is two decimals, grouped, with its code
    assert rendered == "1,500,000.00 USD|0.00 CNY|—|12.50 EUR"


def test_pages_show_amounts_with_the_money_filter(client, engineer, team):
    """Issue 8: the lead's budget, the opportunity's amount on its page, in the list and on the
    board all read the same way, with the code after the amount (no "元" label beside it)."""
    from decimal import Decimal

    from tests.factories import LeadFactory, OpportunityFactory

    # given a lead and an opportunity the engineer works on, and a reader in Chinese
    lead = LeadFactory(team=team, presales_owner=engineer, budget=Decimal("1500000"))
    opportunity = OpportunityFactory(
        team=team, presales_owner=engineer, amount=Decimal("2600000"), currency="CNY"
    )
    engineer.language = "zh-hans"
    engineer.save(update_fields=["language"])
    client.force_login(engineer)
    # when the pages are shown
    pages = {
        "lead": client.get(lead.get_absolute_url()).content.decode(),
        "opportunity": client.get(opportunity.get_absolute_url()).content.decode(),
        "list": client.get(reverse("opportunities:list")).content.decode(),
        "board": client.get(reverse("opportunities:board")).content.decode(),
    }
    # then every amount is written one way
    assert ">1,500,000.00 CNY</dd>" in pages["lead"]
    for name in ("opportunity", "list", "board"):
        assert "2,600,000.00 CNY" in pages[name], name
