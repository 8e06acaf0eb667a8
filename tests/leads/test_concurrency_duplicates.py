"""Simultaneous writes of the same company, phone or email (R-LEAD-2), against the real
PostgreSQL: the duplicate check runs under advisory locks on the normalised keys
(presales/core/locks.py), so "check, then insert" cannot interleave. Without the locks,
eight identical intakes created seven leads and six qualifications six customers.

Each thread has its own database connection and starts at a barrier, so the requests
really overlap.
"""

import threading

import pytest
from django.db import connections
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from leads import services
from leads.choices import LeadStatus
from leads.models import Customer, Lead
from tests.factories import LeadFactory
from tests.leads.test_api import LEAD

pytestmark = pytest.mark.django_db(transaction=True)


def run_at_once(count: int, work) -> list:
    """Run ``work(i)`` in ``count`` threads released together; return results or errors."""
    barrier = threading.Barrier(count)
    results: list = [None] * count

    def run(index: int) -> None:
        try:
            barrier.wait(timeout=30)
            results[index] = work(index)
        except Exception as exc:  # an escaping error is what these tests look for
            results[index] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return results


def test_eight_identical_intakes_at_once_create_one_lead_r_lead_2(sales_rep):
    """R-LEAD-2: 8 threads post the same intake: exactly one 201, seven 409 duplicates."""
    # given nothing of this company yet

    def post(_index):
        client = APIClient()
        client.force_authenticate(sales_rep)
        response = client.post(reverse("lead-list"), LEAD, format="json")
        return response.status_code, response.json().get("code")

    # when eight identical intakes arrive at the same moment
    results = run_at_once(8, post)

    # then one lead was created and the seven others were told it is a duplicate
    assert sorted(results) == [(201, None)] + [(409, "duplicate")] * 7
    assert Lead.objects.count() == 1


def test_six_qualifications_of_one_new_company_create_one_customer_r_lead_2(engineer, team):
    """R-LEAD-2 / R-LEAD-4: six leads of a company without a customer are qualified at the
    same moment: one customer is created and all six leads are linked to it."""
    # given six contacted leads of one new company
    leads = [
        LeadFactory(
            team=team,
            owner=engineer,
            company_name="Brand New Robotics Co., Ltd.",
            status=LeadStatus.CONTACTED,
            first_contacted_at=timezone.now(),
        )
        for _ in range(6)
    ]
    evaluation = dict.fromkeys(("background", "needs", "budget", "competition", "timeline"), "ok")

    def qualify(index):
        return services.lead_qualify(actor=engineer, lead=leads[index], evaluation=evaluation).customer_id

    # when they are qualified at once
    results = run_at_once(6, qualify)

    # then none failed, and they share the one customer
    assert not [r for r in results if isinstance(r, Exception)], results
    assert Customer.objects.filter(normalized_name="brandnewrobotics").count() == 1
    customer = Customer.objects.get(normalized_name="brandnewrobotics")
    assert set(results) == {customer.pk}
    assert set(Lead.objects.values_list("status", flat=True)) == {LeadStatus.QUALIFIED}
