"""Write use cases of the satisfaction surveys (R-POST-1, R-POST-3, R-POST-4) and the internal
collaboration rating (R-KPI-1).

- ``survey_send``: one survey of a purpose about an opportunity (the questions copied from the
  default template, the engineer rated and the team fixed at sending), its link e-mailed to a
  customer contact after commit. Idempotent: the database holds one survey per acceptance
  milestone and one presales-service / internal survey per opportunity.
- ``surveys_send_due`` (beat, R-POST-1): the survey of every due survey timer, the timer met;
  the one reminder; expiry. ``survey_on_signed`` / ``survey_on_closed`` (R-POST-4): hooks.
- ``survey_answer``: the answers (link, phone interview, in the application), copied with the
  measure, rated engineer, team and time the KPI aggregates; a score of 2 or less opens an
  improvement action (R-POST-3). ``survey_revoke`` / ``survey_resend``;
  ``improvement_action_close``.

Locks: the opportunity (opportunities/locks.py, step 1), then the survey, then its actions and
their timers (leaves). The link's token is signed (``django.core.signing``, its own salt) over
the survey's id and nonce: a new nonce (revoke, resend) kills every earlier link.
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import Mapping
from datetime import datetime, timedelta
from functools import partial
from typing import Any

from django.conf import settings
from django.core import signing
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import Case, IntegerField, Value, When
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from bids.handoff.timers import SURVEY_KINDS
from kpi.models import ImprovementAction, Survey, SurveyAnswer, SurveyTemplate
from kpi.models.surveys import (
    ActionStatus,
    AnswerChannel,
    QuestionKind,
    SurveyPurpose,
    SurveyStatus,
    localized,
)
from kpi.surveys import notifications
from kpi.surveys.timers import IMPROVEMENT_ACTION
from leads.models import Contact
from opportunities.locks import lock_opportunity
from opportunities.models import Opportunity
from opportunities.permissions import can_work_opportunity
from presales.accounts.models import User
from presales.core.errors import Conflict, DomainError, NotAllowed, NotFound
from presales.core.errors import LinkRefused as BaseLinkRefused
from presales.core.writes import check_version, save_as
from presales.sla.calendar import compute_due
from presales.sla.delivery import absolute_url
from presales.sla.models import Timer, TimerState
from presales.sla.selectors import active_policy
from presales.sla.services import timer_satisfy, timer_start

logger = logging.getLogger(__name__)

TOKEN_SALT = "kpi.surveys.answer-link"
LOW_SCORE = 2  # R-POST-3: an answer of 2 or less opens an improvement action
BATCH = 200
MONTHS_OF_KIND = {kind: months for months, kind in SURVEY_KINDS.items()}
# Who among a customer's contacts is asked first when the opportunity names nobody.
ROLE_PREFERENCE = ("decision_maker", "influencer", "technical_evaluator", "purchaser", "user", "other")


def link_days() -> int:
    return int(getattr(settings, "SURVEY_LINK_DAYS", 30))


def reminder_days() -> int:
    return int(getattr(settings, "SURVEY_REMINDER_DAYS", 7))


# --- the link ------------------------------------------------------------------------------


def survey_token(survey: Survey) -> str:
    """The link's credential: signed, single-purpose (its salt), naming the survey and nonce."""
    return signing.Signer(salt=TOKEN_SALT).sign_object([survey.pk, survey.nonce])


def survey_link(survey: Survey) -> str:
    return absolute_url(reverse("kpi:surveys:answer", args=[survey_token(survey)]))


class LinkRefused(BaseLinkRefused):
    """The answer link opens nothing: tampered or unknown (404), or expired, revoked, answered
    or replaced by a newer link (``gone``, 410) without saying which survey it was."""

    default_message = gettext_lazy("This survey link is not valid (any more).")


