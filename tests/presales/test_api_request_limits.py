"""Issue 8 item 19 (schemathesis ST105): a form-encoded body past Django's request limits
(DATA_UPLOAD_MAX_NUMBER_FIELDS) answered Django's HTML 400 page; the API answers JSON in
its error contract."""

from __future__ import annotations

from urllib.parse import urlencode

import pytest

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("url", ["/api/v1/leads/", "/api/v1/requirements/reorder/"])
def test_too_many_form_fields_answer_400_in_the_error_contract(client_for, engineer, settings, url):
    settings.DATA_UPLOAD_MAX_NUMBER_FIELDS = 50
    body = urlencode([(f"f{i}", "x") for i in range(60)])
    response = client_for(engineer).post(url, body, content_type="application/x-www-form-urlencoded")
    assert response.status_code == 400
    assert response["Content-Type"].startswith("application/json")
    assert response.json()["code"] == "parse_error"
