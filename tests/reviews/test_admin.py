"""The review-chain admin writes through reviews/services.py (R-REV-1): the acting admin is
the audit actor, and the service's refusals show as form errors, changing nothing."""

from __future__ import annotations

import pytest
from django.urls import reverse

from reviews.models import ReviewChain, ReviewChainStep
from tests.factories import ReviewChainFactory, ReviewChainStepFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def root(db):
    return UserFactory(username="root", is_staff=True, is_superuser=True)


@pytest.fixture
def admin_client(client, root):
    client.force_login(root)
    return client


def form_data(steps: list[dict], *, initial: int = 0, **chain) -> dict:
    data = {
        "kind": "initiation",
        "name": "Initiation review",
        "description": "",
        "is_active": "on",
        "score_criteria": "[]",
        "steps-TOTAL_FORMS": str(len(steps)),
        "steps-INITIAL_FORMS": str(initial),
        "steps-MIN_NUM_FORMS": "0",
        "steps-MAX_NUM_FORMS": "1000",
        **chain,
    }
    for index, step in enumerate(steps):
        row = {"approver_scope": "team", "mode": "all", "approver_role": "", "approver_user": "", **step}
        data.update({f"steps-{index}-{name}": value for name, value in row.items()})
    return data


def test_adding_a_chain_goes_through_the_service(admin_client, root):
    response = admin_client.post(
        reverse("admin:reviews_reviewchain_add"),
        form_data([{"order": 1, "name": "Sales manager", "approver_role": "sales_manager"}]),
    )
    assert response.status_code == 302, response.context["errors"] if response.context else response
    chain = ReviewChain.objects.get()
    assert [(s.order, s.approver_role) for s in chain.steps.all()] == [(1, "sales_manager")]
    # written by the service, as this admin
    assert chain.history.latest().history_user == root
    assert ReviewChainStep.history.latest().history_user == root


def test_a_refused_chain_shows_the_error_and_writes_nothing(admin_client):
    # two steps with one order
    response = admin_client.post(
        reverse("admin:reviews_reviewchain_add"),
        form_data(
            [
                {"order": 1, "name": "Sales manager", "approver_role": "sales_manager"},
                {"order": 1, "name": "Legal", "approver_role": "legal"},
            ]
        ),
    )
    assert response.status_code == 200
    assert "Please correct the duplicate data for order" in response.content.decode()
    assert not ReviewChain.objects.exists()
    assert not ReviewChainStep.objects.exists()


def test_the_services_refusal_is_a_form_error_not_a_500(client):
    """A staff user given the model permissions but not the admin role: the service's own
    rule (only administrators configure chains) refuses, shown on the page."""
    from django.contrib.auth.models import Permission

    staff = UserFactory(username="staff", is_staff=True)
    staff.user_permissions.set(Permission.objects.filter(content_type__app_label="reviews"))
    client.force_login(staff)
    response = client.post(
        reverse("admin:reviews_reviewchain_add"),
        form_data([{"order": 1, "name": "Sales manager", "approver_role": "sales_manager"}]),
    )
    assert response.status_code == 200
    assert "Only administrators configure review chains." in response.content.decode()
    assert not ReviewChain.objects.exists()
    assert not ReviewChainStep.objects.exists()


def test_a_refused_change_changes_nothing(admin_client):
    chain = ReviewChainFactory(name="Old name")
    step = ReviewChainStepFactory(chain=chain, order=1, approver_role="sales_manager")
    rows = [
        {"id": step.pk, "chain": chain.pk, "order": 1, "name": "Sales", "approver_role": "sales_manager"},
        {"chain": chain.pk, "order": 1, "name": "Legal", "approver_role": "legal"},
    ]
    response = admin_client.post(
        reverse("admin:reviews_reviewchain_change", args=[chain.pk]),
        form_data(rows, initial=1, name="New name"),
    )
    assert response.status_code == 200
    assert "Please correct the duplicate data for order" in response.content.decode()
    assert ReviewChain.objects.get().name == "Old name"
    assert list(ReviewChainStep.objects.values_list("order", "name")) == [(1, step.name)]


def test_a_change_goes_through_the_service(admin_client, root):
    chain = ReviewChainFactory(name="Old name")
    step = ReviewChainStepFactory(chain=chain, order=1, approver_role="sales_manager")
    rows = [
        {"id": step.pk, "chain": chain.pk, "order": 1, "name": "Sales", "approver_role": "sales_manager"},
        {"chain": chain.pk, "order": 2, "name": "Legal", "approver_role": "legal"},
    ]
    response = admin_client.post(
        reverse("admin:reviews_reviewchain_change", args=[chain.pk]),
        form_data(rows, initial=1, name="New name"),
    )
    assert response.status_code == 302
    assert ReviewChain.objects.get().name == "New name"
    assert list(ReviewChainStep.objects.order_by("order").values_list("order", "approver_role")) == [
        (1, "sales_manager"),
        (2, "legal"),
    ]
    assert ReviewChain.history.latest().history_user == root


def test_a_chain_that_ran_cannot_be_deleted_nor_reverted(admin_client, monkeypatch):
    chain = ReviewChainFactory()
    monkeypatch.setattr(ReviewChain, "reviews", property(lambda self: ReviewChain.objects.filter(pk=self.pk)))
    response = admin_client.post(
        reverse("admin:reviews_reviewchain_delete", args=[chain.pk]), {"post": "yes"}
    )
    assert response.status_code == 403
    assert ReviewChain.objects.filter(pk=chain.pk).exists()
    version = chain.history.latest()
    url = reverse("admin:reviews_reviewchain_simple_history", args=[chain.pk, version.history_id])
    assert admin_client.post(url, {"name": "x", "kind": "initiation"}).status_code == 403


def test_an_admin_configures_check_items_and_a_margin_band_R_REV_2_R_QUOTE_1(admin_client):
    items = '[{"code": "price_reasonableness", "label": "Price reasonableness"}]'
    response = admin_client.post(
        reverse("admin:reviews_reviewchain_add"),
        form_data(
            [
                {
                    "order": 1,
                    "name": "Finance",
                    "approver_role": "finance",
                    "condition_max_margin": "15",
                    "check_items": items,
                }
            ],
            scores_required_on_reject="on",
        ),
    )
    assert response.status_code == 302, response.context["errors"] if response.context else response
    chain = ReviewChain.objects.get()
    assert chain.scores_required_on_reject is True
    step = chain.steps.get()
    assert str(step.condition_max_margin) == "15.00"
    assert step.check_items == [{"code": "price_reasonableness", "label": "Price reasonableness"}]


def test_malformed_check_items_are_a_form_error_and_write_nothing_R_REV_2(admin_client):
    response = admin_client.post(
        reverse("admin:reviews_reviewchain_add"),
        form_data(
            [
                {
                    "order": 1,
                    "name": "Legal",
                    "approver_role": "legal",
                    "check_items": '[{"code": "bad code", "label": "x"}]',
                }
            ]
        ),
    )
    assert response.status_code == 200
    assert "Each check item needs a code" in response.content.decode()
    assert not ReviewChain.objects.exists()