def survey_for_token(token: str, *, now: datetime | None = None, lock: bool = False) -> Survey:
    """The open survey the link names, or :class:`LinkRefused`."""
    now = now or timezone.now()
    if not token or len(token) > 200:
        raise LinkRefused()
    try:
        pk, nonce = signing.Signer(salt=TOKEN_SALT).unsign_object(token)
        pk = int(pk)
    except (signing.BadSignature, ValueError, TypeError):
        raise LinkRefused() from None
    queryset = Survey.objects.select_related("opportunity", "rated_user", "template")
    if lock:
        queryset = queryset.select_for_update(of=("self",))
    survey = queryset.filter(pk=pk).first()
    if survey is None or survey.purpose == SurveyPurpose.INTERNAL:
        raise LinkRefused()
    if not secrets.compare_digest(str(nonce), survey.nonce):
        raise LinkRefused(gone=True)
    if survey.status != SurveyStatus.SENT or (survey.expires_at is not None and survey.expires_at <= now):
        raise LinkRefused(gone=True)
    return survey


# --- sending -------------------------------------------------------------------------------


def survey_contact(opportunity: Opportunity) -> Contact | None:
    """The customer contact asked: the one the after-sales owner was introduced to (the
    handoff), else the one who confirmed the needs list (the latest request), else the
    customer's contact with an e-mail by buying role (decision maker first), then the oldest."""
    from bids.models import Handoff
    from proposals.models import ConfirmationRequest

    handoff = (
        Handoff.objects.filter(opportunity=opportunity, informed_contact__isnull=False)
        .exclude(informed_contact__email="")
        .select_related("informed_contact")
        .order_by("-pk")
        .first()
    )
    if handoff is not None:
        return handoff.informed_contact
    request = (
        ConfirmationRequest.objects.filter(opportunity=opportunity)
        .exclude(contact__email="")
        .select_related("contact")
        .order_by("-pk")
        .first()
    )
    if request is not None and request.contact.customer_id == opportunity.customer_id:
        return request.contact
    rank = Case(
        *[When(decision_role=role, then=Value(i)) for i, role in enumerate(ROLE_PREFERENCE)],
        default=Value(len(ROLE_PREFERENCE)),
        output_field=IntegerField(),
    )
    return (
        Contact.objects.filter(customer_id=opportunity.customer_id)
        .exclude(email="")
        .annotate(rank=rank)
        .order_by("rank", "pk")
        .first()
    )


def default_template(purpose: str) -> SurveyTemplate | None:
    template = (
        SurveyTemplate.objects.filter(purpose=purpose, is_default=True, is_active=True)
        .prefetch_related("questions")
        .first()
    )
    if template is None:  # no default: the newest active one
        template = (
            SurveyTemplate.objects.filter(purpose=purpose, is_active=True)
            .prefetch_related("questions")
            .order_by("-pk")
            .first()
        )
    return template


def _existing(opportunity: Opportunity, purpose: str, acceptance: Any, months: int | None) -> Survey | None:
    if acceptance is not None:
        return Survey.objects.filter(acceptance=acceptance, milestone_months=months).first()
    if purpose in (SurveyPurpose.PRESALES_SERVICE, SurveyPurpose.INTERNAL):
        return Survey.objects.filter(opportunity=opportunity, purpose=purpose).first()
    return None


