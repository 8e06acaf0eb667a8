"""R-NEED-3: the needs confirmation list through a link without an account: signed (a
random token stored as its hash), single-purpose, expiring, revocable, rate limited; it shows
exactly the list and nothing else; every refusal reveals nothing; no login cookie."""

from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from presales.core.errors import DomainError
from presales.sla.models import Notification
from proposals.models import ConfirmationRequest, Requirement, RequirementConfirmation
from proposals.needs import public, services
from tests.factories import ContactFactory, OpportunityFactory
from tests.proposals.needs.conftest import FLEXIBLE, RIGID

pytestmark = pytest.mark.django_db(transaction=False)


@pytest.fixture
def requirements(engineer, opportunity):
    return [
        services.requirement_create(actor=engineer, opportunity=opportunity, data=RIGID),
        services.requirement_create(
            actor=engineer, opportunity=opportunity, data={**FLEXIBLE, "feasibility_note": "內部成本 ¥88,000"}
        ),
    ]


@pytest.fixture
def sent(engineer, opportunity, contact, requirements, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        request, token = services.confirmation_request_create(
            actor=engineer, opportunity=opportunity, contact=contact
        )
    return request, token


def url(token):
    return reverse("proposals:needs_confirm_public", args=[token])


def answers(requirements, status="confirmed"):
    data = {}
    for r in requirements:
        r.refresh_from_db()
        data[f"status_{r.pk}"] = status
        data[f"version_{r.pk}"] = str(r.version)
    return data


def test_r_need_3_link_is_mailed_to_the_contact_and_stored_only_as_a_hash(sent, contact):
    request, token = sent
    assert token not in request.token_hash and len(token) >= 40
    (message,) = mail.outbox
    assert message.to == [contact.email]
    assert url(token) in message.body


def test_r_need_3_page_shows_exactly_the_list_and_sets_no_cookie(
    client, sent, requirements, engineer, opportunity
):
    _request, token = sent
    # a requirement added after sending is not on this list
    later = services.requirement_create(
        actor=engineer, opportunity=opportunity, data={**FLEXIBLE, "description": "後加需求"}
    )
    other = OpportunityFactory(team=opportunity.team, customer=opportunity.customer)
    services.requirement_create(actor=engineer, opportunity=other, data={**RIGID, "description": "別的商機"})
    response = client.get(url(token))
    assert response.status_code == 200
    page = response.content.decode()
    assert opportunity.customer.name in page
    assert "REQ-001" in page and "REQ-002" in page and "降低生產線能耗30%" in page
    for hidden in (
        later.description,
        "別的商機",
        "內部成本",
        "88,000",
        opportunity.title,
        str(opportunity.amount),
    ):
        assert hidden not in page, hidden
    assert "csrfmiddlewaretoken" not in page
    assert not response.cookies, response.cookies
    assert response["Cache-Control"] == "no-store"
    assert response["Referrer-Policy"] == "no-referrer"


def test_r_need_3_contact_confirms_and_comments_row_by_row(
    client, sent, requirements, engineer, opportunity, contact, django_capture_on_commit_callbacks
):
    request, token = sent
    rigid, flexible = requirements
    data = answers(requirements)
    data[f"status_{flexible.pk}"] = "commented"
    data[f"comment_{flexible.pk}"] = "培訓需分兩批"
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url(token), data)
    assert response.status_code == 200, response.content.decode()[:500]
    assert not response.cookies, response.cookies  # not even the replica pin (presales.core.dbrouting)
    rigid.refresh_from_db()
    flexible.refresh_from_db()
    assert (rigid.confirmation_status, rigid.confirmation_method, rigid.confirmed_by_name) == (
        "confirmed",
        "link",
        contact.name,
    )
    assert rigid.confirmed_contact == contact and rigid.confirmed_at is not None
    assert (flexible.confirmation_status, flexible.confirmation_comment) == ("commented", "培訓需分兩批")
    assert RequirementConfirmation.objects.filter(request=request).count() == 2
    request.refresh_from_db()
    assert request.completed_at is not None
    # the engineer (sender and presales owner) and the sales owner are told, once each
    told = set(
        Notification.objects.filter(kind=services.NEEDS_CONFIRMED).values_list("recipient_id", flat=True)
    )
    assert told == {engineer.pk, opportunity.sales_owner_id}


def test_r_need_3_every_row_must_be_answered(client, sent, requirements):
    _request, token = sent
    data = answers(requirements[:1])
    response = client.post(url(token), data)
    assert response.status_code == 400
    assert "Confirm this requirement or comment on it." in response.content.decode()
    data = answers(requirements, status="commented")
    response = client.post(url(token), data)
    assert response.status_code == 400 and "Write your comment." in response.content.decode()
    assert not RequirementConfirmation.objects.exists()


