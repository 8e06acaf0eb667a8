"""Solution versions through their services (R-SOL-1, R-SOL-3, R-SOL-5, R-SOL-6, R-REV-5)."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.db import DatabaseError, transaction
from django.utils import timezone

from opportunities.choices import Stage
from opportunities.services import opportunity_move
from presales.core.errors import Conflict, DomainError, GateRefused, NotAllowed
from presales.core.roles import Role
from presales.sla.defaults import SOLUTION_REVISION
from presales.sla.models import Timer
from proposals.choices import VersionStatus
from proposals.models import (
    Acceptance,
    QuoteLine,
    SolutionAnswer,
    SolutionSection,
    SolutionTemplate,
    SolutionTemplateSection,
    SolutionVersion,
    VersionStatusChange,
)
from proposals.review_subjects import _authors_of, margin_percent_of
from proposals.solutions import services
from proposals.solutions.selectors import customer_copy
from proposals.solutions.timers import SECTION_DUE
from reviews.services import review_decide
from tests.factories import ContactFactory, ProjectMemberFactory
from tests.proposals.solutions.conftest import LINE, review_of
from tests.proposals.solutions.factories import RequirementFactory


def _submit(version, actor):
    return services.version_submit(actor=actor, version=version)


def _approve(version, reviewer):
    review_decide(actor=reviewer, review=review_of(version), decision="approve", comment="Good.")
    version.refresh_from_db()
    return version


# --- content (R-SOL-1) -------------------------------------------------------------------


def test_first_version_from_the_admins_template_R_SOL_1(opportunity, engineer):
    template = SolutionTemplate.objects.create(name="Factory energy")
    SolutionTemplateSection.objects.create(
        template=template, kind="background", body_html="<h2>背景</h2><script>alert(1)</script>"
    )
    SolutionTemplateSection.objects.create(
        template=template, kind="references", body_html="<ol><li>GB/T</li></ol>"
    )
    solution = services.solution_create(
        actor=engineer, opportunity=opportunity, title="方案", template=template
    )
    version = solution.versions.get()
    assert version.number == 1 and version.status == VersionStatus.DRAFT
    bodies = dict(version.sections.values_list("kind", "body_html"))
    assert bodies == {"background": "<h2>背景</h2>", "references": "<ol><li>GB/T</li></ol>"}
    assert list(version.sections.values_list("kind", flat=True)) == ["background", "references"]


def test_section_html_is_sanitised_on_save_R_SOL_1(opportunity, engineer):
    version = services.solution_create(actor=engineer, opportunity=opportunity, title="S").versions.get()
    section = services.section_create(
        actor=engineer,
        version=version,
        kind="architecture",
        data={
            "body_html": (
                '<h3>Arch</h3><table><tr><td onclick="x()">A</td></tr></table>'
                '<img src="javascript:alert(1)"><img src="https://cdn.example/a.png" alt="a">'
                '<a href="javascript:alert(1)">bad</a><a href="https://ok.example">ok</a><style>p{}</style>'
            )
        },
    )
    body = SolutionSection.objects.get(pk=section.pk).body_html
    assert "onclick" not in body and "javascript" not in body and "style" not in body
    assert '<img src="https://cdn.example/a.png" alt="a">' in body
    assert '<a href="https://ok.example" rel="noopener noreferrer">ok</a>' in body
    assert "<table>" in body and "<h3>Arch</h3>" in body


def test_writer_with_due_date_gets_a_timer_met_when_done_R_SOL_1(opportunity, engineer, make_user, team):
    writer = make_user(Role.PRESALES_ENGINEER, team=team)
    version = services.solution_create(actor=engineer, opportunity=opportunity, title="S").versions.get()
    due = date(2026, 12, 20)
    section = services.section_create(
        actor=engineer, version=version, kind="modules", data={"writer": writer, "due_date": due}
    )
    timer = Timer.objects.get(kind=SECTION_DUE, subject_id=section.pk)
    assert timer.owner == writer and timer.state == "open"
    assert timezone.localtime(timer.due_at).date() == due
    # the writer writes it and marks it done
    services.section_update(actor=writer, section=section, data={"body_html": "<p>Modules.</p>"})
    services.section_mark_done(actor=writer, section=section)
    timer.refresh_from_db()
    assert timer.state == "satisfied"


def test_changing_the_writer_restarts_the_timer_for_the_new_writer(opportunity, engineer, make_user, team):
    first, second = make_user(Role.PRESALES_ENGINEER, team=team), make_user(Role.PRESALES_ENGINEER, team=team)
    version = services.solution_create(actor=engineer, opportunity=opportunity, title="S").versions.get()
    section = services.section_create(
        actor=engineer,
        version=version,
        kind="modules",
        data={"writer": first, "due_date": date(2026, 12, 20)},
    )
    services.section_update(actor=engineer, section=section, data={"writer": second})
    states = dict(Timer.objects.filter(kind=SECTION_DUE).values_list("owner_id", "state"))
    assert states == {first.pk: "cancelled", second.pk: "open"}


def test_the_writer_cannot_reassign_and_outsiders_cannot_write(
    opportunity, engineer, other_engineer, make_user, team
):
    version = services.solution_create(actor=engineer, opportunity=opportunity, title="S").versions.get()
    # a writer must see the opportunity: an outsider is refused until on the project team
    outsider = make_user(Role.PRESALES_ENGINEER, team=None)
    with pytest.raises(DomainError) as exc:
        services.section_create(actor=engineer, version=version, kind="modules", data={"writer": outsider})
    assert "project team" in exc.value.fields["writer"][0]
    ProjectMemberFactory(opportunity=opportunity, user=outsider)
    services.section_create(actor=engineer, version=version, kind="modules", data={"writer": outsider})
    # legal writes the contract-facing commitments: sees every opportunity, works none of them
    lawyer = make_user(Role.LEGAL, team=None)
    section = services.section_create(
        actor=engineer, version=version, kind="service_commitments", data={"writer": lawyer}
    )
    services.section_update(actor=lawyer, section=section, data={"body_html": "<p>x</p>"})  # own section
    with pytest.raises(NotAllowed):
        services.section_update(actor=lawyer, section=section, data={"writer": None})
    with pytest.raises(NotAllowed):
        services.section_update(actor=other_engineer, section=section, data={"body_html": "<p>y</p>"})


def test_quote_line_validation_is_a_400_on_fields_R_SOL_2(opportunity, engineer):
    version = services.solution_create(actor=engineer, opportunity=opportunity, title="S").versions.get()
    with pytest.raises(DomainError) as exc:
        services.line_create(
            actor=engineer, version=version, data=dict(LINE, quantity=Decimal("0"), tax_rate=Decimal("120"))
        )
    assert set(exc.value.fields) >= {"quantity", "tax_rate"}
    with pytest.raises(DomainError) as exc:
        services.line_create(actor=engineer, version=version, data=dict(LINE, margin=1))
    assert "margin" in exc.value.fields


# --- submission and its gates (R-SOL-1, R-SOL-3) -----------------------------------------


def test_submission_lists_what_blocks_it_R_SOL_1(opportunity, engineer, rigid, chain, reviewer):
    version = services.solution_create(actor=engineer, opportunity=opportunity, title="S").versions.get()
    with pytest.raises(GateRefused) as exc:
        _submit(version, engineer)
    reasons = " ".join(exc.value.reasons)
    assert "Write the version's sections" in reasons
    assert "Add the quote lines" in reasons
    assert rigid.code in reasons
    services.section_create(
        actor=engineer, version=version, kind="background", data={"body_html": "<p> </p>"}
    )
    with pytest.raises(GateRefused) as exc:
        _submit(version, engineer)
    assert "These sections are empty: Background." in exc.value.reasons


def test_unanswered_rigid_requirement_blocks_submission_R_SOL_1(
    opportunity, engineer, rigid, chain, reviewer, write_version
):
    version = write_version(opportunity)
    second = RequirementFactory(opportunity=opportunity, created_by=engineer, kind="rigid")
    RequirementFactory(
        opportunity=opportunity, created_by=engineer, kind="flexible"
    )  # flexible: not required
    with pytest.raises(GateRefused) as exc:
        _submit(version, engineer)
    assert exc.value.reasons == [f"These rigid requirements are not answered: {second.code}."]
    line = version.quote_lines.get()
    services.answer_create(actor=engineer, version=version, data={"requirement": second, "quote_line": line})
    _submit(version, engineer)
    assert SolutionVersion.objects.get(pk=version.pk).status == VersionStatus.IN_REVIEW


def test_submit_freezes_the_version_and_starts_its_review_R_SOL_3(
    opportunity, engineer, rigid, chain, reviewer, write_version
):
    version = write_version(opportunity)
    _submit(version, engineer)
    version.refresh_from_db()
    assert version.status == VersionStatus.IN_REVIEW and version.submitted_at is not None
    assert review_of(version).status == "in_progress"
    assert VersionStatusChange.objects.get(solution_version=version).move == "submit"
    section, line, answer = version.sections.get(), version.quote_lines.get(), version.answers.get()
    attempts = [
        lambda: services.section_update(actor=engineer, section=section, data={"body_html": "<p>new</p>"}),
        lambda: services.section_create(actor=engineer, version=version, kind="modules", data={}),
        lambda: services.section_delete(actor=engineer, section=section),
        lambda: services.section_mark_done(actor=engineer, section=section),
        lambda: services.line_create(actor=engineer, version=version, data=dict(LINE)),
        lambda: services.line_update(actor=engineer, line=line, data={"unit_price": Decimal("1")}),
        lambda: services.line_delete(actor=engineer, line=line),
        lambda: services.answer_create(
            actor=engineer, version=version, data={"requirement": rigid, "quote_line": line}
        ),
        lambda: services.answer_delete(actor=engineer, answer=answer),
    ]
    for attempt in attempts:
        with pytest.raises(Conflict) as exc:
            attempt()
        assert exc.value.code == "version_frozen"
        assert "start a new version" in exc.value.message
    assert QuoteLine.objects.get(pk=line.pk).unit_price == Decimal("1000.00")


@pytest.mark.parametrize(
    "statement",
    [
        lambda v: QuoteLine.objects.filter(solution_version=v).update(unit_price=Decimal("1")),
        lambda v: QuoteLine.objects.filter(solution_version=v).delete(),
        lambda v: SolutionSection.objects.filter(solution_version=v).update(body_html="<p>sneaky</p>"),
        lambda v: SolutionSection.objects.create(solution_version=v, kind="modules", body_html="x"),
        lambda v: SolutionAnswer.objects.filter(solution_version=v).delete(),
        lambda v: SolutionVersion.objects.filter(pk=v.pk).update(currency="USD"),
        lambda v: SolutionVersion.objects.filter(pk=v.pk).update(status="draft"),
        lambda v: SolutionVersion.objects.filter(pk=v.pk).delete(),
    ],
    ids=[
        "line-update",
        "line-delete",
        "section-update",
        "section-insert",
        "answer-delete",
        "version-currency",
        "version-back-to-draft",
        "version-delete",
    ],
)
def test_database_refuses_changes_to_a_frozen_version_R_SOL_3(
    statement, opportunity, engineer, rigid, chain, reviewer, write_version
):
    version = write_version(opportunity)
    _submit(version, engineer)
    with pytest.raises(DatabaseError, match="frozen"), transaction.atomic():
        statement(version)


def test_database_lets_a_draft_change_and_a_frozen_version_be_decided(
    opportunity, engineer, rigid, chain, reviewer, write_version
):
    version = write_version(opportunity)
    assert QuoteLine.objects.filter(solution_version=version).update(unit_price=Decimal("900")) == 1
    QuoteLine.objects.filter(solution_version=version).update(unit_price=Decimal("1000"))
    _submit(version, engineer)
    _approve(version, reviewer)
    assert version.status == VersionStatus.APPROVED and version.decided_at is not None


def test_next_version_copies_sections_lines_and_answers_R_SOL_3(
    opportunity, engineer, rigid, chain, reviewer, write_version
):
    version = write_version(opportunity)
    with pytest.raises(Conflict) as exc:
        services.version_create_next(actor=engineer, solution=version.solution)
    assert exc.value.code == "draft_exists"
    _submit(version, engineer)
    review_decide(actor=reviewer, review=review_of(version), decision="reject", comment="Margin too thin.")
    version.refresh_from_db()
    assert version.status == VersionStatus.REJECTED
    nxt = services.version_create_next(actor=engineer, solution=version.solution)
    assert nxt.number == 2 and nxt.status == VersionStatus.DRAFT and nxt.copied_from == version
    assert list(nxt.sections.values_list("kind", "body_html")) == list(
        version.sections.values_list("kind", "body_html")
    )
    assert nxt.quote_lines.get().unit_price == Decimal("1000.00")
    answer = nxt.answers.get()
    assert answer.requirement == rigid and answer.section.solution_version == nxt
    # the copy is a draft: it changes freely; the rejected one is untouched
    services.line_update(actor=engineer, line=nxt.quote_lines.get(), data={"unit_price": Decimal("1100")})
    assert version.quote_lines.get().unit_price == Decimal("1000.00")


def test_withdrawal_cancels_the_review_R_REV_5(opportunity, engineer, rigid, chain, reviewer, write_version):
    version = write_version(opportunity)
    _submit(version, engineer)
    with pytest.raises(GateRefused):
        services.version_withdraw(actor=engineer, version=version, reason="")
    services.version_withdraw(actor=engineer, version=version, reason="Customer changed scope.")
    version.refresh_from_db()
    assert version.status == VersionStatus.WITHDRAWN
    assert review_of(version).status == "cancelled"


def test_writers_and_owners_may_not_approve_R_REV_5(
    opportunity, engineer, sales_rep, rigid, chain, reviewer, write_version, make_user, team
):
    version = write_version(opportunity)
    helper = make_user(Role.PRESALES_ENGINEER, team=team)
    section = version.sections.get()
    services.section_update(actor=engineer, section=section, data={"writer": helper})
    ids = _authors_of(version)
    assert {engineer.pk, sales_rep.pk, helper.pk} <= ids
    assert reviewer.pk not in ids
    # the manager writes a line of a section: now nobody is left to approve; the start is refused
    services.section_update(
        actor=reviewer, section=section, data={"body_html": "<p>Edited by the manager.</p>"}
    )
    assert reviewer.pk in _authors_of(version)
    with pytest.raises(DomainError):
        _submit(version, engineer)
    assert SolutionVersion.objects.get(pk=version.pk).status == VersionStatus.DRAFT


def test_margin_percent_of_the_quote_R_QUOTE_1(opportunity, engineer, write_version):
    version = write_version(opportunity)
    assert margin_percent_of(version) == Decimal("30.00")
    services.line_create(
        actor=engineer,
        version=version,
        data=dict(LINE, item="Service", kind="service", unit_cost=Decimal("1000")),
    )
    assert margin_percent_of(version) == Decimal("15.00")  # 3000 / 20000


# --- reaching the customer (R-SOL-5, R-SOL-6, R-SOL-3) -----------------------------------


def test_nothing_reaches_the_customer_before_approval_R_SOL_5(
    opportunity, engineer, rigid, chain, reviewer, write_version
):
    version = write_version(opportunity)
    for _step in ("draft", "in_review"):
        with pytest.raises(GateRefused):
            services.version_mark_presented(actor=engineer, version=version)
        with pytest.raises(Conflict):
            services.require_approved(version, "Customer copy")
        with pytest.raises(Conflict):
            services.acceptance_record(
                actor=engineer,
                version=version,
                data={"contact_name": "王總", "method": "email", "accepted_at": timezone.now()},
            )
        if version.status == VersionStatus.DRAFT:
            _submit(version, engineer)
            version.refresh_from_db()
    _approve(version, reviewer)
    services.version_mark_presented(actor=engineer, version=version)
    version.refresh_from_db()
    assert version.presented_at is not None
    with pytest.raises(GateRefused):
        services.version_mark_presented(actor=engineer, version=version)


def test_customer_copy_has_no_cost_or_margin_R_SOL_5(
    opportunity, engineer, rigid, chain, reviewer, write_version
):
    version = write_version(opportunity)
    _submit(version, engineer)
    _approve(version, reviewer)
    copy = customer_copy(version)
    text = repr(copy)
    assert "700" not in text and "7000" not in text and "cost" not in text and "margin" not in text
    assert copy["totals"] == {"price_excl_tax": "10000.00", "tax": "1300.00", "price_incl_tax": "11300.00"}


def test_acceptance_one_version_per_opportunity_R_SOL_6(
    opportunity, engineer, rigid, chain, reviewer, write_version
):
    version = write_version(opportunity)
    _submit(version, engineer)
    _approve(version, reviewer)
    data = {"contact_name": "王總", "method": "email", "accepted_at": timezone.now()}
    with pytest.raises(Conflict):
        services.acceptance_record(actor=engineer, version=version, data=data)  # not presented yet
    services.version_mark_presented(actor=engineer, version=version)
    contact = ContactFactory(customer=opportunity.customer)
    first = services.acceptance_record(
        actor=engineer, version=version, data=dict(data, contact=contact, contact_name="")
    )
    assert first.who == str(contact)
    other_contact = ContactFactory()
    with pytest.raises(DomainError) as exc:
        services.acceptance_record(actor=engineer, version=version, data=dict(data, contact=other_contact))
    assert "contact" in exc.value.fields
    with pytest.raises(DomainError):
        services.acceptance_record(actor=engineer, version=version, data=dict(data, contact_name=""))
    second = services.acceptance_record(actor=engineer, version=version, data=dict(data, method="meeting"))
    assert Acceptance.objects.get(superseded_at__isnull=True) == second
    first.refresh_from_db()
    assert first.superseded_at is not None
    # the database holds it too
    from django.db import IntegrityError

    with pytest.raises(IntegrityError), transaction.atomic():
        Acceptance.objects.filter(pk=first.pk).update(superseded_at=None)


def test_feedback_starts_the_revision_timer_next_submission_meets_it_R_SOL_3(
    opportunity, engineer, rigid, chain, reviewer, write_version
):
    version = write_version(opportunity)
    _submit(version, engineer)
    _approve(version, reviewer)
    with pytest.raises(Conflict):
        services.feedback_record(actor=engineer, version=version, data={"content": "Cheaper please."})
    services.version_mark_presented(actor=engineer, version=version)
    received = timezone.now() - timedelta(hours=1)
    services.feedback_record(
        actor=engineer,
        version=version,
        data={"content": "Cheaper please.", "received_at": received, "contact_name": "李"},
    )
    timer = Timer.objects.get(kind=SOLUTION_REVISION, subject_id=version.solution_id)
    assert timer.state == "open" and timer.due_at == received + timedelta(hours=48)
    nxt = services.version_create_next(actor=engineer, solution=version.solution)
    _submit(nxt, engineer)
    timer.refresh_from_db()
    assert timer.state == "satisfied"


# --- stage gates (R-SOL-5) ---------------------------------------------------------------


def test_into_review_needs_a_submitted_version_and_demo_an_approved_one_R_SOL_5(
    opportunity, engineer, rigid, chain, reviewer, write_version
):
    with pytest.raises(GateRefused) as exc:
        opportunity_move(actor=engineer, opportunity=opportunity, move="submit_for_review")
    assert "Submit a solution version for review first." in exc.value.reasons
    version = write_version(opportunity)
    _submit(version, engineer)
    opportunity_move(actor=engineer, opportunity=opportunity, move="submit_for_review")
    with pytest.raises(GateRefused) as exc:
        opportunity_move(actor=engineer, opportunity=opportunity, move="start_demo")
    assert any("R-SOL-5" in r for r in exc.value.reasons)
    _approve(version, reviewer)
    moved = opportunity_move(actor=engineer, opportunity=opportunity, move="start_demo")
    assert moved.stage == Stage.DEMO


def test_writer_and_owner_are_notified_once(
    opportunity, engineer, make_user, team, rigid, chain, reviewer, write_version
):
    from presales.sla.models import Notification

    writer = make_user(Role.PRESALES_ENGINEER, team=team)
    version = write_version(opportunity)
    section = version.sections.get()
    services.section_update(
        actor=engineer, section=section, data={"writer": writer, "due_date": date(2026, 12, 22)}
    )
    services.section_update(actor=engineer, section=section, data={"body_html": "<p>More.</p>"})
    (notice,) = Notification.objects.filter(recipient=writer, kind="solution_section_assigned")
    assert "2026-12-22" in notice.title
    # feedback: the presales owner (here the engineer, who records it) is not told of their own act;
    # recorded by the sales owner, the presales owner hears of it
    services.section_update(actor=engineer, section=section, data={"writer": None, "due_date": None})
    services.version_submit(actor=engineer, version=version)
    _approve(version, reviewer)
    services.version_mark_presented(actor=engineer, version=version)
    sales = opportunity.sales_owner
    services.feedback_record(actor=sales, version=version, data={"content": "需要增加培訓"})
    assert Notification.objects.filter(recipient=engineer, kind="solution_feedback").count() == 1


def test_review_withdrawn_on_its_page_withdraws_the_version_R_REV_5(
    opportunity, engineer, rigid, chain, reviewer, write_version
):
    from reviews.services import review_cancel

    version = write_version(opportunity)
    _submit(version, engineer)
    review_cancel(actor=engineer, review=review_of(version), reason="Wrong quote attached.")
    version.refresh_from_db()
    assert version.status == VersionStatus.WITHDRAWN
    assert VersionStatusChange.objects.filter(solution_version=version, move="cancel").exists()


def test_foreign_currency_quote_keeps_the_rate_it_was_reviewed_at_R_QUOTE_1(
    opportunity, engineer, rigid, chain, reviewer, write_version
):
    from opportunities.models import Opportunity
    from proposals.review_subjects import _amount_of

    Opportunity.objects.filter(pk=opportunity.pk).update(
        currency="USD", fx_rate_to_cny=Decimal("7.1"), fx_rate_date=date(2026, 11, 30)
    )
    opportunity.refresh_from_db()
    version = write_version(opportunity)
    _submit(version, engineer)
    version.refresh_from_db()
    assert (version.currency, version.fx_rate_to_cny) == ("USD", Decimal("7.100000"))
    money = _amount_of(version)
    assert money.amount == Decimal("10000.00") and money.cny == Decimal("71000.00")
    # a later rate on the opportunity does not change the frozen version's
    Opportunity.objects.filter(pk=opportunity.pk).update(fx_rate_to_cny=Decimal("7.3"))
    assert SolutionVersion.objects.get(pk=version.pk).fx_rate_to_cny == Decimal("7.100000")


def test_who_wrote_the_text_a_new_version_carries_over_may_not_approve_it_R_REV_5(
    opportunity, engineer, make_user, team, rigid, chain, reviewer, write_version
):
    helper = make_user(Role.PRESALES_ENGINEER, team=team)
    version = write_version(opportunity)
    section = version.sections.get()
    services.section_update(actor=helper, section=section, data={"body_html": "<p>Helper's text.</p>"})
    _submit(version, engineer)
    review_decide(actor=reviewer, review=review_of(version), decision="reject", comment="Again.")
    nxt = services.version_create_next(actor=engineer, solution=version.solution)
    assert helper.pk in _authors_of(nxt)
    assert reviewer.pk not in _authors_of(nxt)


def test_the_presales_owner_signs_off_the_submission_R_SOL_1(
    opportunity, engineer, sales_rep, manager, rigid, chain, write_version, make_user, team
):
    version = write_version(opportunity)
    with pytest.raises(NotAllowed):
        _submit(version, sales_rep)  # works the opportunity, but does not sign the solution off
    assert SolutionVersion.objects.get(pk=version.pk).status == VersionStatus.DRAFT
    _submit(version, engineer)
    assert SolutionVersion.objects.get(pk=version.pk).status == VersionStatus.IN_REVIEW


def test_closing_the_opportunity_withdraws_the_versions_review_and_deadlines(
    opportunity, engineer, make_user, team, rigid, chain, reviewer, write_version
):
    from opportunities.models import Opportunity

    writer = make_user(Role.PRESALES_ENGINEER, team=team)
    version = write_version(opportunity)
    _submit(version, engineer)
    other = services.solution_create(actor=engineer, opportunity=opportunity, title="B").versions.get()
    services.section_create(
        actor=engineer, version=other, kind="modules", data={"writer": writer, "due_date": date(2026, 12, 30)}
    )
    Opportunity.objects.filter(pk=opportunity.pk).update(
        stage=Stage.LOST, close_reason="other", close_note="x"
    )
    opportunity.refresh_from_db()
    with transaction.atomic():
        services.versions_on_opportunity_closed(opportunity=opportunity, actor=engineer)
    assert SolutionVersion.objects.get(pk=version.pk).status == VersionStatus.WITHDRAWN
    assert review_of(version).status == "cancelled"
    assert Timer.objects.get(kind=SECTION_DUE).state == "cancelled"