@transaction.atomic
def survey_send(
    *,
    opportunity: Opportunity,
    purpose: str,
    acceptance: Any = None,
    milestone_months: int | None = None,
    respondent: User | None = None,
    actor: User | None = None,
    now: datetime | None = None,
) -> Survey | None:
    """Send the default template of ``purpose`` about ``opportunity`` (R-POST-1, R-POST-4,
    R-KPI-1); called by the beat task and the close hooks (the system decides, so no permission
    is checked; staff resend through :func:`survey_resend`). The questions are copied; the rated
    engineer is the presales owner, the team the opportunity's. A customer survey is e-mailed
    after commit to :func:`survey_contact`; without one it is still made (status sent, nothing
    e-mailed) and the presales owner is told to call. The internal survey goes to
    ``respondent`` (the sales owner) as a bell notification. Returns the survey already sent
    for the same milestone / opportunity unchanged; None when no template exists."""
    now = now or timezone.now()
    existing = _existing(opportunity, purpose, acceptance, milestone_months)
    if existing is not None:
        return existing
    template = default_template(purpose)
    if template is None:
        logger.warning(
            "No active survey template for %s: survey of opportunity %s not sent", purpose, opportunity.pk
        )
        return None
    internal = purpose == SurveyPurpose.INTERNAL
    contact = None if internal else survey_contact(opportunity)
    if internal and respondent is None:
        return None
    # The internal rating in the respondent's language; a customer survey (its page and its
    # e-mail) in the contact's (R-POST-1), else the site's default.
    if internal:
        language = (respondent.language if respondent else "") or settings.LANGUAGE_CODE
    else:
        language = contact.preferred_language() if contact is not None else settings.LANGUAGE_CODE
    survey = Survey(
        template=template,
        purpose=purpose,
        opportunity=opportunity,
        acceptance=acceptance,
        milestone_months=milestone_months,
        contact=contact,
        respondent=respondent if internal else None,
        rated_user=opportunity.presales_owner,
        team=opportunity.team,
        language=language.lower(),
        questions=[q.as_snapshot() for q in template.questions.all()],
        status=SurveyStatus.SENT,
        nonce=secrets.token_hex(16),
        sent_at=now,
        expires_at=now + timedelta(days=link_days()),
    )
    try:
        with transaction.atomic():
            save_as(survey, actor)
    except IntegrityError:
        # Another transaction sent the same survey between our check and insert.
        return _existing(opportunity, purpose, acceptance, milestone_months)
    if internal:
        notifications.internal_survey_asked(survey)
    elif contact is not None:
        pk = survey.pk
        transaction.on_commit(lambda: _send_survey_email(pk), robust=True)
    else:
        notifications.survey_without_contact(survey)
    return survey


def _send_survey_email(survey_pk: int, *, reminder: bool = False) -> None:
    """After commit: the link to the contact, in the survey's language, with the current nonce
    (a failing mail server never fails the committed survey; staff can resend)."""
    survey = (
        Survey.objects.select_related("opportunity__customer", "contact", "rated_user")
        .filter(pk=survey_pk)
        .first()
    )
    if (
        survey is None
        or survey.status != SurveyStatus.SENT
        or survey.contact is None
        or not survey.contact.email
    ):
        return
    params = {
        "customer": survey.opportunity.customer.name,
        "url": survey_link(survey),
        "expires": timezone.localtime(survey.expires_at).strftime("%Y-%m-%d") if survey.expires_at else "",
        "contact": survey.contact.name,
    }
    with translation.override(survey.language or settings.LANGUAGE_CODE):
        if reminder:
            subject = _("Reminder: a short satisfaction survey (%(customer)s)") % params
        else:
            subject = _("A short satisfaction survey (%(customer)s)") % params
        body = (
            _(
                "Dear %(contact)s,\n\nwe would be grateful for a minute of your time to rate our "
                "service. Open this link (no account needed); it works until %(expires)s:\n\n%(url)s"
            )
            % params
        )
    try:
        send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [survey.contact.email])
    except Exception:  # a mail server that is down must not break the committed survey
        logger.exception("Could not send the survey link of survey %s", survey_pk)


def surveys_send_due(*, now: datetime | None = None, limit: int = BATCH) -> int:
    """R-POST-1 (beat): the survey of every open survey timer (1, 3, 6 months after a passed
    acceptance) whose due time passed, each in its own transaction under the opportunity's
    lock, the timer re-read and met (``timer_satisfy``); a concurrent run skips it. Returns how
    many surveys were sent."""
    from bids.models import CustomerAcceptance

    now = now or timezone.now()
    due = list(
        Timer.objects.filter(kind__in=list(MONTHS_OF_KIND), state=TimerState.OPEN, due_at__lte=now)
        .order_by("due_at", "pk")
        .values_list("pk", "kind", "subject_id")[:limit]
    )
    sent = 0
    for timer_pk, kind, subject_id in due:
        acceptance = CustomerAcceptance.objects.select_related("handoff").filter(pk=subject_id).first()
        if acceptance is None:
            continue
        with transaction.atomic():
            opportunity = lock_opportunity(acceptance.handoff.opportunity_id)
            timer = (
                Timer.objects.select_for_update(skip_locked=True)
                .filter(pk=timer_pk, state=TimerState.OPEN)
                .first()
            )
            if timer is None:  # met or cancelled meanwhile, or a concurrent run holds it
                continue
            survey = survey_send(
                opportunity=opportunity,
                purpose=SurveyPurpose.AFTER_ACCEPTANCE,
                acceptance=acceptance,
                milestone_months=MONTHS_OF_KIND[kind],
                now=now,
            )
            if survey is None:
                continue
            timer_satisfy(kind=kind, subject=acceptance, at=now)
            sent += 1
    return sent


