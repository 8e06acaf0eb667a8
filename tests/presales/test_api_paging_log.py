"""Bulk reading through the API is logged as an export (R-CUST-6)."""

import pytest
from django.core.cache import cache

from presales.exports.models import ExportLog
from tests.factories import CustomerFactory


@pytest.fixture(autouse=True)
def small_threshold(settings):
    settings.PRESALES = {**settings.PRESALES, "EXPORT_SYNC_MAX_ROWS": 5}
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def customers(team):
    return CustomerFactory.create_batch(8, team=team, region="Shanghai")


def read_all(api, url, params):
    """Follow the next links to the end; returns the number of rows read."""
    response = api.get(url, params)
    rows = 0
    while True:
        assert response.status_code == 200, response.content
        body = response.json()
        rows += len(body["results"])
        if not body["next"]:
            return rows
        response = api.get(body["next"])


def test_paging_past_the_export_threshold_is_logged_once_r_cust_6(client_for, sales_rep, customers):
    """R-CUST-6: every export is logged; paging through a whole list is an export."""
    # given a rep who sees 8 customers and an export threshold of 5 rows
    api = client_for(sales_rep)
    # when the rep pages through the list, 3 rows a page
    rows = read_all(api, "/api/v1/customers/", {"region": "Shanghai", "page_size": 3})
    # then one export log says who read what with which filter, when the threshold was passed
    assert rows == 8
    log = ExportLog.objects.get()
    assert (log.user, log.resource, log.query, log.row_count, log.channel) == (
        sales_rep,
        "customer",
        "region=Shanghai",
        6,
        "api-paging",
    )


def test_reading_under_the_threshold_is_not_logged_r_cust_6(client_for, sales_rep, customers):
    api = client_for(sales_rep)
    api.get("/api/v1/customers/", {"page_size": 5})
    assert not ExportLog.objects.exists()


def test_rows_add_up_per_filter_within_the_window_r_cust_6(client_for, sales_rep, customers):
    """Two filters are two lists; the same filter read again in the window adds up."""
    api = client_for(sales_rep)
    # when the rep reads 4 rows under one filter, 4 under another, then 4 more under the first
    api.get("/api/v1/customers/", {"region": "Shanghai", "page_size": 4})
    api.get("/api/v1/customers/", {"page_size": 4})
    assert not ExportLog.objects.exists()
    api.get("/api/v1/customers/", {"region": "Shanghai", "page_size": 4, "ordering": "name"})
    # then the first filter passed the threshold, once
    assert list(ExportLog.objects.values_list("query", "row_count")) == [("region=Shanghai", 8)]
