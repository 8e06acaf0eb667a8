"""Scorecards' rules through the services (R-KPI-2): templates whose weights total 100, the
header copied at creation, the lifecycle (draft → rated → shared → signed), the frozen
snapshot, who may do what, and the notifications."""

from __future__ import annotations

from decimal import Decimal

import pytest

from kpi.models.scorecards import Scorecard, ScorecardTemplate
from kpi.scorecards import services
from kpi.scorecards.defaults import default_template_items
from presales.core.errors import Conflict, DomainError, GateRefused, NotAllowed, NotFound
from presales.sla.models import Notification
from tests.kpi.scorecards.conftest import ALL_RATINGS, at, closed_opportunity, survey_answer

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("kind", ["month", "quarter", "year"])
def test_default_templates_total_100_with_80_20_sections_R_KPI_2(kind):
    # given / when
    items = default_template_items(kind)
    # then
    assert sum(item["weight"] for item in items) == 100
    key = sum(item["weight"] for item in items if item["section"] == "key_indicators")
    assert key == (70 if kind == "year" else 80)
    sections = {item["section"] for item in items}
    assert ({"ability", "development"} <= sections) == (kind == "year")


def test_ensure_default_templates_is_idempotent_R_KPI_2(templates):
    # given: the data migration already seeded them
    count = ScorecardTemplate.objects.count()
    # when
    services.ensure_default_scorecard_templates()
    # then
    assert ScorecardTemplate.objects.count() == count >= 6


def test_a_template_whose_weights_do_not_total_100_is_refused_R_KPI_2(make_user):
    # given
    admin = make_user("admin")
    items = [
        {
            "section": "key_indicators",
            "code": "s",
            "label": "成功率",
            "indicator_key": "success_rate",
            "weight": 70,
            "target": 40,
        },
        {"section": "work_performance", "code": "a", "label": "工作态度", "weight": 20},
    ]
    # when / then
    with pytest.raises(DomainError) as refused:
        services.scorecard_template_create(
            actor=admin, name="T", audience="presales_engineer", period_kind="month", items=items
        )
    assert "items" in refused.value.fields
    assert not ScorecardTemplate.objects.filter(name="T").exists()


def test_a_template_naming_an_unknown_indicator_is_refused_R_KPI_2(make_user):
    admin = make_user("admin")
    items = [{"section": "key_indicators", "code": "x", "label": "X", "indicator_key": "nope", "weight": 100}]
    with pytest.raises(DomainError):
        services.scorecard_template_create(
            actor=admin, name="T", audience="presales_engineer", period_kind="month", items=items
        )


def test_only_an_admin_configures_templates_R_KPI_2(manager):
    with pytest.raises(NotAllowed):
        services.scorecard_template_create(
            actor=manager,
            name="T",
            audience="presales_engineer",
            period_kind="month",
            items=default_template_items("month"),
        )


def test_the_header_is_copied_at_creation_R_KPI_2(scorecard, engineer, team):
    # given / when: created by the fixture; then the engineer moves
    engineer.team = None
    engineer.save()
    scorecard.refresh_from_db()
    # then
    assert scorecard.team == team
    assert scorecard.department == "Presales"
    assert scorecard.position == "Presales engineer"
    assert scorecard.person_name == str(engineer)
    assert scorecard.status == "draft"
    assert len(scorecard.items) == 9


def test_a_manager_may_not_create_for_another_team_R_KPI_2(monthly, manager, other_engineer):
    with pytest.raises(NotAllowed):
        services.scorecard_create(actor=manager, person=other_engineer, template=monthly, period="2026-11")


def test_a_template_for_another_kind_of_period_is_refused_R_KPI_2(monthly, manager, engineer):
    with pytest.raises(DomainError) as refused:
        services.scorecard_create(actor=manager, person=engineer, template=monthly, period="2026-Q4")
    assert "period" in refused.value.fields


def test_a_second_scorecard_for_the_same_period_is_a_conflict_R_KPI_2(scorecard, monthly, manager, engineer):
    with pytest.raises(Conflict):
        services.scorecard_create(actor=manager, person=engineer, template=monthly, period="2026-11")


def test_ratings_are_checked_on_their_scale_R_KPI_2(scorecard, manager):
    with pytest.raises(DomainError) as refused:
        services.scorecard_rate(actor=manager, scorecard=scorecard, ratings={"attitude": 6})
    assert "attitude" in refused.value.fields
    with pytest.raises(DomainError):
        services.scorecard_rate(actor=manager, scorecard=scorecard, ratings={"unknown": 3})


def test_sharing_needs_every_work_item_rated_R_KPI_2(scorecard, manager):
    # given: one item rated
    services.scorecard_rate(actor=manager, scorecard=scorecard, ratings={"attitude": 4})
    # when / then
    with pytest.raises(GateRefused):
        services.scorecard_share(actor=manager, scorecard=scorecard)


def test_the_person_may_not_rate_or_sign_their_own_R_KPI_2(scorecard, engineer):
    with pytest.raises(NotAllowed):
        services.scorecard_rate(actor=engineer, scorecard=scorecard, ratings=ALL_RATINGS)