def surveys_remind_and_expire(*, now: datetime | None = None, limit: int = BATCH) -> dict[str, int]:
    """One reminder e-mail per unanswered customer survey ``SURVEY_REMINDER_DAYS`` after it was
    sent (``reminded_at`` says it went); a survey whose link expired becomes expired. Rows are
    claimed with SKIP LOCKED, so concurrent runs do each once."""
    now = now or timezone.now()
    reminded = expired = 0
    with transaction.atomic():
        for survey in (
            Survey.objects.select_for_update(skip_locked=True)
            .filter(status=SurveyStatus.SENT, expires_at__lte=now)
            .order_by("pk")[:limit]
        ):
            survey.status = SurveyStatus.EXPIRED
            save_as(survey, None)
            expired += 1
        for survey in (
            Survey.objects.select_for_update(skip_locked=True)
            .filter(
                status=SurveyStatus.SENT,
                reminded_at__isnull=True,
                sent_at__lte=now - timedelta(days=reminder_days()),
                contact__isnull=False,
            )
            .exclude(purpose=SurveyPurpose.INTERNAL)
            .exclude(contact__email="")
            .order_by("pk")[:limit]
        ):
            survey.reminded_at = now
            save_as(survey, None)
            pk = survey.pk
            transaction.on_commit(partial(_send_survey_email, pk, reminder=True), robust=True)
            reminded += 1
    return {"reminded": reminded, "expired": expired}


def _service_surveys(opportunity: Opportunity, actor: User | None) -> None:
    survey_send(opportunity=opportunity, purpose=SurveyPurpose.PRESALES_SERVICE, actor=actor)
    if opportunity.sales_owner_id is not None:
        survey_send(
            opportunity=opportunity,
            purpose=SurveyPurpose.INTERNAL,
            respondent=opportunity.sales_owner,
            actor=actor,
        )


def survey_on_signed(*, contract: Any, actor: User) -> None:
    """``bids.hooks.register_on_signed`` (R-POST-4, won): the customer rates the presales
    service and the sales owner rates the engineer's collaboration (R-KPI-1). Runs inside the
    signing's transaction under the opportunity's lock; the e-mail goes after commit."""
    _service_surveys(contract.opportunity, actor)


def survey_on_closed(*, opportunity: Any, actor: User) -> None:
    """``opportunities.hooks.register_on_closed`` (R-POST-4, lost or abandoned): the same."""
    _service_surveys(opportunity, actor)


# --- answering -----------------------------------------------------------------------------


def _clean_answers(survey: Survey, answers: Mapping[str, Any]) -> dict[str, tuple[int | None, str]]:
    """Every question's answer checked: a score 1 to 5, a text; required ones given."""
    errors: dict[str, list[str]] = {}
    cleaned: dict[str, tuple[int | None, str]] = {}
    known = {q["code"] for q in survey.questions}
    for code in answers:
        if code not in known:
            errors[str(code)] = [_("This survey has no such question.")]
    for question in survey.questions:
        code = question["code"]
        raw = answers.get(code)
        if question["kind"] == QuestionKind.SCORE:
            if raw in (None, ""):
                if question.get("required", True):
                    errors[code] = [_("Choose a score from 1 to 5.")]
                continue
            try:
                score = int(raw)
            except (TypeError, ValueError):
                score = 0
            if isinstance(raw, bool) or not 1 <= score <= 5 or str(raw).strip() not in {str(score)}:
                errors[code] = [_("Choose a score from 1 to 5.")]
                continue
            cleaned[code] = (score, "")
        else:
            text = str(raw or "").strip()[:4000]
            if not text:
                if question.get("required", True):
                    errors[code] = [_("This question needs an answer.")]
                continue
            cleaned[code] = (None, text)
    if errors:
        raise DomainError(fields=errors)
    return cleaned


