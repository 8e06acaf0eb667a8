"""The demo data (``manage.py load_demo``): idempotent, realistic, and built through services."""

from datetime import datetime, timedelta
from decimal import Decimal

import pytest
from django.apps import apps
from django.core.management import call_command
from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone

from demo.leads import CHINA, Planner
from leads.choices import DecisionRole, DisqualifyReason, Grade, LeadStatus
from leads.models import CommunicationRecord, Contact, Customer, CustomerPresales, Lead, MergeRecord
from opportunities.choices import InitiationStatus, Stage
from opportunities.models import Opportunity, ProjectInitiation
from presales.accounts.models import User
from presales.sla.defaults import INITIATION_REVIEW, REVIEW_STEP
from presales.sla.models import Notification, TimerState
from presales.sla.notifications import ESCALATION
from presales.sla.selectors import timers_for
from reviews.choices import ReviewStatus, TaskState
from reviews.models import ReviewTask
from reviews.selectors import inbox_for, reviews_for_subject

# The demo is loaded once for this module (every test that needs it lives here), and once
# more by the idempotency test.
pytestmark = pytest.mark.django_db

FLAGSHIP = "苏州瑞科智能制造科技有限公司 Suzhou Ruike Smart Manufacturing Technology Co., Ltd."


def _counts() -> dict[str, int]:
    return {model._meta.label: model._default_manager.count() for model in apps.get_models()}


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    """The demo loaded once for the module (a load takes seconds), inside a transaction that
    is rolled back afterwards; each test still runs in its own savepoint."""
    with django_db_blocker.unblock(), transaction.atomic():
        call_command("load_demo", verbosity=0)
        yield
        transaction.set_rollback(True)


def test_loading_the_demo_twice_gives_identical_counts_for_every_model(demo):
    """Idempotent: a second load adds no record, no history row, no timer, no notification
    or delivery (the sweep run at load time sends nothing new)."""
    # given the demo loaded once
    first = _counts()
    # when it is loaded again
    call_command("load_demo", verbosity=0)
    # then no model (history tables included) gained or lost a row
    assert _counts() == first
    assert first["leads.Customer"] >= 55
    assert first["leads.Lead"] >= 140
    # issue 14: the knowledge base, competitors, risks, visits and the KPI rows are there too
    for label in (
        "knowledge.Article",
        "knowledge.NeedsTemplateItem",
        "opportunities.CompetitorIntel",
        "opportunities.OpportunityCompetitor",
        "bids.Risk",
        "bids.CreditAssessment",
        "leads.VisitPlan",
        "kpi.TrainingRecord",
        "kpi.SurveyAnswer",
        "kpi.ImprovementAction",
        "kpi.SalesTarget",
        "kpi.Scorecard",
        "kpi.TeamReport",
    ):
        assert first[label] > 0, label


def test_demo_plan_does_not_depend_on_the_day_it_is_loaded():
    """The natural keys are the same whatever ``now`` is, so a later load adds nothing."""

    def keys(now):
        customers, leads, duplicates = Planner(now).build()
        return (
            [(c.company.name, [p.name for p in c.contacts]) for c in customers],
            [
                (x.company_label or x.company.name, x.person.name, x.source, x.target)
                for x in leads + duplicates
            ],
        )

    # given two loads a month and a half apart; then they plan the same records
    now = timezone.now()
    assert keys(now) == keys(now + timedelta(days=45, hours=7))


