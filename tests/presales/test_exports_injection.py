"""CSV formula injection (OWASP "CSV Injection"): text that a spreadsheet would run as a
formula reaches no exported cell as it is (R-CUST-6 exports, the API's text/csv).

Every export (immediate, job file, API action) and the API renderer write CSV with
presales.core.csvfile.write_csv; these tests prove it per export type and per dangerous start.
"""

import csv
import io
from decimal import Decimal
from unittest import mock

import pytest
from django.urls import reverse

from presales.api.renderers import CSVRenderer
from presales.core.csvfile import safe_cell
from presales.exports import registry
from presales.exports.services import export_or_start, export_start
from presales.exports.tasks import run_export_task
from tests.factories import ContactFactory, CustomerFactory, LeadFactory

pytestmark = pytest.mark.django_db

# Each start that makes a spreadsheet read a cell as a formula or a command.
DANGEROUS = [
    '=HYPERLINK("http://evil.example","Click")',
    "+1+1",
    "-2+3",
    "@SUM(A1:A9)",
    "\tcmd|' /C calc'!A0",
    "\r=1+1",
    "  =1+1",  # leading whitespace before the formula character
    "\n@SUM(1)",
    "＝1+1",  # full-width, as a Chinese input method types it
]


def read(content: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(content.removeprefix("\ufeff"), newline="")))


def read_file(job) -> list[list[str]]:
    with job.file.open("rb") as f:
        return read(f.read().decode("utf-8"))


@pytest.mark.parametrize("value", DANGEROUS)
def test_a_formula_like_text_gets_a_leading_quote(value):
    assert safe_cell(value) == "'" + value


@pytest.mark.parametrize("value", ["Acme", "a=b", "1+1", "李雷", "", " ", "x-1", "'=already quoted"])
def test_ordinary_text_is_left_as_it_is(value):
    assert safe_cell(value) == value


@pytest.mark.parametrize("value", [-5, Decimal("-2.50"), -0.5, 0, None])
def test_numbers_stay_numbers(value):
    """A negative amount exported as a number is not text: it is not quoted."""
    assert safe_cell(value) is value


# --- per export type -------------------------------------------------------------------------------


@pytest.mark.parametrize("value", DANGEROUS)
def test_lead_export_neutralises_formula_cells_r_cust_6(engineer, team, value):
    # given a lead whose company and contact names start like a formula
    LeadFactory(team=team, company_name=value, contact_name=value, timing=value)
    # when the engineer exports the leads
    rows = read(export_or_start(actor=engineer, resource="leads", params={}).content)
    # then each of those cells starts with a quote, the rest of the text unchanged
    header, row = rows[0], rows[1]
    for column in ("Company", "Contact", "Timing"):
        assert row[header.index(column)] == "'" + value


@pytest.mark.parametrize("value", DANGEROUS)
def test_customer_export_neutralises_formula_cells_r_cust_6(engineer, team, value):
    # given a customer and its contact whose names start like a formula
    customer = CustomerFactory(team=team, name=value, region=value)
    ContactFactory(customer=customer, name=value, title="", phone="", email="")
    # when the engineer exports the customers
    rows = read(export_or_start(actor=engineer, resource="customers", params={}).content)
    # then each of those cells starts with a quote
    header, row = rows[0], rows[1]
    for column in ("Company name", "Region", "Contacts"):
        assert row[header.index(column)] == "'" + value


@pytest.mark.parametrize("resource", ["leads", "customers"])
def test_job_files_neutralise_formula_cells_too_r_cust_6(
    resource, engineer, team, django_capture_on_commit_callbacks
):
    # given a lead and a customer named like a formula
    LeadFactory(team=team, company_name="=HYPERLINK(1)")
    CustomerFactory(team=team, name="=HYPERLINK(1)")
    # when the export runs as a background job
    with (
        mock.patch.object(run_export_task, "delay", side_effect=run_export_task),
        django_capture_on_commit_callbacks(execute=True),
    ):
        job = export_start(actor=engineer, resource=resource, params={})
    job.refresh_from_db()
    # then the file holds the quoted name
    assert read_file(job)[1][1] == "'=HYPERLINK(1)"


@pytest.mark.parametrize("url_name", ["lead-export", "customer-export"])
def test_api_export_action_neutralises_formula_cells_r_cust_6(client_for, engineer, team, url_name):
    LeadFactory(team=team, company_name="@SUM(A1)")
    CustomerFactory(team=team, name="@SUM(A1)")
    response = client_for(engineer).get(reverse(url_name), HTTP_ACCEPT="text/csv")
    assert response.status_code == 200
    assert read(response.content.decode("utf-8"))[1][1] == "'@SUM(A1)"


def test_number_cells_of_an_export_stay_numbers(engineer, monkeypatch):
    """Only text is neutralised: an exporter's int and Decimal cells, negative or not, are
    written as numbers; the same value as text is quoted."""

    def build(user, params):
        return ["n", "amount", "text"], iter([[-5, Decimal("-2.50"), "-2.50"]]), 1

    monkeypatch.setitem(registry._EXPORTERS, "amounts", registry.Exporter("amounts", "Amounts", build))
    rows = read(export_or_start(actor=engineer, resource="amounts", params={}).content)
    assert rows[1] == ["-5", "-2.50", "'-2.50"]


def test_the_api_renderer_writes_rows_with_the_same_function():
    """A list of rows rendered as text/csv is neutralised like an export; a ready CSV string
    passes through; an error body stays JSON."""
    renderer = CSVRenderer()
    body = renderer.render([{"name": "=1+1", "amount": -3}, {"name": "Acme", "amount": 4}]).decode()
    assert read(body) == [["name", "amount"], ["'=1+1", "-3"], ["Acme", "4"]]
    assert read(renderer.render([["+1", 2]]).decode()) == [["'+1", "2"]]
    assert renderer.render("a,b\r\n") == b"a,b\r\n"
    assert renderer.render({"code": "not_found"}) == b'{"code": "not_found"}'