def _action_owner(survey: Survey) -> User | None:
    """R-POST-3: the rated engineer's team manager (the engineer's improvement is the
    manager's to follow), else the engineer, else the opportunity's team manager, else its
    sales owner."""
    engineer = survey.rated_user
    team = engineer.team if engineer is not None else None
    if team is not None and team.manager is not None and team.manager.is_active:
        return team.manager
    if engineer is not None and engineer.is_active:
        return engineer
    opportunity = survey.opportunity
    if opportunity.team is not None and opportunity.team.manager is not None:
        return opportunity.team.manager
    return opportunity.sales_owner


def _open_actions(survey: Survey, answers: list[SurveyAnswer], now: datetime) -> list[ImprovementAction]:
    owner = _action_owner(survey)
    if owner is None:
        return []
    due = compute_due(active_policy(IMPROVEMENT_ACTION), now)
    made = []
    for answer in answers:
        if answer.score is None or answer.score > LOW_SCORE:
            continue
        question: dict = next((q for q in survey.questions if q["code"] == answer.code), {})
        with translation.override(settings.LANGUAGE_CODE):
            description = _("Score %(score)s on “%(question)s”: find the cause and improve.") % {
                "score": answer.score,
                "question": localized(question),
            }
        action = ImprovementAction(
            survey=survey,
            answer=answer,
            owner=owner,
            due_on=timezone.localtime(due).date(),
            description=description,
        )
        save_as(action, None)
        timer_start(
            kind=IMPROVEMENT_ACTION, subject=action, owner=owner, start=now, team=survey.team or owner.team
        )
        notifications.improvement_action_opened(action)
        made.append(action)
    return made


def _lock_survey(survey_pk: int) -> Survey:
    """The opportunity (step 1), then the survey."""
    opportunity_id = Survey.objects.filter(pk=survey_pk).values_list("opportunity_id", flat=True).first()
    if opportunity_id is None:
        raise NotFound()
    lock_opportunity(opportunity_id)
    return (
        Survey.objects.select_for_update(of=("self",))
        .select_related("opportunity__team", "rated_user__team", "template")
        .get(pk=survey_pk)
    )


@transaction.atomic
def survey_answer(
    *,
    survey: Survey,
    answers: Mapping[str, Any],
    channel: str,
    actor: User | None = None,
    comment: str = "",
    now: datetime | None = None,
) -> Survey:
    """Record a survey's answers once (R-POST-1, R-POST-4, R-KPI-1): through the link
    (``channel`` link, no actor: use :func:`survey_answer_by_token`), from a phone interview
    (phone: whoever may work the opportunity, kept as ``entered_by``; also for an expired
    link) or in the application (in_app: the internal respondent only). Every answer row
    copies the question's measure, the rated engineer, the team and the time (the KPI's
    contract). A score of 2 or less opens an improvement action with its timer (R-POST-3);
    the presales owner is told."""
    now = now or timezone.now()
    survey = _lock_survey(survey.pk)
    allowed: tuple[str, ...]
    if channel == AnswerChannel.PHONE:
        if actor is None or not can_work_opportunity(actor, survey.opportunity):
            raise NotAllowed(_("You cannot enter answers for this survey."))
        if survey.purpose == SurveyPurpose.INTERNAL:
            raise DomainError(_("The internal rating is answered by its respondent."), code="internal")
        allowed = (SurveyStatus.SENT, SurveyStatus.EXPIRED)
    elif channel == AnswerChannel.IN_APP:
        if actor is None or survey.respondent_id != actor.pk:
            raise NotAllowed(_("This rating is not yours to give."))
        allowed = (SurveyStatus.SENT, SurveyStatus.EXPIRED)
    elif channel == AnswerChannel.LINK:
        if survey.status != SurveyStatus.SENT or (survey.expires_at and survey.expires_at <= now):
            raise LinkRefused(gone=True)
        allowed = (SurveyStatus.SENT,)
    else:
        raise DomainError(fields={"channel": [_("Choose a channel.")]})
    if survey.status not in allowed:
        raise Conflict(_("This survey is already answered or withdrawn."), code="survey_closed")
    cleaned = _clean_answers(survey, answers)
    measures = {q["code"]: q["measure"] for q in survey.questions}
    rows = SurveyAnswer.objects.bulk_create(
        [
            SurveyAnswer(
                survey=survey,
                code=code,
                measure=measures[code],
                score=score,
                text=text,
                rated_user_id=survey.rated_user_id,
                team_id=survey.team_id,
                answered_at=now,
            )
            for code, (score, text) in cleaned.items()
        ]
    )
    survey.status = SurveyStatus.ANSWERED
    survey.answered_at = now
    survey.channel = channel
    survey.entered_by = actor if channel == AnswerChannel.PHONE else None
    survey.comment = str(comment or "").strip()[:4000]
    save_as(survey, actor)
    _open_actions(survey, rows, now)
    notifications.survey_answered(survey)
    return survey