def test_demo_covers_every_lead_status_and_both_first_contact_states(demo):
    """R-LEAD-3 / R-LEAD-4: lists and filters have something in every state."""
    # given the demo
    # then every status has leads, several of them
    by_status = dict(Lead.objects.values_list("status").annotate(n=Count("id")))
    assert set(by_status) == set(LeadStatus.values)
    assert min(by_status.values()) >= 10
    # and new leads are split between a first contact still due and one overdue
    assert Lead.objects.first_contact_due().count() >= 5
    assert Lead.objects.first_contact_overdue().count() >= 5
    # and every disqualified lead says why, with several different reasons
    disqualified = Lead.objects.filter(status=LeadStatus.DISQUALIFIED)
    assert not disqualified.filter(disqualify_reason="").exists()
    assert disqualified.values("disqualify_reason").distinct().count() >= 5
    assert set(disqualified.values_list("disqualify_reason", flat=True)) <= set(DisqualifyReason.values)
    # and merged leads point to a surviving lead, with a merge record each (R-LEAD-2)
    merged = Lead.objects.filter(status=LeadStatus.MERGED)
    assert not merged.filter(merged_into__isnull=True).exists()
    assert MergeRecord.objects.filter(kind=MergeRecord.Kind.LEAD).count() == merged.count()
    # and qualified leads are linked to a customer with the five-aspect evaluation
    qualified = Lead.objects.filter(status=LeadStatus.QUALIFIED)
    assert not qualified.filter(customer__isnull=True).exists()
    assert not qualified.filter(Q(eval_budget="") | Q(eval_competition="") | Q(eval_timeline="")).exists()
    # and every contacted lead has its first-contact record (R-LEAD-3)
    for lead in Lead.objects.filter(status=LeadStatus.CONTACTED):
        assert lead.communications.filter(is_first_contact=True).exists(), lead
    # and both teams own leads
    assert Lead.objects.values("team").distinct().count() == 2


def test_demo_customers_have_one_primary_presales_contacts_and_history(demo):
    """R-CUST-1, R-CUST-2, R-CUST-5, R-COMM-1 on the demo accounts."""
    # given the demo
    customers = Customer.objects.all()
    # then every customer has exactly one primary presales engineer, and some have assistants
    primaries = dict(
        CustomerPresales.objects.filter(is_primary=True).values_list("customer").annotate(n=Count("id"))
    )
    assert set(primaries) == set(customers.values_list("pk", flat=True))
    assert set(primaries.values()) == {1}
    assert CustomerPresales.objects.filter(is_primary=False).exists()
    # and all three grades, several industries and both teams appear
    assert set(customers.values_list("grade", flat=True)) == set(Grade.values)
    assert customers.values("industry").distinct().count() >= 6
    assert customers.values("team").distinct().count() == 2
    # and contacts carry decision roles, with a decision maker at most customers
    assert Contact.objects.filter(decision_role=DecisionRole.DECISION_MAKER).count() >= 45
    # and communications have next steps, some follow-ups upcoming and some overdue
    now = timezone.now()
    follow_ups = CommunicationRecord.objects.filter(next_step_due_at__isnull=False)
    assert follow_ups.filter(next_step_due_at__gt=now).exists()
    assert CommunicationRecord.objects.follow_ups_due(now).exists()
    assert not follow_ups.filter(next_step="").exists()
    # and the rows were written by services: history rows name the actor
    assert Customer.history.filter(history_user__isnull=False).count() >= customers.count()
    assert Lead.history.filter(history_type="+", history_user__isnull=False).count() == Lead.objects.count()
    assert not CommunicationRecord.history.filter(history_user__isnull=True).exists()


def test_demo_holds_the_sample_customer_of_the_sales_manual(demo):
    """The customer table row of seeds/003: manufacturing, 500 staff, ¥100M, grade A."""
    # given the demo
    # then the sample customer is there as the manual describes it
    customer = Customer.objects.get(name=FLAGSHIP)
    assert (customer.industry, customer.employees, int(customer.annual_revenue)) == (
        "manufacturing",
        500,
        100_000_000,
    )
    assert customer.grade == Grade.A
    assert set(customer.need_tags.values_list("name", flat=True)) == {
        "production efficiency 生产效率",
        "cost control 成本控制",
    }
    director = customer.contacts.get(name="王建国")
    assert director.title.startswith("生产总监")
    # and two of its contacts read their surveys and links in another language (R-POST-1)
    assert dict(customer.contacts.values_list("name", "language")) == {
        "王建国": "",
        "周丽华": "en",
        "陈晓燕": "zh-hant",
    }
    # and its first contact happened on 2024-03-15 and the visit on 2024-04-02
    first = customer.communications.get(is_first_contact=True)
    assert first.occurred_at.astimezone(CHINA).date() == datetime(2024, 3, 15).date()
    visit = customer.communications.get(channel="site_visit")
    assert visit.occurred_at.astimezone(CHINA).date() == datetime(2024, 4, 2).date()
    assert customer.primary_presales.username == "engineer"


