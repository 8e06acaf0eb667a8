"""R-KPI-4: who sets sales targets, one per period/person-or-team/metric, refusals are 400s
or 403s (never 500s) on every route: the service, the API and the admin."""

from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction

from kpi.models import SalesTarget
from kpi.periods import Period
from kpi.targets import services
from presales.core.errors import DomainError, NotAllowed

NOV = Period.parse("2026-11")


def _create(actor, **kwargs):
    values = {"period": NOV, "metric": "amount_signed", "target": Decimal("100")}
    values.update(kwargs)
    return services.target_create(actor=actor, **values)


def test_r_kpi_4_a_sales_manager_sets_targets_of_the_team_and_its_reps(sales_manager, rep, sales_team):
    person = _create(sales_manager, person=rep)
    team = _create(sales_manager, team=sales_team)
    assert person.set_by == sales_manager and team.team == sales_team
    assert person.history.count() == 1


def test_r_kpi_4_a_rep_and_another_teams_manager_may_not_set_targets(rep, rep2, west_manager, sales_team):
    with pytest.raises(NotAllowed):
        _create(rep, person=rep2)
    with pytest.raises(NotAllowed):
        _create(rep, person=rep)
    with pytest.raises(NotAllowed):
        _create(west_manager, person=rep)
    with pytest.raises(NotAllowed):
        _create(west_manager, team=sales_team)
    assert not SalesTarget.objects.exists()


def test_r_kpi_4_gm_and_admin_set_any_target(gm, admin_user, rep, west_team):
    _create(gm, person=rep)
    _create(admin_user, team=west_team)
    assert SalesTarget.objects.count() == 2


def test_r_kpi_4_one_target_per_period_subject_and_metric(sales_manager, rep, sales_team):
    _create(sales_manager, person=rep)
    _create(sales_manager, person=rep, metric="new_customers")
    _create(sales_manager, person=rep, period=Period.parse("2026-Q4"))
    with pytest.raises(DomainError) as refused:
        _create(sales_manager, person=rep)
    assert refused.value.fields
    _create(sales_manager, team=sales_team)
    with pytest.raises(DomainError):
        _create(sales_manager, team=sales_team)
    assert SalesTarget.objects.count() == 4


def test_r_kpi_4_person_xor_team(sales_manager, rep, sales_team):
    with pytest.raises(DomainError):
        _create(sales_manager, person=rep, team=sales_team)
    with pytest.raises(DomainError):
        _create(sales_manager)
    # and the database holds it whatever writes the row
    with pytest.raises(IntegrityError), transaction.atomic():
        SalesTarget.objects.create(
            period_kind="month",
            period_start=NOV.start,
            metric="amount_signed",
            target=1,
            set_by=sales_manager,
        )


def test_r_kpi_4_a_negative_target_or_a_non_sales_person_is_refused(
    sales_manager, rep, make_user, sales_team
):
    with pytest.raises(DomainError):
        _create(sales_manager, person=rep, target=Decimal("-1"))
    engineer = make_user("presales_engineer", team=sales_team)
    with pytest.raises(DomainError):
        _create(sales_manager, person=engineer)


def test_r_kpi_4_update_and_delete_check_the_setter(sales_manager, rep, west_manager):
    target = _create(sales_manager, person=rep)
    updated = services.target_update(actor=sales_manager, target=target, data={"target": Decimal("5")})
    assert updated.target == Decimal("5") and updated.version == 2
    with pytest.raises(NotAllowed):
        services.target_update(actor=west_manager, target=target, data={"target": Decimal("6")})
    with pytest.raises(DomainError):
        services.target_update(actor=sales_manager, target=target, data={"metric": "new_customers"})
    with pytest.raises(NotAllowed):
        services.target_delete(actor=rep, target=target)
    services.target_delete(actor=sales_manager, target=target)
    assert not SalesTarget.objects.exists()


def test_r_kpi_4_the_grid_save_creates_changes_and_removes(sales_manager, rep, sales_team):
    people, teams = {rep.pk: rep}, {sales_team.pk: sales_team}
    changed = services.targets_set(
        actor=sales_manager,
        period=NOV,
        values={
            ("person", rep.pk, "amount_signed"): Decimal("10"),
            ("team", sales_team.pk, "new_customers"): Decimal("3"),
        },
        people=people,
        teams=teams,
    )
    assert changed == 2
    changed = services.targets_set(
        actor=sales_manager,
        period=NOV,
        values={
            ("person", rep.pk, "amount_signed"): Decimal("10"),
            ("team", sales_team.pk, "new_customers"): None,
        },
        people=people,
        teams=teams,
    )
    assert changed == 1
    assert list(SalesTarget.objects.values_list("metric", flat=True)) == ["amount_signed"]


def test_r_kpi_4_admin_is_read_only(client, rep, sales_manager):
    """Bypass through the admin: targets are read-only there."""
    from tests.factories import UserFactory

    client.force_login(UserFactory(username="root", is_staff=True, is_superuser=True))
    admin_client = client
    target = _create(sales_manager, person=rep)
    assert admin_client.get("/admin/kpi/salestarget/add/").status_code == 403
    response = admin_client.post(f"/admin/kpi/salestarget/{target.pk}/change/", {"target": "1"})
    assert response.status_code == 403
    assert admin_client.get(f"/admin/kpi/salestarget/{target.pk}/change/").status_code == 200