@transaction.atomic
def survey_answer_by_token(*, token: str, answers: Mapping[str, Any], now: datetime | None = None) -> Survey:
    """The customer's answers through the link (no account): a tampered link is refused (404),
    an expired, revoked or spent one too (410); a replay after answering is refused."""
    now = now or timezone.now()
    survey = survey_for_token(token, now=now)
    survey = survey_answer(survey=survey, answers=answers, channel=AnswerChannel.LINK, now=now)
    return survey


# --- staff ---------------------------------------------------------------------------------


def _require_work(actor: User, survey: Survey) -> None:
    if not can_work_opportunity(actor, survey.opportunity):
        raise NotAllowed(_("You cannot change this survey."))


@transaction.atomic
def survey_revoke(*, actor: User, survey: Survey) -> Survey:
    """Withdraw an unanswered survey's link: a new nonce kills every link sent before."""
    survey = _lock_survey(survey.pk)
    _require_work(actor, survey)
    if survey.status == SurveyStatus.ANSWERED:
        raise Conflict(_("An answered survey cannot be revoked."), code="survey_answered")
    survey.nonce = secrets.token_hex(16)
    survey.status = SurveyStatus.REVOKED
    survey.revoked_at = timezone.now()
    survey.revoked_by = actor
    save_as(survey, actor)
    return survey


@transaction.atomic
def survey_resend(*, actor: User, survey: Survey, contact: Contact | None = None) -> Survey:
    """Send an unanswered customer survey again (to ``contact`` if given): a new link valid
    ``SURVEY_LINK_DAYS`` (the old one stops working), the reminder due again."""
    survey = _lock_survey(survey.pk)
    _require_work(actor, survey)
    if survey.purpose == SurveyPurpose.INTERNAL:
        raise DomainError(_("The internal rating is answered in the application."), code="internal")
    if survey.status == SurveyStatus.ANSWERED:
        raise Conflict(_("An answered survey cannot be sent again."), code="survey_answered")
    if contact is not None:
        if contact.customer_id != survey.opportunity.customer_id:
            raise DomainError(fields={"contact": [_("Choose a contact of the opportunity's customer.")]})
        survey.contact = contact
    elif survey.contact is None:
        survey.contact = survey_contact(survey.opportunity)
    if survey.contact is None or not survey.contact.email:
        raise DomainError(fields={"contact": [_("This contact has no e-mail address.")]})
    # The page and the e-mail follow the language of the person now asked (R-POST-1).
    survey.language = survey.contact.preferred_language()
    now = timezone.now()
    survey.nonce = secrets.token_hex(16)
    survey.status = SurveyStatus.SENT
    survey.sent_at = now
    survey.expires_at = now + timedelta(days=link_days())
    survey.reminded_at = None
    survey.revoked_at = None
    survey.revoked_by = None
    save_as(survey, actor)
    pk = survey.pk
    transaction.on_commit(lambda: _send_survey_email(pk), robust=True)
    return survey