def test_demo_pipeline_covers_every_stage(demo):
    """Every stage has an opportunity; initiations approved / in review / rejected (R-OPP-2)."""
    assert set(Opportunity.objects.values_list("stage", flat=True)) == set(Stage.values)
    # one request waits in the sales manager's inbox, one was rejected with comments
    sales_manager = User.objects.get(username="sales_manager")
    assert [r.kind for r in inbox_for(sales_manager)] == ["initiation"]
    rejected = ProjectInitiation.objects.get(status=InitiationStatus.REJECTED)
    assert reviews_for_subject(rejected).get().outcome_note
    # everything past lead intake went through an approved initiation and formed a team
    for opportunity in Opportunity.objects.exclude(stage=Stage.LEAD_INTAKE):
        assert opportunity.initiation.status == InitiationStatus.APPROVED
        assert opportunity.members.count() >= 2
    # lost and abandoned ones carry their reasons; the skipped bid its reason
    lost = Opportunity.objects.get(stage=Stage.LOST)
    assert lost.close_reason and lost.winning_competitor


def test_demo_reviews_carry_their_timers_and_one_sweep_fills_the_bells(demo):
    """After the demo, the review waiting for the sales manager has its step timer, its
    author's wait is on, and the sweep run at load time sent the reminders and escalations
    due now (R-SLA-1, R-SLA-3)."""
    # every pending task of a review in progress has its approver's open timer
    pending = ReviewTask.objects.filter(state=TaskState.PENDING, review__status=ReviewStatus.IN_PROGRESS)
    assert pending.exists()
    for task in pending:
        (timer,) = [t for t in timers_for(task) if t.state == TimerState.OPEN]
        assert (timer.kind, timer.owner_id) == (REVIEW_STEP, task.approver_id)
    waiting = ProjectInitiation.objects.get(status=InitiationStatus.IN_REVIEW)
    assert [t.kind for t in timers_for(waiting) if t.state == TimerState.OPEN] == [INITIATION_REVIEW]
    # and the bells hold what was due at load time
    assert Notification.objects.filter(kind=ESCALATION).exists()


def test_an_old_demo_database_gets_the_current_demo_password_but_changed_ones_stay(db):
    """Issue 8: a demo built with a retired password (``demo1234``) is moved to the README's
    password on the next load; a password the user chose is left alone."""
    from demo import people
    from demo.builders import DemoContext

    people.build(DemoContext())
    for user in User.objects.all():  # an old demo: every login had the retired password
        user.set_password("demo1234")
        user.save()
    engineer = User.objects.get(username="engineer")
    engineer.set_password("my-own-Secret-77")
    engineer.save()
    # when the demo is loaded again
    people.build(DemoContext())
    # then
    assert User.objects.get(username="admin").check_password(people.PASSWORD)
    assert User.objects.get(username="engineer").check_password("my-own-Secret-77")


def test_load_demo_never_touches_a_user_who_is_not_a_demo_login(db):
    """Issue 8: only the demo's own logins move off the retired password; anyone else with
    it (a person added to the demo database) keeps theirs."""
    from demo import people
    from demo.builders import DemoContext

    people.build(DemoContext())
    for user in User.objects.all():
        user.set_password("demo1234")
        user.save()
    guest = User.objects.create_user(username="guest", password="demo1234")
    # when the demo is loaded again
    people.build(DemoContext())
    # then the demo logins have the current password, the guest still the one they had
    assert User.objects.get(username="sales").check_password(people.PASSWORD)
    guest.refresh_from_db()
    assert guest.check_password("demo1234")


# --- issue 10: needs, solutions and quotes, the review board, demos -------------------------


def _opportunity(title_start: str) -> Opportunity:
    return Opportunity.objects.get(title__startswith=title_start)


def _open_timers(subject, kind: str):
    return [t for t in timers_for(subject) if t.kind == kind and t.state == TimerState.OPEN]