def test_the_lifecycle_tells_the_person_and_the_manager_R_KPI_2(scorecard, manager, engineer):
    # given
    services.scorecard_rate(actor=manager, scorecard=scorecard, ratings=ALL_RATINGS, manager_comment="好")
    # when: shared, commented by the engineer, signed
    services.scorecard_share(actor=manager, scorecard=scorecard)
    services.scorecard_comment(actor=engineer, scorecard=scorecard, body="谢谢，我同意。")
    signed = services.scorecard_sign(actor=manager, scorecard=scorecard)
    # then
    assert signed.status == "signed" and signed.snapshot is not None
    to_engineer = set(Notification.objects.filter(recipient=engineer).values_list("key", flat=True))
    to_manager = set(Notification.objects.filter(recipient=manager).values_list("key", flat=True))
    assert {
        f"scorecard:{scorecard.pk}:shared:to:{engineer.pk}",
        f"scorecard:{scorecard.pk}:signed:to:{engineer.pk}",
    } <= to_engineer
    assert any(key.startswith(f"scorecard:{scorecard.pk}:comment:") for key in to_manager)


def test_the_person_comments_only_once_shared_R_KPI_2(scorecard, engineer):
    with pytest.raises(NotFound):
        services.scorecard_comment(actor=engineer, scorecard=scorecard, body="?")


def _signed(scorecard, manager):
    services.scorecard_rate(actor=manager, scorecard=scorecard, ratings=ALL_RATINGS)
    services.scorecard_share(actor=manager, scorecard=scorecard)
    return services.scorecard_sign(actor=manager, scorecard=scorecard)


def test_a_signed_scorecard_keeps_its_figures_whatever_happens_later_R_KPI_2(
    scorecard, manager, engineer, team
):
    # given: one deal won and one satisfaction answer in November, then sign-off
    closed_opportunity(team=team, owner=engineer, stage="handoff", closed=at(3))
    survey_answer(person=engineer, measure="satisfaction", score=4, answered=at(4))
    signed = _signed(scorecard, manager)
    before = services.scorecard_figures(signed)
    lines = {line["code"]: line for line in before["lines"]}
    assert lines["success_rate"]["value"] == "100.00"
    assert lines["success_rate"]["numerator"] == "1.00" and lines["success_rate"]["denominator"] == "1.00"
    assert lines["customer_satisfaction"]["value"] == "4.00"
    assert lines["solution_quality"]["value"] is None  # no data, not 0
    assert lines["success_rate"]["definition"]
    # when: new records of November arrive
    closed_opportunity(team=team, owner=engineer, stage="lost", closed=at(5))
    survey_answer(person=engineer, measure="satisfaction", score=1, answered=at(6))
    # then: the scorecard shows what was signed; the live figures have moved
    signed.refresh_from_db()
    assert services.scorecard_figures(signed) == before
    assert {line["code"]: line for line in services.live_figures(signed)["lines"]}["success_rate"][
        "value"
    ] == "50.00"


def test_the_total_adds_weighted_scores_R_KPI_2(scorecard, manager, engineer, team):
    # given: success 1/1 (100 % ≥ target 40 → 100 points × 30 %), satisfaction 4/5 → 80 × 15 %
    closed_opportunity(team=team, owner=engineer, stage="handoff", closed=at(3))
    survey_answer(person=engineer, measure="satisfaction", score=4, answered=at(4))
    # ratings 5, 4, 4, 3 → 100, 80, 80, 60 points × 5 % each
    signed = _signed(scorecard, manager)
    # then: 30 + 12 + 5 + 4 + 4 + 3 = 58
    assert signed.total_score == Decimal("58.00")
    assert signed.snapshot["sections"]["key_indicators"]["score"] == "42.00"
    assert signed.snapshot["sections"]["work_performance"]["score"] == "16.00"


def test_a_signed_scorecard_refuses_every_change_R_KPI_2(scorecard, manager, engineer):
    signed = _signed(scorecard, manager)
    for call in (
        lambda: services.scorecard_rate(actor=manager, scorecard=signed, ratings={"attitude": 1}),
        lambda: services.scorecard_share(actor=manager, scorecard=signed),
        lambda: services.scorecard_sign(actor=manager, scorecard=signed),
        lambda: services.scorecard_comment(actor=manager, scorecard=signed, body="late"),
        lambda: services.scorecard_comment(actor=engineer, scorecard=signed, body="late"),
    ):
        with pytest.raises(Conflict):
            call()
    assert Scorecard.objects.get(pk=signed.pk).version == signed.version


def test_visibility_engineer_own_once_shared_manager_team_gm_all_R_KPI_2(
    scorecard, manager, engineer, other_engineer, general_manager, make_user, other_team, no_role_user
):
    # given: a draft for the engineer
    other_manager = make_user("presales_manager", team=other_team)
    colleague = make_user("presales_engineer", team=engineer.team)

    def sees(user):
        return Scorecard.objects.visible_to(user).filter(pk=scorecard.pk).exists()

    # then: a draft is for the manager (and GM) only
    assert sees(manager) and sees(general_manager)
    assert not sees(engineer) and not sees(other_engineer) and not sees(other_manager) and not sees(colleague)
    assert not sees(no_role_user)
    # when shared, the engineer sees it, nobody else new
    services.scorecard_rate(actor=manager, scorecard=scorecard, ratings=ALL_RATINGS)
    services.scorecard_share(actor=manager, scorecard=scorecard)
    assert sees(engineer) and not sees(colleague) and not sees(other_manager)


def test_the_admin_cannot_change_a_scorecard_R_KPI_2(client, scorecard, manager):
    """Bypass: the admin is a read-only look-up; every change goes through the services."""
    from tests.factories import UserFactory

    superuser = UserFactory(roles=["admin"], is_staff=True, is_superuser=True)
    client.force_login(superuser)
    url = f"/admin/kpi/scorecard/{scorecard.pk}/change/"
    assert client.get(url).status_code == 200
    response = client.post(url, {"manager_comment": "changed"})
    scorecard.refresh_from_db()
    assert response.status_code == 403 and scorecard.manager_comment == ""
