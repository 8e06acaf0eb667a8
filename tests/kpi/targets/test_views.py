"""R-KPI-4: the targets page of a sales manager and a rep's own scorecard."""

from datetime import date

from kpi.models import SalesTarget
from tests.kpi.targets.factories import signed


def test_r_kpi_4_manager_edits_targets_in_the_grid(client, sales_manager, rep, sales_team):
    signed(rep, on=date(2026, 11, 5), amount="250.00")
    client.force_login(sales_manager)
    page = client.get("/kpi/targets/?period=2026-11")
    assert page.status_code == 200
    assert f"person-{rep.pk}-amount_signed" in page.content.decode()
    response = client.post(
        "/kpi/targets/",
        {
            "period": "2026-11",
            "team": sales_team.pk,
            f"person-{rep.pk}-amount_signed": "1,000",
            f"team-{sales_team.pk}-new_customers": "4",
            f"person-{rep.pk}-new_customers": "",
        },
    )
    assert response.status_code == 302
    assert SalesTarget.objects.get(person=rep).target == 1000
    assert SalesTarget.objects.get(team=sales_team).target == 4
    page = client.get("/kpi/targets/?period=2026-11").content.decode()
    assert "25.0 %" in page


def test_r_kpi_4_bad_targets_are_refused_without_saving(client, sales_manager, rep, sales_team):
    client.force_login(sales_manager)
    response = client.post(
        "/kpi/targets/", {"period": "2026-11", "team": sales_team.pk, f"person-{rep.pk}-amount_signed": "-3"}
    )
    assert response.status_code == 302
    assert not SalesTarget.objects.exists()


def test_r_kpi_4_reps_see_only_their_own_scorecard(client, rep, rep2, sales_manager):
    SalesTarget.objects.create(
        period_kind="month",
        period_start=date(2026, 11, 1),
        person=rep2,
        metric="amount_signed",
        target=777,
        set_by=sales_manager,
    )
    client.force_login(rep)
    assert client.get("/kpi/targets/?period=2026-11").status_code == 403
    page = client.get("/kpi/targets/mine/?period=2026-11")
    assert page.status_code == 200
    assert "777" not in page.content.decode()
    assert "2026-06" in page.content.decode()  # the trend of previous periods
    assert client.get("/kpi/targets/mine/?period=garbage").status_code == 200