def test_demo_needs_analysis_at_every_state(demo):
    """R-NEED-1..7, R-COMM-2: SPIN notes, meetings with participants, the seed's DEMO001 /
    DEMO002 confirmed by e-mail, a row confirmed by the link, one rigid row unconfirmed that
    R-NEED-4 names on the board, a link sent and not answered, a change after confirmation,
    R&D questions answered and open, a needs report version."""
    from opportunities.transitions import MACHINE
    from proposals.choices import ConfirmationMethod, ConfirmationStatus, RDRequestStatus
    from proposals.models import (
        ChangeRequest,
        ConfirmationRequest,
        NeedsAnalysis,
        NeedsReport,
        OpportunityCommunication,
        RDRequest,
        RequirementConfirmation,
    )

    engineer = User.objects.get(username="engineer")
    energy = _opportunity("产线能耗在线监测")
    assert energy.stage == Stage.NEEDS_ANALYSIS
    analysis = NeedsAnalysis.objects.get(opportunity=energy)
    assert analysis.situation and analysis.problem and analysis.implication and analysis.need_payoff
    # the seed's rows, confirmed by e-mail with the evidence kept (R-NEED-3)
    demo001 = energy.requirements.get(description="降低生产线能耗30%")
    demo002 = energy.requirements.get(description="提供操作培训,员工掌握率100%")
    assert (demo001.kind, demo002.kind) == ("rigid", "flexible")
    for row in (demo001, demo002):
        assert (row.confirmation_status, row.confirmation_method) == ("confirmed", ConfirmationMethod.EMAIL)
        assert row.confirmations.get().evidence
    # R-NEED-4: the board's move into the solution stage is refused, naming the rigid row
    unconfirmed = energy.requirements.get(kind="rigid", confirmation_status=ConfirmationStatus.UNCONFIRMED)
    reasons = MACHINE.reasons(energy, engineer, "start_solution")
    assert any(unconfirmed.code in str(reason) for reason in reasons), reasons
    # the link sent for that row and not answered yet, still open
    pending = ConfirmationRequest.objects.get(opportunity=energy)
    assert pending.state(timezone.now()) == "open"
    assert pending.requirement_ids == [unconfirmed.pk]
    # a list answered through the link elsewhere (a row commented, then confirmed by e-mail)
    assert RequirementConfirmation.objects.filter(method=ConfirmationMethod.LINK, status="confirmed").exists()
    assert RequirementConfirmation.objects.filter(method=ConfirmationMethod.LINK, status="commented").exists()
    assert ConfirmationRequest.objects.filter(completed_at__isnull=False).count() >= 4
    # R-NEED-6: a confirmed row changed afterwards, unconfirmed, its change request open
    change = ChangeRequest.objects.get(kind=ChangeRequest.Kind.CHANGED, resolved_at__isnull=True)
    assert change.requirement.confirmation_status == ConfirmationStatus.UNCONFIRMED
    assert change.old_values["key_metric"] != change.new_values["key_metric"]
    # R-NEED-5: one R&D question answered (kept with the requirement), one open
    statuses = dict(
        RDRequest.objects.filter(requirement__opportunity=energy)
        .values_list("status")
        .annotate(n=Count("id"))
    )
    assert statuses == {RDRequestStatus.ANSWERED: 1, RDRequestStatus.OPEN: 1}
    # R-NEED-7: the report's first version holds the SPIN notes and every row
    report = NeedsReport.objects.get(opportunity=energy)
    assert report.number == 1 and len(report.content["requirements"]) == energy.requirements.count()
    # R-COMM-2: the site visit and the survey, with our people and the customer's
    links = OpportunityCommunication.objects.filter(opportunity=energy).select_related("communication")
    assert {link.purpose for link in links} == {"site_visit", "survey"}
    for link in links:
        assert link.communication.participant_users.count() == 2
        assert link.communication.participant_contacts.count() == 2


