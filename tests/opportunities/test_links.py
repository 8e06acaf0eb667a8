"""Lead <-> opportunity <-> customer link each other (issue 10 "Pages"; R-LEAD-4, R-OPP-1):
qualifying lands on the new opportunity's desk and carries the competitors and the timeline
entered at qualification (web and API); the lead page links its opportunity, the customer
page lists its opportunities (a window, with a link to the filtered list), the opportunity
page links its lead and customer."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import timezone

from leads.choices import LeadStatus
from opportunities.models import Opportunity
from opportunities.panels import CUSTOMER_OPPORTUNITIES, lead_opportunity_panel
from tests.factories import CustomerFactory, LeadFactory, OpportunityFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def contacted_lead(team, sales_rep, engineer):
    return LeadFactory(
        team=team,
        owner=sales_rep,
        presales_owner=engineer,
        status=LeadStatus.CONTACTED,
        first_contacted_at=timezone.now(),
        company_name="Huadong Precision",
        initial_needs="MES for two lines",
        received_at=timezone.now() - timedelta(hours=2),
    )


QUALIFICATION = {
    "background": "Expanding capacity",
    "needs": "MES, quality tracing",
    "budget": "1.2M approved",
    "competition": "Vendor X is the incumbent; Vendor Y bid last year.",
    "timeline": "Decision in Q3, go-live before the spring festival",
}


def test_issue_10_web_qualification_lands_on_the_opportunity_with_competitors_and_timeline(
    client, engineer, contacted_lead
):
    client.force_login(engineer)
    close = timezone.localdate() + timedelta(days=120)
    data = {
        **QUALIFICATION,
        "customer": "",
        "title": "Huadong MES",
        "expected_close": close.isoformat(),
        "competitors": "Vendor X, Vendor Y",
    }
    response = client.post(reverse("opportunities:qualify_lead", args=[contacted_lead.pk]), data)
    opportunity = Opportunity.objects.get(lead=contacted_lead)
    # lands on the new opportunity's desk, saying so
    assert response.status_code == 302
    assert response["Location"] == opportunity.get_absolute_url()
    assert any("Huadong MES" in str(m) for m in get_messages(response.wsgi_request))
    # the competitors entered become the opportunity's; the timeline its expected close and,
    # with the competition assessment, its description
    assert opportunity.competitors == ["Vendor X", "Vendor Y"]
    assert opportunity.expected_close == close
    assert "Decision in Q3, go-live before the spring festival" in opportunity.description
    assert "Vendor X is the incumbent" in opportunity.description
    # the desk shows both and links the lead and the customer
    page = client.get(opportunity.get_absolute_url()).content.decode()
    assert "Vendor X, Vendor Y" in page
    assert contacted_lead.get_absolute_url() in page.split('data-testid="header-lead"')[0].rsplit("<a", 1)[1]
    assert 'data-testid="header-customer"' in page
    assert opportunity.customer.get_absolute_url() in page


def test_issue_10_api_qualification_names_the_opportunity_and_carries_competitors_and_timeline(
    client_for, engineer, contacted_lead
):
    client = client_for(engineer)
    close = timezone.localdate() + timedelta(days=90)
    response = client.post(
        reverse("lead-qualify", args=[contacted_lead.pk]),
        {"evaluation": QUALIFICATION, "competitors": ["Vendor X"], "expected_close": close.isoformat()},
        format="json",
    )
    assert response.status_code == 200, response.content
    body = response.json()
    opportunity = Opportunity.objects.get(lead=contacted_lead)
    # the answer names the opportunity the lead became
    assert body["opportunity"] == opportunity.pk
    assert body["status"] == "qualified"
    # and the opportunity links back, with what was entered
    detail = client.get(reverse("opportunity-detail", args=[opportunity.pk])).json()
    assert detail["competitors"] == ["Vendor X"]
    assert detail["expected_close"] == close.isoformat()
    assert "Decision in Q3" in detail["description"]
    assert detail["links"]["lead"] == contacted_lead.pk
    assert detail["links"]["customer"] == opportunity.customer_id
    assert detail["links"]["lead_web"] == contacted_lead.get_absolute_url()
    assert detail["links"]["customer_api"] == reverse("customer-detail", args=[opportunity.customer_id])
    assert client.get(detail["links"]["lead_api"]).status_code == 200


def test_issue_10_lead_page_links_its_opportunity_when_visible(
    client, engineer, other_engineer, contacted_lead, team
):
    client.force_login(engineer)
    client.post(
        reverse("opportunities:qualify_lead", args=[contacted_lead.pk]), {**QUALIFICATION, "customer": ""}
    )
    opportunity = Opportunity.objects.get(lead=contacted_lead)
    page = client.get(contacted_lead.get_absolute_url()).content.decode()
    assert 'data-testid="lead-opportunity"' in page
    assert f'href="{opportunity.get_absolute_url()}" data-testid="lead-opportunity-link"' in page
    # not for who may not see the opportunity (another team's engineer)
    contacted_lead.refresh_from_db()
    assert lead_opportunity_panel(contacted_lead, other_engineer) is None
    assert lead_opportunity_panel(contacted_lead, engineer)["opportunity"] == opportunity
    # an open lead that is not qualified has no such panel
    other = LeadFactory(team=team, presales_owner=engineer)
    assert 'data-testid="lead-opportunity"' not in client.get(other.get_absolute_url()).content.decode()


def test_issue_10_customer_page_lists_a_window_of_its_visible_opportunities(
    client, engineer, team, other_team
):
    customer = CustomerFactory(team=team)
    mine = [OpportunityFactory(team=team, customer=customer) for _i in range(CUSTOMER_OPPORTUNITIES + 2)]
    hidden = OpportunityFactory(team=other_team, customer=customer, title="Another team's deal")
    client.force_login(engineer)
    page = client.get(customer.get_absolute_url()).content.decode()
    panel = page.split('data-testid="customer-opportunities"')[1].split('data-testid="customer-leads"')[0]
    # the newest window, counted, never another team's
    assert panel.count("data-opportunity=") == CUSTOMER_OPPORTUNITIES
    assert f'data-opportunity="{mine[-1].pk}"' in panel
    assert f'data-opportunity="{mine[0].pk}"' not in panel
    assert hidden.title not in panel
    assert f">{len(mine)}<" in panel
    # the rest are in the opportunity list filtered on the customer; a new one is one click away
    assert f'href="{reverse("opportunities:list")}?customer={customer.pk}"' in panel
    assert f"{reverse('opportunities:create')}?customer={customer.pk}" in panel
    listed = client.get(reverse("opportunities:list"), {"customer": customer.pk}).content.decode()
    assert all(o.title in listed for o in mine[:10])
