"""Retrospectives (R-POST-2) through the real services: made when the opportunity is won (the
contract signed), lost or abandoned, with their ``retrospective_due`` timer; the hold gate
(reasons, lessons, a presales attendee); the success case proposed only for a won and
accepted project, and the customer's consent."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.contenttypes.models import ContentType
from django.utils import timezone

from kpi.models import Retrospective
from kpi.retrospectives import services
from kpi.retrospectives.selectors import proposed_success_cases, retrospectives_url
from kpi.retrospectives.timers import RETROSPECTIVE_DUE
from presales.core.errors import DomainError, GateRefused, NotAllowed
from presales.sla.calendar import company_tz, compute_due
from presales.sla.models import Timer, TimerState
from presales.sla.selectors import active_policy
from tests.factories import OpportunityFactory, ProjectMemberFactory
from tests.kpi.retrospectives.conftest import accept, close

pytestmark = pytest.mark.django_db


def _timer(retrospective):
    return Timer.objects.filter(
        subject_type=ContentType.objects.get_for_model(Retrospective),
        subject_id=retrospective.pk,
        kind=RETROSPECTIVE_DUE,
    ).first()


@pytest.mark.parametrize("move", ["mark_lost", "abandon"])
def test_r_post_2_a_lost_or_abandoned_close_makes_the_retrospective_with_its_timer(
    opportunity, sales_rep, engineer, move
):
    # given an open opportunity
    # when it is closed through the lifecycle service
    close(opportunity, sales_rep, move)
    # then its retrospective is due, with the close's reason, note and competitor copied
    retro = Retrospective.objects.get(opportunity=opportunity)
    assert retro.outcome == {"mark_lost": "lost", "abandon": "abandoned"}[move]
    assert retro.status == "due"
    assert retro.close_reason == "price"
    assert retro.reasons == "預算被砍"
    assert retro.competitor_name == "ACME 科技"
    assert retro.competitor is not None and retro.competitor.name == "ACME 科技"  # its record (R-COMP-1)
    assert not retro.success_case_proposed
    # and the timer runs for the presales owner, 10 working days by default
    timer = _timer(retro)
    assert timer.state == TimerState.OPEN and timer.owner == engineer
    assert timer.policy["limit_value"] == 10 and timer.policy["limit_unit"] == "working_days"
    assert timer.due_at == compute_due(active_policy(RETROSPECTIVE_DUE), retro.closed_at)
    assert retro.due_on == timezone.localtime(timer.due_at, company_tz()).date()


def test_r_post_2_signing_the_contract_makes_a_won_retrospective(won, opportunity, engineer):
    # given a contract signed through the contract services (the won end; the handoff move
    # follows it)
    # then a won retrospective is due with its timer
    retro = Retrospective.objects.get(opportunity=opportunity)
    assert retro.outcome == "won" and retro.status == "due"
    assert _timer(retro).owner == engineer
    # and no success case is proposed before the customer accepts
    assert not retro.success_case_proposed


def test_r_post_2_a_won_and_accepted_project_is_proposed_as_a_success_case(won, opportunity, sales_rep):
    # when the customer's acceptance passes (bids.hooks.register_on_accepted)
    accept(won, sales_rep)
    # then the retrospective proposes a success case, consent not asked yet
    retro = Retrospective.objects.get(opportunity=opportunity)
    assert retro.success_case_proposed
    assert retro.customer_consent == "unknown"


def test_r_post_2_a_lost_project_is_never_proposed(lost, sales_rep):
    # then a lost deal's retrospective proposes nothing, and consent cannot be recorded
    assert not lost.success_case_proposed
    with pytest.raises(DomainError) as exc:
        services.retrospective_record_consent(actor=sales_rep, retrospective=lost, consent="given")
    assert exc.value.code == "not_proposed"


def test_r_post_2_the_close_refuses_nothing_and_makes_one_retrospective(lost, opportunity, sales_rep):
    # when the hook runs again (a retried close)
    services.retrospective_on_closed(opportunity=opportunity, actor=sales_rep)
    # then there is still one retrospective and one timer
    assert Retrospective.objects.filter(opportunity=opportunity).count() == 1
    assert Timer.objects.filter(kind=RETROSPECTIVE_DUE).count() == 1


def test_r_post_2_hold_is_refused_without_a_presales_attendee(lost, sales_rep, engineer):
    # given the minutes written but only sales attending
    services.retrospective_update(
        actor=sales_rep,
        retrospective=lost,
        data={"lessons": "Price earlier", "went_well": "Demo"},
        attendees=[sales_rep],
    )
    # when it is recorded as held
    with pytest.raises(GateRefused) as exc:
        services.retrospective_hold(actor=sales_rep, retrospective=lost)
    # then it is refused, naming presales, and nothing changed
    assert any("Presales attends" in str(r) for r in exc.value.reasons)
    lost.refresh_from_db()
    assert lost.status == "due" and lost.held_on is None
    assert _timer(lost).state == TimerState.OPEN


def test_r_post_2_hold_lists_every_missing_item(opportunity, sales_rep):
    # given a retrospective with no reasons, no lessons, no attendees
    opportunity.close_note = ""
    retro = Retrospective.objects.create(
        opportunity=opportunity, outcome="won", closed_at=timezone.now(), due_on=timezone.localdate()
    )
    # then the gate names the three missing items
    with pytest.raises(GateRefused) as exc:
        services.retrospective_hold(actor=sales_rep, retrospective=retro)
    assert len(exc.value.reasons) == 3


def test_r_post_2_hold_with_the_presales_owner_meets_the_timer(lost, sales_rep, engineer):
    # given the lessons and the presales owner attending
    services.retrospective_update(
        actor=sales_rep,
        retrospective=lost,
        data={"lessons": "Qualify budget"},
        attendees=[sales_rep, engineer],
    )
    # when it is held
    retro = services.retrospective_hold(actor=sales_rep, retrospective=lost)
    # then it is held today by the actor and the timer is satisfied
    assert retro.status == "held" and retro.held_on == timezone.localdate() and retro.held_by == sales_rep
    assert _timer(retro).state == TimerState.SATISFIED
    # and it cannot be held twice
    with pytest.raises(DomainError):
        services.retrospective_hold(actor=sales_rep, retrospective=retro)
    # and the presales attendee cannot be removed afterwards
    with pytest.raises(GateRefused):
        services.retrospective_update(actor=sales_rep, retrospective=retro, data={}, attendees=[sales_rep])


def test_r_post_2_a_presales_engineer_of_the_project_counts_as_presales(
    lost, opportunity, sales_rep, make_user, team
):
    # given a presales engineer of the project team (not the owner) attending
    helper = make_user("presales_engineer", team=team, username="helper")
    ProjectMemberFactory(opportunity=opportunity, user=helper, role="presales_engineer")
    services.retrospective_update(
        actor=sales_rep, retrospective=lost, data={"lessons": "x"}, attendees=[helper]
    )
    # then the retrospective is held
    assert services.retrospective_hold(actor=sales_rep, retrospective=lost).status == "held"


def test_r_post_2_a_future_held_date_is_refused(lost, sales_rep, engineer):
    services.retrospective_update(
        actor=sales_rep, retrospective=lost, data={"lessons": "x"}, attendees=[engineer]
    )
    with pytest.raises(DomainError) as exc:
        services.retrospective_hold(
            actor=sales_rep, retrospective=lost, held_on=timezone.localdate() + timedelta(days=1)
        )
    assert "held_on" in exc.value.fields


def test_r_post_2_only_who_works_the_opportunity_changes_it(lost, other_engineer, manager):
    # another team's engineer may not; the team's manager may
    with pytest.raises(NotAllowed):
        services.retrospective_update(actor=other_engineer, retrospective=lost, data={"lessons": "x"})
    services.retrospective_update(actor=manager, retrospective=lost, data={"lessons": "x"})


def test_r_post_2_unknown_fields_and_stale_versions_are_refused(lost, sales_rep):
    with pytest.raises(DomainError) as exc:
        services.retrospective_update(actor=sales_rep, retrospective=lost, data={"status": "held"})
    assert "status" in exc.value.fields
    services.retrospective_update(actor=sales_rep, retrospective=lost, data={"lessons": "x"})
    with pytest.raises(DomainError) as exc:
        services.retrospective_update(
            actor=sales_rep, retrospective=lost, data={"lessons": "y"}, expected_version=lost.version
        )
    assert exc.value.code == "stale"


def test_r_post_2_consent_given_needs_a_summary_and_feeds_the_knowledge_base(
    won, opportunity, sales_rep, other_engineer, engineer
):
    # given a won and accepted project
    accept(won, sales_rep)
    retro = Retrospective.objects.get(opportunity=opportunity)
    # when consent is given without a summary, then it is refused
    with pytest.raises(DomainError) as exc:
        services.retrospective_record_consent(actor=sales_rep, retrospective=retro, consent="given")
    assert "summary" in exc.value.fields
    assert list(proposed_success_cases(engineer)) == []
    # when it is given with the summary
    services.retrospective_record_consent(
        actor=sales_rep, retrospective=retro, consent="given", note="郵件同意", summary="智慧工廠案例"
    )
    # then the knowledge base's selector offers it to who sees the opportunity only
    assert list(proposed_success_cases(engineer)) == [retro]
    assert list(proposed_success_cases(other_engineer)) == []
    # and it is a draft solution case of the knowledge base (R-KB-1), linked to its project
    retro.refresh_from_db()
    article = retro.case_article
    assert article is not None and article.kind == "solution_case" and article.status == "draft"
    assert (
        article.opportunity == opportunity and article.customer_consent and article.summary == "智慧工廠案例"
    )
    assert article.industry == opportunity.customer.industry
    # and a refusal takes it out again
    services.retrospective_record_consent(actor=sales_rep, retrospective=retro, consent="refused")
    assert list(proposed_success_cases(engineer)) == []
    # a second consent does not make a second article
    services.retrospective_record_consent(actor=sales_rep, retrospective=retro, consent="given")
    retro.refresh_from_db()
    assert retro.case_article == article


def test_r_post_2_bad_consent_value_is_a_400(won, opportunity, sales_rep):
    accept(won, sales_rep)
    retro = Retrospective.objects.get(opportunity=opportunity)
    with pytest.raises(DomainError) as exc:
        services.retrospective_record_consent(actor=sales_rep, retrospective=retro, consent="maybe")
    assert "consent" in exc.value.fields


def test_r_post_2_signed_then_lost_keeps_one_retrospective_with_the_last_outcome(won, opportunity, sales_rep):
    # given a signed contract whose deal then falls through before the handoff
    opportunity.refresh_from_db()
    close(opportunity, sales_rep)
    # then the one retrospective follows the last close
    retro = Retrospective.objects.get(opportunity=opportunity)
    assert retro.outcome == "lost"
    assert Timer.objects.filter(kind=RETROSPECTIVE_DUE).count() == 1


def test_r_post_2_list_url_for_scorecards(engineer):
    url = retrospectives_url(
        presales_owner=engineer.pk, closed_from=timezone.localdate(), closed_until=timezone.localdate()
    )
    assert url.startswith("/kpi/retrospectives/?presales_owner=")
    assert "closed_from=" in url and "closed_until=" in url


def test_r_post_2_other_opportunities_are_untouched(lost):
    assert Retrospective.objects.count() == 1
    OpportunityFactory()
    assert Retrospective.objects.count() == 1