def test_demo_solutions_and_quotes_at_every_step(demo):
    """R-SOL-1..6, R-QUOTE-1: a draft with writers (one overdue), a version in review under
    the margin floor waiting for finance, a rejected one and its next version, an approved
    version presented with the 48-hour revision running, an accepted version quoted in USD."""
    from proposals.choices import VersionStatus
    from proposals.models import Acceptance, Feedback, QuoteLine, SolutionVersion
    from proposals.solutions.money import totals
    from proposals.solutions.timers import SECTION_DUE
    from reviews.defaults import MARGIN_FLOOR

    now = timezone.now()
    # R-SOL-1: a draft whose sections are assigned, one writer past the due date
    draft = SolutionVersion.objects.get(solution__opportunity=_opportunity("SMT 物料追溯"))
    assert draft.status == VersionStatus.DRAFT
    assigned = draft.sections.filter(writer__isnull=False)
    assert assigned.count() == 2
    due = sorted(_open_timers(section, SECTION_DUE)[0].due_at < now for section in assigned)
    assert due == [False, True]
    # R-QUOTE-1: in review with the margin under the floor; finance's step is pending
    low = SolutionVersion.objects.get(solution__opportunity=_opportunity("电机装配线 OEE"))
    assert low.status == VersionStatus.IN_REVIEW
    assert totals(low.quote_lines.all()).margin_percent < MARGIN_FLOOR
    finance = User.objects.get(username="finance")
    assert [r.object_id for r in inbox_for(finance, kind="solution_version")] == [low.pk]
    # R-REV-5: rejected with comments, and the next version copied from it
    kiosks = SolutionVersion.objects.filter(solution__opportunity=_opportunity("门诊自助服务终端"))
    rejected = kiosks.get(status=VersionStatus.REJECTED)
    assert "等保三级" in reviews_for_subject(rejected).get().outcome_note
    assert kiosks.get(status=VersionStatus.DRAFT).copied_from == rejected
    # R-SOL-3, R-SOL-5: approved, presented, feedback received, the revision timer running
    cold = SolutionVersion.objects.get(solution__opportunity=_opportunity("冷库温湿度监控"))
    assert cold.status == VersionStatus.APPROVED and cold.presented_at is not None
    assert Feedback.objects.filter(solution_version=cold).exists()
    (revision,) = _open_timers(cold.solution, "solution_revision")
    assert revision.due_at > now
    # R-SOL-6: accepted by e-mail, on the English customer's version quoted in USD at a rate
    # (the deal handed off carries its own acceptance, signed, behind its contract: R-CON-3)
    acceptance = Acceptance.objects.get(superseded_at__isnull=True, method="email")
    accepted = acceptance.solution_version
    assert acceptance.method == "email" and accepted.presented_at is not None
    assert (accepted.currency, accepted.fx_rate_to_cny) == ("USD", Decimal("7.1012"))
    assert accepted.quote_lines.filter(item="MES software licence").exists()
    # R-SOL-2: hardware, software and services, with the realistic Chinese items
    assert set(QuoteLine.objects.values_list("kind", flat=True)) == {"hardware", "software", "service"}
    items = " ".join(
        QuoteLine.objects.filter(solution_version__currency="CNY").values_list("item", flat=True)
    )
    for word in ("服务器", "工业网关", "MES 软件许可", "实施服务", "培训"):
        assert word in items, word


def test_demo_solution_reviews_are_decided_with_scores_and_check_items(demo):
    """R-REV-2: every decision on a solution review scores the three criteria, the heads
    tick their check items of the 方案審核表 (some with a comment); R-REV-5: nobody decided
    on a version they wrote or own."""
    from proposals.models import SolutionVersion
    from reviews.registry import get_subject_type
    from reviews.services import own_work_ids

    subject_type = get_subject_type("solution_version")

    decided = ReviewTask.objects.filter(
        review__kind="solution_version", state__in=[TaskState.APPROVED, TaskState.REJECTED]
    ).select_related("review")
    assert decided.filter(state=TaskState.REJECTED).exists()
    commented = 0
    for task in decided:
        assert set(task.scores) == {"rationality", "innovation", "completeness"}, task
        if task.state == TaskState.APPROVED:
            assert set(task.checks) == {code for code, _label in task.check_item_labels}
        commented += sum(1 for check in task.checks.values() if check["comment"])
        subject = SolutionVersion.objects.get(pk=task.review.object_id)
        assert task.approver_id not in own_work_ids(subject_type, subject), task
    assert commented >= 3


