"""Training plans and records (R-KPI-1) through the services: who records for whom, the
rules of a record (exam score, reflection, hours, date, plan of the same person and year),
training given credited to the trainer."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from kpi.models import TrainingRecord
from kpi.periods import Period
from kpi.training import services
from kpi.training.selectors import hours_by_person, records_for, training_records_url
from presales.core.errors import DomainError, NotAllowed

pytestmark = pytest.mark.django_db


def _today():
    return timezone.localdate()


def _record(**overrides):
    data = {
        "direction": "taken",
        "course": "Kubernetes 入門",
        "provider": "Academy",
        "held_on": _today() - timedelta(days=1),
        "hours": Decimal("8"),
        "result": "exam",
        "exam_score": Decimal("92"),
    }
    data.update(overrides)
    return data


def test_r_kpi_1_an_engineer_records_their_own_course(engineer):
    record = services.training_record_create(actor=engineer, data=_record())
    assert record.person == engineer and record.recorded_by == engineer
    assert record.exam_score == Decimal("92")


def test_r_kpi_1_an_engineer_cannot_record_for_a_colleague(engineer, teammate):
    with pytest.raises(DomainError) as exc:
        services.training_record_create(actor=engineer, data=_record(person=teammate.pk))
    assert "person" in exc.value.fields
    with pytest.raises(NotAllowed):
        services.training_record_create(actor=engineer, data=_record(person=teammate))
    assert TrainingRecord.objects.count() == 0


def test_r_kpi_1_a_manager_records_for_the_team_not_for_another(manager, teammate, other_engineer):
    record = services.training_record_create(actor=manager, data=_record(person=teammate))
    assert record.person == teammate and record.recorded_by == manager
    with pytest.raises(NotAllowed):
        services.training_record_create(actor=manager, data=_record(person=other_engineer))
    # and may not move a record out of the team
    with pytest.raises(NotAllowed):
        services.training_record_update(actor=manager, record=record, data={"person": other_engineer})


def test_r_kpi_1_an_admin_records_for_anyone(admin, other_engineer):
    record = services.training_record_create(actor=admin, data=_record(person=other_engineer))
    assert record.person == other_engineer


def test_r_kpi_1_a_sales_rep_records_no_training(sales_rep):
    with pytest.raises(NotAllowed):
        services.training_record_create(actor=sales_rep, data=_record())


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"exam_score": None}, "exam_score"),
        ({"exam_score": Decimal("101")}, "exam_score"),
        ({"exam_score": Decimal("-1")}, "exam_score"),
        ({"result": "reflection", "exam_score": None, "reflection": ""}, "reflection"),
        ({"result": "none", "exam_score": Decimal("50")}, "exam_score"),
        ({"hours": Decimal("0.4")}, "hours"),
        ({"hours": Decimal("501")}, "hours"),
        ({"held_on": date.today() + timedelta(days=2)}, "held_on"),
        ({"course": "  "}, "course"),
        ({"direction": "given", "result": "none", "exam_score": None, "audience": ""}, "audience"),
        (
            {
                "direction": "given",
                "result": "none",
                "exam_score": None,
                "audience": "Sales",
                "attendee_count": 0,
            },
            "attendee_count",
        ),
    ],
)
def test_r_kpi_1_record_rules_are_400s(engineer, overrides, field):
    with pytest.raises(DomainError) as exc:
        services.training_record_create(actor=engineer, data=_record(**overrides))
    assert field in exc.value.fields


def test_r_kpi_1_a_reflection_and_training_given(engineer):
    reflection = services.training_record_create(
        actor=engineer, data=_record(result="reflection", exam_score=None, reflection="學到了很多")
    )
    given = services.training_record_create(
        actor=engineer,
        data=_record(
            direction="given", result="none", exam_score=None, audience="East sales", attendee_count=12
        ),
    )
    assert reflection.result == "reflection"
    assert given.direction == "given" and given.person == engineer and given.attendee_count == 12


def test_r_kpi_1_a_record_links_a_plan_of_the_same_person_and_year(engineer, teammate, manager):
    plan = services.training_plan_create(
        actor=engineer, data={"year": _today().year, "title": "Cloud", "planned_hours": Decimal("40")}
    )
    other = services.training_plan_create(
        actor=manager, data={"person": teammate, "year": _today().year, "title": "Other", "planned_hours": 10}
    )
    old = services.training_plan_create(
        actor=engineer, data={"year": _today().year - 1, "title": "Old", "planned_hours": 10}
    )
    held_on = date(_today().year, 1, 1) if _today() != date(_today().year, 1, 1) else _today()
    services.training_record_create(actor=engineer, data=_record(plan=plan, held_on=held_on))
    for wrong in (other, old):
        with pytest.raises(DomainError) as exc:
            services.training_record_create(actor=engineer, data=_record(plan=wrong, held_on=held_on))
        assert "plan" in exc.value.fields
    # and the plan's year no longer moves once records are linked
    with pytest.raises(DomainError):
        services.training_plan_update(actor=engineer, plan=plan, data={"year": _today().year + 1})


def test_r_kpi_1_plan_rules(engineer, other_engineer):
    with pytest.raises(DomainError) as exc:
        services.training_plan_create(actor=engineer, data={"year": 1999, "title": "", "planned_hours": -1})
    assert "title" in exc.value.fields
    with pytest.raises(DomainError) as exc:
        services.training_plan_create(actor=engineer, data={"year": 1999, "title": "x", "planned_hours": -1})
    assert {"year", "planned_hours"} <= set(exc.value.fields)
    with pytest.raises(NotAllowed):
        services.training_plan_create(
            actor=engineer, data={"person": other_engineer, "year": 2026, "title": "x", "planned_hours": 1}
        )


def test_r_kpi_1_stale_update_is_refused(engineer):
    record = services.training_record_create(actor=engineer, data=_record())
    services.training_record_update(actor=engineer, record=record, data={"hours": Decimal("4")})
    with pytest.raises(DomainError) as exc:
        services.training_record_update(
            actor=engineer, record=record, data={"hours": Decimal("5")}, expected_version=1
        )
    assert exc.value.code == "stale"


def test_r_kpi_1_visibility(engineer, teammate, manager, other_engineer, admin, general_manager, sales_rep):
    mine = services.training_record_create(actor=engineer, data=_record())
    theirs = services.training_record_create(actor=other_engineer, data=_record())
    assert list(records_for(engineer)) == [mine]
    assert list(records_for(teammate)) == []
    assert list(records_for(manager)) == [mine]
    assert set(records_for(admin)) == {mine, theirs}
    assert set(records_for(general_manager)) == {mine, theirs}
    assert list(records_for(sales_rep)) == []


def test_r_kpi_1_hours_planned_against_taken_and_given(engineer):
    year = _today().year
    services.training_plan_create(
        actor=engineer, data={"year": year, "title": "A", "planned_hours": Decimal("40")}
    )
    services.training_record_create(actor=engineer, data=_record(hours=Decimal("8")))
    services.training_record_create(
        actor=engineer,
        data=_record(
            direction="given",
            result="none",
            exam_score=None,
            audience="Sales",
            attendee_count=5,
            hours=Decimal("2"),
        ),
    )
    held = _today() - timedelta(days=1)
    if held.year != year:
        pytest.skip("the first of January")
    assert hours_by_person([engineer.pk], year)[engineer.pk] == {
        "planned": Decimal("40"),
        "taken": Decimal("8"),
        "given": Decimal("2"),
    }


def test_r_kpi_1_records_url_for_the_scorecard(engineer):
    url = training_records_url(engineer.pk, Period.parse("2026-Q4"))
    assert url == f"/kpi/training/records/?person={engineer.pk}&held_from=2026-10-01&held_until=2027-01-01"
