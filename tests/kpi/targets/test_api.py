"""R-KPI-4: /api/v1/sales-targets/ and its actuals: scoped (a rep their own, a manager the
team's, another team 404), writes through the services (400, 403, never 500)."""

from datetime import date
from decimal import Decimal

import pytest

from kpi.models import SalesTarget
from tests.kpi.targets.factories import signed

URL = "/api/v1/sales-targets/"


def _target(actor, **kwargs):
    values = {
        "period_kind": "month",
        "period_start": date(2026, 11, 1),
        "metric": "amount_signed",
        "target": Decimal("1000"),
        "set_by": actor,
    }
    values.update(kwargs)
    return SalesTarget.objects.create(**values)


@pytest.fixture
def targets(sales_manager, rep, rep2, sales_team, west_rep):
    return {
        "rep": _target(sales_manager, person=rep),
        "rep2": _target(sales_manager, person=rep2),
        "team": _target(sales_manager, team=sales_team),
        "west": _target(sales_manager, person=west_rep),
    }


@pytest.mark.parametrize(
    ("who", "seen"),
    [
        ("rep", {"rep", "team"}),
        ("sales_manager", {"rep", "rep2", "team"}),
        ("west_manager", {"west"}),
        ("gm", {"rep", "rep2", "team", "west"}),
    ],
)
def test_r_kpi_4_who_sees_which_targets(request, client_for, targets, west_manager, gm, who, seen):
    client = client_for(request.getfixturevalue(who))
    response = client.get(URL)
    assert response.status_code == 200
    ids = {row["id"] for row in response.json()["results"]}
    assert ids == {targets[name].pk for name in seen}


def test_r_kpi_4_another_teams_target_is_404_and_anonymous_401(client_for, api_client, targets, west_manager):
    assert client_for(west_manager).get(f"{URL}{targets['rep'].pk}/").status_code == 404
    assert (
        client_for(west_manager)
        .patch(f"{URL}{targets['rep'].pk}/", {"target": "1"}, format="json")
        .status_code
        == 404
    )
    assert api_client.get(URL).status_code in (401, 403)


def test_r_kpi_4_api_create_update_delete(client_for, sales_manager, rep):
    client = client_for(sales_manager)
    response = client.post(
        URL, {"period": "2026-11", "person": rep.pk, "metric": "new_customers", "target": "5"}, format="json"
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert (
        body["period"] == "2026-11" and body["period_kind"] == "month" and body["set_by"] == sales_manager.pk
    )
    # a duplicate is a 400 naming a field, not a 500
    again = client.post(
        URL, {"period": "2026-11", "person": rep.pk, "metric": "new_customers", "target": "6"}, format="json"
    )
    assert again.status_code == 400
    changed = client.patch(f"{URL}{body['id']}/", {"target": "7", "version": 1}, format="json")
    assert changed.status_code == 200 and changed.json()["target"] == "7.00"
    stale = client.patch(f"{URL}{body['id']}/", {"target": "8", "version": 1}, format="json")
    assert stale.status_code == 409
    key = client.patch(f"{URL}{body['id']}/", {"metric": "amount_signed"}, format="json")
    assert key.status_code == 400
    assert client.delete(f"{URL}{body['id']}/").status_code == 204


@pytest.mark.parametrize(
    "payload",
    [
        {"period": "2026-13", "metric": "new_customers", "target": "5"},
        {"period": "2026-11", "metric": "nope", "target": "5"},
        {"period": "2026-11", "metric": "new_customers", "target": "-5"},
        {"period": "2026-11", "metric": "new_customers", "target": "abc"},
        {"period": "2026-11", "metric": "new_customers", "target": "5", "stage": "x"},
        {"period": "2026-11", "metric": "new_customers", "target": "5", "both": True},
        {"period": "2026-11", "metric": "new_customers", "target": "5", "neither": True},
    ],
)
def test_r_kpi_4_bad_input_is_400(client_for, sales_manager, rep, sales_team, payload):
    payload = dict(payload)
    if payload.pop("both", False):
        payload.update(person=rep.pk, team=sales_team.pk)
    elif not payload.pop("neither", False):
        payload["person"] = rep.pk
    response = client_for(sales_manager).post(URL, payload, format="json")
    assert response.status_code == 400, response.content


def test_r_kpi_4_a_rep_cannot_set_targets_403(client_for, rep):
    response = client_for(rep).post(
        URL, {"period": "2026-11", "person": rep.pk, "metric": "new_customers", "target": "5"}, format="json"
    )
    assert response.status_code == 403


def test_r_kpi_4_actuals_of_a_team_and_of_oneself(
    client_for, targets, sales_manager, rep, sales_team, west_manager, west_team
):
    signed(rep, on=date(2026, 11, 5), amount="250.00")
    body = client_for(sales_manager).get(f"{URL}actuals/?period=2026-11&team={sales_team.pk}").json()
    rows = {(row["kind"], row["id"]): row for row in body["rows"]}
    cell = rows["person", rep.pk]["metrics"][0]
    assert (cell["metric"], cell["target"], cell["actual"], cell["achieved_percent"]) == (
        "amount_signed",
        "1000.00",
        "250.00",
        "25.0",
    )
    assert rows["team", sales_team.pk]["metrics"][0]["actual"] == "250.00"
    # a rep reads their own; another team's manager gets a 404 for this team and this rep
    own = client_for(rep).get(f"{URL}actuals/?period=2026-11").json()
    assert [row["id"] for row in own["rows"]] == [rep.pk]
    assert client_for(rep).get(f"{URL}actuals/?period=2026-11&team={sales_team.pk}").status_code == 404
    assert (
        client_for(west_manager).get(f"{URL}actuals/?period=2026-11&team={sales_team.pk}").status_code == 404
    )
    assert client_for(west_manager).get(f"{URL}actuals/?period=2026-11&person={rep.pk}").status_code == 404
    assert client_for(rep).get(f"{URL}actuals/?period=nope").status_code == 400
    assert client_for(rep).get(f"{URL}actuals/?period=2026-11&team=x").status_code == 400