def test_demo_demos_trials_and_loans(demo):
    """R-DEMO-1..3: a scheduled demo with attendees, an agenda linked to requirements and a
    checklist partly done; a done demo with feedback; a done demo whose feedback is overdue;
    a loan approved with its return timer, a POC returned."""
    from presales.sla.defaults import DEMO_FEEDBACK
    from proposals.demos.choices import DemoStatus, TrialStatus
    from proposals.demos.timers import TRIAL_RETURN
    from proposals.models import Demo, TrialRequest

    now = timezone.now()
    scheduled = Demo.objects.get(status=DemoStatus.SCHEDULED)
    assert scheduled.starts_at > now
    assert scheduled.our_attendees.count() >= 2 and scheduled.customer_attendees.count() == 2
    assert all(item.requirements.exists() for item in scheduled.agenda.all())
    done_flags = sorted(scheduled.checklist.values_list("done", flat=True))
    assert done_flags[0] is False and done_flags[-1] is True
    held = Demo.objects.filter(status=DemoStatus.DONE)
    with_feedback = held.get(feedback_at__isnull=False)
    assert with_feedback.outcome and with_feedback.next_step
    (kept,) = [t for t in timers_for(with_feedback) if t.kind == DEMO_FEEDBACK]
    assert kept.state == TimerState.SATISFIED and kept.satisfied_at <= kept.due_at  # on time
    assert with_feedback.ended_at < now - timedelta(days=1)
    missing = held.get(feedback_at__isnull=True)
    (late,) = _open_timers(missing, DEMO_FEEDBACK)
    assert late.due_at < now
    loan = TrialRequest.objects.get(status=TrialStatus.APPROVED)
    assert loan.kind == "loan" and loan.return_date > timezone.localdate()
    assert len(_open_timers(loan, TRIAL_RETURN)) == 1
    assert TrialRequest.objects.get(status=TrialStatus.RETURNED).returned_at is not None


def test_demo_handed_off_deal_has_its_signed_contract_R_CON_3(demo):
    from bids.models import Contract

    for opportunity in Opportunity.objects.filter(stage="handoff"):
        contract = Contract.objects.get(opportunity=opportunity)
        assert contract.status == "signed" and contract.customer_authorisation_ref


# --- issue 14: knowledge base, competitors, risks, visits, KPI ------------------------------


def test_demo_knowledge_base_has_published_articles_of_every_kind_R_KB_1(demo):
    """R-KB-1: published articles of every kind, tagged; the needs templates (manufacturing
    and finance) with their requirement items; solution cases with industry, size, outcome."""
    from knowledge.choices import ArticleKind, ArticleStatus
    from knowledge.models import Article

    published = Article.objects.filter(status=ArticleStatus.PUBLISHED)
    assert published.count() >= 12
    assert set(published.values_list("kind", flat=True)) == set(ArticleKind.values)
    assert not published.filter(kind=ArticleKind.INDUSTRY_NEWS, source="").exists()
    cases = published.filter(kind=ArticleKind.SOLUTION_CASE)
    assert cases.count() >= 3
    assert not cases.filter(Q(industry="") | Q(size_class="") | Q(outcome="")).exists()
    templates = published.filter(kind=ArticleKind.NEEDS_TEMPLATE)
    assert set(templates.values_list("industry", flat=True)) >= {"manufacturing", "finance"}
    for template in templates:
        assert 6 <= template.needs_items.count() <= 10
        assert template.needs_items.filter(rigid=True).exists()
    assert published.filter(tags__isnull=False).distinct().count() >= 10


def test_demo_competitors_in_play_with_intel_and_the_lost_deals_winner_R_COMP_1(demo):
    """R-COMP-1: four profiled competitors with products and dated, sourced intelligence, in
    play on open opportunities with offer, price and differentiators; the winner linked."""
    from opportunities.models import Competitor, OpportunityCompetitor

    profiled = Competitor.objects.exclude(strengths="").exclude(weaknesses="")
    assert profiled.count() >= 4
    for competitor in profiled:
        assert competitor.products.exists()
        assert competitor.intel.exclude(source="").filter(observed_on__lte=timezone.localdate()).exists()
    in_play = OpportunityCompetitor.objects.filter(in_play=True, opportunity__stage__in=Stage.values).exclude(
        offer=""
    )
    assert in_play.filter(price__isnull=False).exclude(differentiators="").count() >= 4
    assert in_play.values("opportunity").distinct().count() >= 3
    lost = Opportunity.objects.get(stage=Stage.LOST)
    assert lost.winner is not None and lost.winner.strengths