def can_close_action(actor: User, action: ImprovementAction) -> bool:
    """The owner, whoever may work the opportunity, or the manager of the survey's team."""
    if not actor.is_authenticated:
        return False
    return (
        actor.pk == action.owner_id
        or can_work_opportunity(actor, action.survey.opportunity)
        or actor.manages(action.survey.team_id)
    )


@transaction.atomic
def improvement_action_close(
    *, actor: User, action: ImprovementAction, resolution: str, expected_version: int | None = None
) -> ImprovementAction:
    """R-POST-3: the action is done, with what was done; its timer is met."""
    survey = _lock_survey(action.survey_id)
    action = ImprovementAction.objects.select_for_update().get(pk=action.pk)
    action.survey = survey
    if not can_close_action(actor, action):
        raise NotAllowed(_("You cannot close this improvement action."))
    check_version(action, expected_version)
    if action.status != ActionStatus.OPEN:
        raise Conflict(_("This improvement action is already closed."), code="closed")
    resolution = str(resolution or "").strip()
    if not resolution:
        raise DomainError(fields={"resolution": [_("Say what was done.")]})
    now = timezone.now()
    action.status = ActionStatus.DONE
    action.resolution = resolution[:4000]
    action.closed_at = now
    action.closed_by = actor
    save_as(action, actor)
    timer_satisfy(kind=IMPROVEMENT_ACTION, subject=action, at=now)
    return action


# --- templates -----------------------------------------------------------------------------

TEMPLATE_FIELDS = ("name", "purpose", "is_default", "is_active", "intro_en", "intro_zh_hans", "intro_zh_hant")
QUESTION_FIELDS = ("code", "kind", "measure", "required", "text_en", "text_zh_hans", "text_zh_hant")


def can_edit_templates(actor: User) -> bool:
    return actor.is_authenticated and (actor.is_superuser or actor.has_role("admin"))


@transaction.atomic
def survey_template_save(
    *,
    actor: User,
    data: Mapping[str, Any],
    template: SurveyTemplate | None = None,
    expected_version: int | None = None,
) -> SurveyTemplate:
    """Create or change a template (administrators only, as in the admin): its fields and,
    when ``questions`` is given, the whole list of questions in order. Surveys already sent
    keep their copy. Making it the default of its purpose takes the flag from the previous one."""
    from kpi.models import SurveyQuestion
    from presales.core.writes import validate

    if not can_edit_templates(actor):
        raise NotAllowed(_("Only administrators edit survey templates."))
    if template is not None:
        template = SurveyTemplate.objects.select_for_update().get(pk=template.pk)
        check_version(template, expected_version)
    else:
        template = SurveyTemplate()
    for name in TEMPLATE_FIELDS:
        if name in data:
            setattr(template, name, data[name])
    questions = data.get("questions")
    errors: dict[str, list[str]] = {}
    if questions is not None:
        codes = [str(q.get("code") or "") for q in questions]
        if not questions:
            errors["questions"] = [_("A template needs at least one question.")]
        elif len(set(codes)) != len(codes):
            errors["questions"] = [_("Each question needs its own code.")]
    if errors:
        raise DomainError(fields=errors)
    if template.is_default:
        SurveyTemplate.objects.filter(purpose=template.purpose, is_default=True).exclude(
            pk=template.pk
        ).update(is_default=False)
    validate(template)
    save_as(template, actor)
    if questions is not None:
        template.questions.all().delete()
        rows = []
        for order, question in enumerate(questions, start=1):
            row = SurveyQuestion(
                template=template, order=order, **{k: question[k] for k in QUESTION_FIELDS if k in question}
            )
            validate(row, exclude=["template"])
            rows.append(row)
        SurveyQuestion.objects.bulk_create(rows)
    return template
