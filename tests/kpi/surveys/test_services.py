"""Services of the surveys (R-POST-1, R-POST-3, R-POST-4, R-KPI-1)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core import mail
from django.utils import timezone

from bids.handoff import services as handoff_services
from bids.handoff.timers import SURVEY_KINDS
from bids.models import CustomerAcceptance
from kpi.models import ImprovementAction, Survey, SurveyAnswer, SurveyTemplate
from kpi.models.surveys import AnswerChannel, SurveyPurpose, SurveyStatus
from kpi.surveys import services
from kpi.surveys.defaults import ensure_default_templates
from kpi.surveys.timers import IMPROVEMENT_ACTION
from opportunities.services import opportunity_move
from presales.core.errors import Conflict, DomainError, NotAllowed
from presales.sla.models import Notification, Timer, TimerState
from tests.bids.handoff.conftest import sign
from tests.bids.handoff.test_services import _scan
from tests.factories import ContactFactory, OpportunityFactory
from tests.kpi.surveys.conftest import good_answers


def _timer(subject, kind):
    return Timer.objects.filter(
        subject_type=ContentType.objects.get_for_model(subject), subject_id=subject.pk, kind=kind
    ).first()


def test_default_templates_are_seeded_once():
    # given the migration seeded them / when seeded again
    made = ensure_default_templates()
    # then nothing more; each purpose has its default with the seed's questions
    assert made == 0
    service = SurveyTemplate.objects.get(purpose="presales_service", is_default=True)
    texts = [q.text_zh_hant for q in service.questions.all()]
    assert "您對服務質量是否滿意?" in texts and "有哪些改進建議?" in texts
    internal = SurveyTemplate.objects.get(purpose="internal", is_default=True)
    assert internal.questions.filter(kind="score", measure="collaboration").exists()


def test_r_post_4_survey_send_snapshots_questions_and_mails_the_link(survey, opportunity, contact):
    # then
    assert survey.status == SurveyStatus.SENT
    assert survey.rated_user == opportunity.presales_owner
    assert survey.team == opportunity.team
    assert survey.contact == contact
    assert [q["code"] for q in survey.questions][:1] == ["satisfaction"]
    assert survey.expires_at - survey.sent_at == timedelta(days=30)
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [contact.email]
    assert services.survey_token(survey) in mail.outbox[0].body


def test_r_post_4_survey_send_is_idempotent(survey, opportunity):
    again = services.survey_send(opportunity=opportunity, purpose=SurveyPurpose.PRESALES_SERVICE)
    assert again.pk == survey.pk
    assert Survey.objects.filter(opportunity=opportunity, purpose="presales_service").count() == 1


def test_r_post_4_without_contact_email_the_survey_waits_for_a_phone_interview(
    opportunity, engineer, django_capture_on_commit_callbacks
):
    # given a customer without any e-mail
    ContactFactory(customer=opportunity.customer, email="")
    # when
    with django_capture_on_commit_callbacks(execute=True):
        survey = services.survey_send(opportunity=opportunity, purpose=SurveyPurpose.PRESALES_SERVICE)
    # then sent, no channel, nothing mailed, the presales owner told
    assert survey.status == SurveyStatus.SENT and survey.channel == "" and survey.contact is None
    assert mail.outbox == []
    assert Notification.objects.filter(
        recipient=engineer, key__contains=f"survey:{survey.pk}:no-contact"
    ).exists()


@pytest.mark.parametrize("move", ["mark_lost", "abandon"])
def test_r_post_4_closing_lost_or_abandoned_sends_both_surveys(
    move, opportunity, contact, sales_rep, django_capture_on_commit_callbacks
):
    # when
    with django_capture_on_commit_callbacks(execute=True):
        opportunity_move(actor=sales_rep, opportunity=opportunity, move=move, reason="price")
    # then the customer is asked and the sales owner rates the engineer (R-KPI-1)
    service = Survey.objects.get(opportunity=opportunity, purpose="presales_service")
    internal = Survey.objects.get(opportunity=opportunity, purpose="internal")
    assert service.contact == contact
    assert internal.respondent == sales_rep
    assert [m.to for m in mail.outbox] == [[contact.email]]
    assert Notification.objects.filter(
        recipient=sales_rep, key__contains=f"survey:{internal.pk}:asked"
    ).exists()


def test_r_post_4_signing_the_contract_sends_both_surveys(
    opportunity, contact, sales_rep, approvers, django_capture_on_commit_callbacks
):
    # when the contract is signed (won)
    with django_capture_on_commit_callbacks(execute=True):
        sign(opportunity, sales_rep, approvers)
    # then
    assert Survey.objects.filter(opportunity=opportunity, purpose="presales_service").exists()
    assert Survey.objects.filter(opportunity=opportunity, purpose="internal", respondent=sales_rep).exists()
    assert any(contact.email in m.to for m in mail.outbox)


def _passed_acceptance(handoff, after_sales_engineer, days_ago=200):
    return handoff_services.acceptance_record(
        actor=after_sales_engineer,
        handoff=handoff,
        kind="service",
        data={"result": "passed", "accepted_on": timezone.localdate() - timedelta(days=days_ago)},
        scan=_scan(),
    )


def test_r_post_1_due_survey_timers_send_the_surveys_and_are_met(
    handoff, after_sales_engineer, contact, django_capture_on_commit_callbacks
):
    # given an acceptance 200 days ago: the 1, 3 and 6 month timers are all due
    acceptance = _passed_acceptance(handoff, after_sales_engineer)
    mail.outbox.clear()
    # when the beat task runs
    with django_capture_on_commit_callbacks(execute=True):
        sent = services.surveys_send_due(now=timezone.now())
    # then one survey per milestone, each timer met, each e-mailed with its link
    assert sent == 3
    surveys = Survey.objects.filter(acceptance=acceptance).order_by("milestone_months")
    assert [s.milestone_months for s in surveys] == [1, 3, 6]
    assert all(s.purpose == "after_acceptance" for s in surveys)
    for kind in SURVEY_KINDS.values():
        assert _timer(acceptance, kind).state == TimerState.SATISFIED
    assert len(mail.outbox) == 3
    assert all("/kpi/surveys/answer/" in m.body for m in mail.outbox)
    # and a second run sends nothing (idempotent)
    assert services.surveys_send_due(now=timezone.now()) == 0
    assert Survey.objects.filter(acceptance=acceptance).count() == 3


def test_r_post_1_timers_not_due_send_nothing(handoff, after_sales_engineer):
    # given an acceptance today: the surveys are months away
    acceptance = _passed_acceptance(handoff, after_sales_engineer, days_ago=0)
    # when
    sent = services.surveys_send_due(now=timezone.now())
    # then
    assert sent == 0
    assert _timer(acceptance, SURVEY_KINDS[1]).state == TimerState.OPEN


def test_r_post_1_survey_one_per_milestone_constraint(handoff, after_sales_engineer):
    acceptance = _passed_acceptance(handoff, after_sales_engineer)
    services.surveys_send_due(now=timezone.now())
    first = Survey.objects.get(acceptance=acceptance, milestone_months=1)
    again = services.survey_send(
        opportunity=handoff.opportunity,
        purpose=SurveyPurpose.AFTER_ACCEPTANCE,
        acceptance=CustomerAcceptance.objects.get(pk=acceptance.pk),
        milestone_months=1,
    )
    assert again.pk == first.pk


def test_r_post_3_answer_copies_the_kpi_fields(survey, opportunity):
    # when
    now = timezone.now()
    services.survey_answer(survey=survey, answers=good_answers(), channel=AnswerChannel.LINK, now=now)
    # then every answer row carries measure, rated engineer, team and time
    rows = {a.code: a for a in SurveyAnswer.objects.filter(survey=survey)}
    assert rows["satisfaction"].measure == "satisfaction" and rows["satisfaction"].score == 5
    assert rows["responsiveness"].measure == "collaboration"
    assert rows["solution_quality"].measure == "quality"
    assert all(r.rated_user_id == opportunity.presales_owner_id for r in rows.values())
    assert all(r.team_id == opportunity.team_id and r.answered_at == now for r in rows.values())
    assert not ImprovementAction.objects.exists()
    survey.refresh_from_db()
    assert survey.status == SurveyStatus.ANSWERED and survey.channel == "link"
    assert Notification.objects.filter(
        recipient=opportunity.presales_owner, key__contains=f"survey:{survey.pk}:answered"
    ).exists()


def test_r_post_3_score_2_opens_an_improvement_action_with_a_timer(survey, manager):
    # when a score of 2 is given
    services.survey_answer(survey=survey, answers=good_answers(satisfaction="2"), channel=AnswerChannel.LINK)
    # then one action, owned by the engineer's team manager, with its timer and notification
    action = ImprovementAction.objects.get(survey=survey)
    assert action.owner == manager
    assert action.due_on > timezone.localdate()
    timer = _timer(action, IMPROVEMENT_ACTION)
    assert timer.state == TimerState.OPEN and timer.owner == manager
    assert Notification.objects.filter(
        recipient=manager, key__contains=f"improvement-action:{action.pk}"
    ).exists()
    # and closing it meets the timer
    with pytest.raises(DomainError):
        services.improvement_action_close(actor=manager, action=action, resolution=" ")
    services.improvement_action_close(actor=manager, action=action, resolution="Coached the engineer")
    action.refresh_from_db()
    assert action.status == "done" and action.closed_by == manager
    assert _timer(action, IMPROVEMENT_ACTION).state == TimerState.SATISFIED
    with pytest.raises(Conflict):
        services.improvement_action_close(actor=manager, action=action, resolution="again")


def test_r_post_3_score_3_opens_no_action(survey):
    services.survey_answer(
        survey=survey, answers=good_answers(satisfaction="3", responsiveness="3"), channel=AnswerChannel.LINK
    )
    assert not ImprovementAction.objects.exists()


def test_r_post_3_action_owner_is_the_engineer_without_a_manager(opportunity, contact, engineer):
    # given the team has no manager
    survey = services.survey_send(opportunity=opportunity, purpose=SurveyPurpose.PRESALES_SERVICE)
    services.survey_answer(survey=survey, answers=good_answers(satisfaction="1"), channel=AnswerChannel.LINK)
    assert ImprovementAction.objects.get(survey=survey).owner == engineer


def test_r_post_3_other_user_cannot_close_an_action(survey, other_engineer):
    services.survey_answer(survey=survey, answers=good_answers(satisfaction="1"), channel=AnswerChannel.LINK)
    action = ImprovementAction.objects.get(survey=survey)
    with pytest.raises(NotAllowed):
        services.improvement_action_close(actor=other_engineer, action=action, resolution="x")


@pytest.mark.parametrize(
    "answers, field",
    [
        (good_answers(satisfaction="6"), "satisfaction"),
        (good_answers(satisfaction="0"), "satisfaction"),
        (good_answers(satisfaction="abc"), "satisfaction"),
        ({"responsiveness": "4", "solution_quality": "4"}, "satisfaction"),
        (good_answers(unknown="1"), "unknown"),
    ],
)
def test_bad_answers_are_refused_with_field_errors(survey, answers, field):
    with pytest.raises(DomainError) as exc:
        services.survey_answer(survey=survey, answers=answers, channel=AnswerChannel.LINK)
    assert field in exc.value.fields
    assert not SurveyAnswer.objects.exists()


def test_r_post_3_phone_interview_is_marked(survey, engineer):
    # when staff enter a phone interview
    services.survey_answer(
        survey=survey,
        answers=good_answers(),
        channel=AnswerChannel.PHONE,
        actor=engineer,
        comment="Called Mr Wang",
    )
    # then
    survey.refresh_from_db()
    assert survey.channel == "phone" and survey.entered_by == engineer and survey.comment == "Called Mr Wang"
    # and it is answered once
    with pytest.raises(Conflict):
        services.survey_answer(
            survey=survey, answers=good_answers(), channel=AnswerChannel.PHONE, actor=engineer
        )


def test_phone_entry_refused_outside_the_opportunity(survey, other_engineer):
    with pytest.raises(NotAllowed):
        services.survey_answer(
            survey=survey, answers=good_answers(), channel=AnswerChannel.PHONE, actor=other_engineer
        )


def test_r_kpi_1_internal_rating_by_the_sales_owner_only(opportunity, sales_rep, engineer):
    services.survey_on_closed(opportunity=opportunity, actor=sales_rep)
    internal = Survey.objects.get(opportunity=opportunity, purpose="internal")
    with pytest.raises(NotAllowed):
        services.survey_answer(
            survey=internal, answers={"collaboration": "4"}, channel=AnswerChannel.IN_APP, actor=engineer
        )
    services.survey_answer(
        survey=internal,
        answers={"collaboration": "4", "comment": "Quick"},
        channel=AnswerChannel.IN_APP,
        actor=sales_rep,
    )
    answer = SurveyAnswer.objects.get(survey=internal, code="collaboration")
    assert answer.measure == "collaboration" and answer.rated_user == engineer and answer.score == 4


def test_reminder_once_then_expiry(survey, django_capture_on_commit_callbacks):
    mail.outbox.clear()
    # when 8 days passed
    later = survey.sent_at + timedelta(days=8)
    with django_capture_on_commit_callbacks(execute=True):
        first = services.surveys_remind_and_expire(now=later)
    with django_capture_on_commit_callbacks(execute=True):
        second = services.surveys_remind_and_expire(now=later + timedelta(days=8))
    # then one reminder only
    assert first == {"reminded": 1, "expired": 0}
    assert second == {"reminded": 0, "expired": 0}
    assert len(mail.outbox) == 1 and "Reminder" in mail.outbox[0].subject
    survey.refresh_from_db()
    assert survey.reminded_at == later
    # and after 30 days it expires
    assert services.surveys_remind_and_expire(now=survey.expires_at)["expired"] == 1
    survey.refresh_from_db()
    assert survey.status == SurveyStatus.EXPIRED


def test_revoke_and_resend(survey, engineer, django_capture_on_commit_callbacks):
    old_token = services.survey_token(survey)
    services.survey_revoke(actor=engineer, survey=survey)
    survey.refresh_from_db()
    assert survey.status == SurveyStatus.REVOKED
    with pytest.raises(services.LinkRefused):
        services.survey_for_token(old_token)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.survey_resend(actor=engineer, survey=survey)
    survey.refresh_from_db()
    assert survey.status == SurveyStatus.SENT
    assert services.survey_token(survey) in mail.outbox[0].body
    assert services.survey_for_token(services.survey_token(survey)).pk == survey.pk


def test_revoke_refused_to_other_team(survey, other_engineer):
    with pytest.raises(NotAllowed):
        services.survey_revoke(actor=other_engineer, survey=survey)


def test_templates_are_edited_by_admins_only(engineer, make_user):
    from presales.core.roles import Role

    data = {
        "name": "Short",
        "purpose": "presales_service",
        "questions": [
            {
                "code": "q1",
                "kind": "score",
                "measure": "satisfaction",
                "text_en": "Q",
                "text_zh_hans": "Q",
                "text_zh_hant": "Q",
            }
        ],
    }
    with pytest.raises(NotAllowed):
        services.survey_template_save(actor=engineer, data=data)
    admin = make_user(Role.ADMIN, username="admin_t")
    template = services.survey_template_save(actor=admin, data=data)
    assert template.questions.count() == 1


def test_sent_survey_keeps_its_questions_when_the_template_changes(survey):
    template = survey.template
    template.questions.filter(code="satisfaction").update(text_en="Changed")
    survey.refresh_from_db()
    assert survey.questions[0]["text_en"] != "Changed"


def test_opportunity_factory_unused_guard():
    # the factory is importable for the API builders
    assert OpportunityFactory is not None