def test_demo_risks_warning_and_high_accepted_credit_assessed_R_RISK_1(demo):
    """R-RISK-1: a warning-level risk, a high one accepted by a manager with a reason, and
    credit assessments on the opportunities whose contracts were submitted."""
    from bids.models import Contract, CreditAssessment, Risk
    from bids.risks.choices import RiskStatus

    levels = {risk.level for risk in Risk.objects.filter(opportunity__stage__in=Stage.values)}
    assert {"warning", "high"} <= levels
    (accepted,) = [r for r in Risk.objects.filter(status=RiskStatus.ACCEPTED) if r.level == "high"]
    assert accepted.accepted_by.username == "presales_manager" and accepted.acceptance_reason
    assert accepted.opportunity.is_open
    for contract in Contract.objects.exclude(status="draft"):
        assert CreditAssessment.objects.filter(opportunity=contract.opportunity).exists()


def test_demo_visit_plans_and_cadence_timers_R_CUST_7(demo):
    """R-CUST-7: planned visits with their timers, one held as a site-visit communication;
    every active customer has its contact-cadence timer."""
    from django.contrib.contenttypes.models import ContentType

    from leads.cadence import CUSTOMER_CADENCE
    from leads.models import VisitPlan
    from presales.sla.models import Timer

    assert VisitPlan.objects.filter(status="planned").count() >= 2
    done = VisitPlan.objects.get(status="done")
    assert done.communication.channel == "site_visit" and done.outcome
    customers = Customer.objects.active()
    with_timer = Timer.objects.filter(
        kind=CUSTOMER_CADENCE,
        state=TimerState.OPEN,
        subject_type=ContentType.objects.get_for_model(Customer),
    ).values_list("subject_id", flat=True)
    assert set(customers.values_list("pk", flat=True)) <= set(with_timer)


def test_demo_kpi_training_surveys_retrospectives_targets_R_KPI_1_R_POST_1_4(demo):
    """R-KPI-1: training plans and records (exam, reflection, given to sales); R-POST-1/3/4:
    surveys answered by link and by phone, a low score opened an improvement action;
    R-POST-2: retrospectives held with presales attending; R-KPI-2: targets of this and last
    month and quarter for the reps and the team."""
    from kpi.models import ImprovementAction, Retrospective, SalesTarget, Survey, TrainingPlan, TrainingRecord
    from kpi.periods import Period
    from kpi.retrospectives.services import presales_people

    assert TrainingPlan.objects.count() >= 3
    records = TrainingRecord.objects.all()
    assert records.filter(result="exam", exam_score__isnull=False).exists()
    assert records.filter(result="reflection").exclude(reflection="").exists()
    assert records.filter(direction="given", attendee_count__gt=0).exists()
    answered = Survey.objects.filter(status="answered")
    assert {"link", "phone", "in_app"} <= set(answered.values_list("channel", flat=True))
    action = ImprovementAction.objects.get()
    assert action.answer.score <= 2 and action.survey.channel == "phone"
    held = Retrospective.objects.filter(status="held")
    assert held.exists() and Retrospective.objects.filter(status="due").exists()
    for retrospective in held:
        attendees = set(retrospective.attendees.values_list("pk", flat=True))
        assert attendees & presales_people(retrospective.opportunity)
    today = timezone.localdate()
    for kind in ("month", "quarter"):
        current = Period.containing(today, kind)
        for period in (current, current.previous()):
            rows = SalesTarget.objects.filter(period_kind=kind, period_start=period.start)
            assert rows.filter(person__username="sales").exists()
            assert rows.filter(team__isnull=False).exists()


def test_demo_scorecards_reports_and_the_summary_R_KPI_3_R_KPI_4(demo):
    """Last month's scorecard of every presales engineer shared, one signed off with its
    frozen figures; the team reports generated, one submitted; the analytics summary built."""
    from kpi.models import AnalyticsSummary, Scorecard, TeamReport
    from kpi.periods import Period

    last_month = Period.containing(timezone.localdate()).previous()
    cards = Scorecard.objects.filter(period=last_month.key)
    assert set(cards.values_list("person__username", flat=True)) == {
        "engineer",
        "engineer2",
        "engineer_north",
    }
    assert set(cards.values_list("status", flat=True)) == {"shared", "signed"}
    signed = cards.get(status="signed")
    assert signed.snapshot and signed.signed_by.username == "presales_manager"
    reports = TeamReport.objects.filter(month=last_month.start)
    assert set(reports.values_list("status", flat=True)) == {"draft", "submitted"}
    assert reports.get(status="submitted").submitted_to.exists()
    assert AnalyticsSummary.objects.exists()