def test_r_need_3_a_row_changed_meanwhile_is_refused(client, sent, requirements, engineer):
    _request, token = sent
    data = answers(requirements)
    services.requirement_update(actor=engineer, requirement=requirements[0], data={"description": "改了"})
    response = client.post(url(token), data)
    assert response.status_code == 409
    assert not RequirementConfirmation.objects.exists()


def test_r_need_3_replay_after_completion_is_refused(client, sent, requirements):
    _request, token = sent
    data = answers(requirements)
    assert client.post(url(token), data).status_code == 200
    for response in (client.get(url(token)), client.post(url(token), data)):
        assert response.status_code == 410
        assert "REQ-001" not in response.content.decode()
    assert RequirementConfirmation.objects.count() == 2


def test_r_need_3_expired_link_is_refused(client, sent):
    request, token = sent
    ConfirmationRequest.objects.filter(pk=request.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    response = client.get(url(token))
    assert response.status_code == 410
    assert "REQ-001" not in response.content.decode()


def test_r_need_3_revoked_link_is_refused(client, sent, engineer, requirements):
    request, token = sent
    services.confirmation_request_revoke(actor=engineer, request=request)
    assert client.get(url(token)).status_code == 410
    assert client.post(url(token), answers(requirements)).status_code == 410
    assert not RequirementConfirmation.objects.exists()


def test_r_need_3_tampered_and_unknown_tokens_are_404(client, sent):
    _request, token = sent
    tampered = token[:-1] + ("A" if token[-1] != "A" else "B")
    for bad in (tampered, "x", "a" * 200):
        response = client.get(url(bad))
        assert response.status_code == 404
        assert "REQ-" not in response.content.decode()


def test_r_need_3_a_token_opens_only_its_own_list(client, engineer, team, requirements, sent, opportunity):
    """Another list's token shows that list only; this list's rows cannot be answered with it."""
    other = OpportunityFactory(team=team, presales_owner=engineer, stage="needs_analysis")
    other_req = services.requirement_create(
        actor=engineer, opportunity=other, data={**RIGID, "description": "另一清單"}
    )
    other_contact = ContactFactory(customer=other.customer)
    _other_request, other_token = services.confirmation_request_create(
        actor=engineer, opportunity=other, contact=other_contact
    )
    page = client.get(url(other_token)).content.decode()
    assert "另一清單" in page and "降低生產線能耗30%" not in page
    # posting this list's rows with the other token answers nothing of this list
    data = {**answers(requirements), **answers([other_req])}
    assert client.post(url(other_token), data).status_code == 200
    assert not RequirementConfirmation.objects.filter(requirement__opportunity=opportunity).exists()
    other_req.refresh_from_db()
    assert other_req.confirmation_status == "confirmed"


def test_r_need_3_rate_limited_per_address_and_token(client, sent, monkeypatch):
    _request, token = sent
    monkeypatch.setattr(public.ConfirmationPublicView, "rate_limit", 3)
    codes = [client.get(url(token)).status_code for _ in range(4)]
    assert codes == [200, 200, 200, 429]
    # guessing tokens from one address is limited too
    monkeypatch.setattr(public.ConfirmationPublicView, "rate_limit_address", 4)
    assert client.get(url("guess")).status_code == 429


def test_r_need_3_request_needs_a_contact_of_the_customer_with_an_email(engineer, opportunity, requirements):
    stranger = ContactFactory()
    no_mail = ContactFactory(customer=opportunity.customer, email="")
    for contact in (stranger, no_mail):
        with pytest.raises(DomainError) as exc:
            services.confirmation_request_create(actor=engineer, opportunity=opportunity, contact=contact)
        assert "contact" in exc.value.fields
    assert not ConfirmationRequest.objects.exists()


def test_r_need_3_request_lists_only_the_opportunitys_requirements(
    engineer, opportunity, contact, requirements, team
):
    other = OpportunityFactory(team=team, presales_owner=engineer)
    foreign = services.requirement_create(actor=engineer, opportunity=other, data=RIGID)
    with pytest.raises(DomainError) as exc:
        services.confirmation_request_create(
            actor=engineer, opportunity=opportunity, contact=contact, requirement_ids=[foreign.pk]
        )
    assert "requirement_ids" in exc.value.fields
    request, _token = services.confirmation_request_create(
        actor=engineer, opportunity=opportunity, contact=contact, requirement_ids=[requirements[1].pk]
    )
    assert request.requirement_ids == [requirements[1].pk]
    assert Requirement.objects.filter(opportunity=opportunity).count() == 2
