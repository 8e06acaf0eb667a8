"""What reaches the people a project initiation's review concerns (R-REV-1, R-REV-5, R-REV-6,
R-OPP-2): the approvers when their step opens, the submitter and the opportunity's owners
when it is decided or withdrawn; the rejection's comments above the edit form; the request's
content on the review form and in the inbox."""

from __future__ import annotations

import pytest
from django.urls import reverse

from opportunities.choices import ProjectRole
from opportunities.services import initiation_save, initiation_submit, initiation_withdraw
from presales.core.errors import Conflict
from presales.core.roles import Role
from presales.sla.models import Delivery, DeliveryChannel, Notification
from reviews.defaults import ensure_default_chains
from reviews.models import Review
from reviews.notifications import REVIEW_OUTCOME, REVIEW_WAITING, notify_finished, notify_step_opened
from reviews.selectors import reviews_for_subject, with_content
from reviews.services import review_decide
from tests.factories import OpportunityFactory

pytestmark = pytest.mark.django_db

REQUEST = {
    "background": "500 staff; two production lines to upgrade.",
    "sales_strategy": "Lead with the production-efficiency case.",
    "expected_goals": "Win phase 1 by June.",
}


@pytest.fixture
def chains(db):
    return ensure_default_chains()


@pytest.fixture
def sales_manager(make_user, team):
    return make_user(Role.SALES_MANAGER, team=team, username="sales_manager", email="sm@example.com")


@pytest.fixture
def expert(make_user, team):
    return make_user(Role.DEPARTMENT_HEAD, team=team, username="rd_head")


@pytest.fixture
def opportunity(team, engineer, sales_rep):
    return OpportunityFactory(team=team, sales_owner=sales_rep, presales_owner=engineer)


def _submitted(actor, opportunity, expert=None):
    team = (
        [{"user": expert, "role": ProjectRole.TECHNICAL_EXPERT, "responsibility": "Interfaces to the MES"}]
        if expert
        else []
    )
    initiation = initiation_save(actor=actor, opportunity=opportunity, data=REQUEST, team=team)
    return initiation_submit(actor=actor, initiation=initiation)


def _notices(kind):
    return {
        n.recipient.username: n for n in Notification.objects.filter(kind=kind).select_related("recipient")
    }


def test_the_sales_manager_is_told_when_the_request_reaches_their_step_R_REV_1(
    chains, engineer, sales_rep, sales_manager, opportunity
):
    # given a sales manager who reads Chinese, with an e-mail address
    sales_manager.language = "zh-hans"
    sales_manager.save()
    # when the presales owner sends the request to review
    initiation = _submitted(engineer, opportunity)
    # then only the approver of the step is told, in their language, by bell and e-mail
    waiting = _notices(REVIEW_WAITING)
    assert list(waiting) == ["sales_manager"]
    notice = waiting["sales_manager"]
    assert "项目立项" in notice.title and opportunity.title in notice.title
    assert notice.url == reviews_for_subject(initiation).first().get_absolute_url()
    assert list(Delivery.objects.filter(notification=notice).values_list("channel", flat=True)) == [
        DeliveryChannel.EMAIL
    ]
    assert not Notification.objects.filter(recipient=engineer).exists()


def test_a_rejection_reaches_the_submitter_and_owners_with_the_comments_not_the_rejecter_R_REV_5(
    chains, engineer, sales_rep, sales_manager, opportunity
):
    # given a request in review; the sales owner reads Chinese, the presales owner English
    sales_rep.language = "zh-hans"
    sales_rep.save()
    initiation = _submitted(engineer, opportunity)
    review = reviews_for_subject(initiation).first()
    # when the sales manager rejects it with comments
    review_decide(actor=sales_manager, review=review, decision="reject", comment="Name the decision maker.")
    # then the submitter (presales owner) and the sales owner are told, with the comments,
    # each in their language, linking to the edit form; the rejecter is not
    outcome = _notices(REVIEW_OUTCOME)
    assert set(outcome) == {"engineer", "sales"}
    assert "Project initiation" in outcome["engineer"].title
    assert "项目立项" in outcome["sales"].title
    for notice in outcome.values():
        assert "Name the decision maker." in notice.body
        assert notice.url == reverse("opportunities:initiation", args=[opportunity.pk])
    assert not Notification.objects.filter(recipient=sales_manager, kind=REVIEW_OUTCOME).exists()


def test_an_approval_reaches_the_submitter_and_owners_once_R_REV_1(
    chains, engineer, sales_rep, sales_manager, opportunity
):
    # given a request in review, approved
    initiation = _submitted(engineer, opportunity)
    review = reviews_for_subject(initiation).first()
    review_decide(actor=sales_manager, review=review, decision="approve")
    # when the approval is sent again (a double click) and the notices are asked again
    with pytest.raises(Conflict):
        review_decide(actor=sales_manager, review=review, decision="approve")
    review.refresh_from_db()
    notify_finished(review, recipient_ids={engineer.pk, sales_rep.pk}, actor=sales_manager)
    notify_step_opened(review, list(review.tasks.select_related("approver")), actor=engineer)
    # then each recipient got one notice of each event, with one delivery each
    outcome = _notices(REVIEW_OUTCOME)
    assert set(outcome) == {"engineer", "sales"}
    assert all(n.title.startswith("Approved") for n in outcome.values())
    assert Notification.objects.filter(kind=REVIEW_OUTCOME).count() == 2
    assert Notification.objects.filter(kind=REVIEW_WAITING).count() == 1
    assert Delivery.objects.filter(notification__kind=REVIEW_WAITING).count() == 1


def test_a_withdrawal_reaches_the_other_owners_not_the_one_who_withdrew_R_REV_5(
    chains, engineer, sales_rep, sales_manager, opportunity
):
    # given a request in review, sent by the presales owner
    initiation = _submitted(engineer, opportunity)
    # when the presales owner withdraws it
    initiation_withdraw(actor=engineer, initiation=initiation, reason="The budget moves to Q3.")
    # then the sales owner is told why; the one who withdrew it and the approver are not
    outcome = _notices(REVIEW_OUTCOME)
    assert list(outcome) == ["sales"]
    assert "The budget moves to Q3." in outcome["sales"].body
    assert outcome["sales"].title.startswith("Review withdrawn")


def test_the_edit_form_shows_the_rejection_comments_and_who_rejected_R_REV_5(
    client, chains, engineer, sales_rep, sales_manager, opportunity
):
    # given a rejected request
    initiation = _submitted(engineer, opportunity)
    review = reviews_for_subject(initiation).first()
    review_decide(actor=sales_manager, review=review, decision="reject", comment="Name the decision maker.")
    # when its author opens the edit form the notice links to
    client.force_login(engineer)
    response = client.get(reverse("opportunities:initiation", args=[opportunity.pk]))
    # then the comments and the rejecter stand above the form
    html = response.content.decode()
    assert response.status_code == 200
    block = html[html.index('data-testid="rejection-comments"') : html.index('data-testid="initiation-form"')]
    assert "Name the decision maker." in block
    assert str(sales_manager) in block


def test_the_edit_form_of_a_draft_shows_no_rejection_R_REV_5(client, chains, engineer, opportunity):
    initiation_save(actor=engineer, opportunity=opportunity, data=REQUEST)
    client.force_login(engineer)
    response = client.get(reverse("opportunities:initiation", args=[opportunity.pk]))
    assert response.status_code == 200
    assert b"rejection-comments" not in response.content


def test_the_review_form_and_inbox_show_the_request_s_content_R_REV_6_R_OPP_2(
    client, chains, engineer, sales_manager, expert, opportunity
):
    # given a request with a proposed team, in review
    initiation = _submitted(engineer, opportunity, expert=expert)
    review = reviews_for_subject(initiation).first()
    client.force_login(sales_manager)
    # when the approver opens the review form and the inbox
    pages = [
        client.get(reverse("reviews:detail", args=[review.pk])),
        client.get(reverse("reviews:inbox")),
    ]
    # then both show basic facts, strategy, goals and the team rows
    for response in pages:
        html = response.content.decode()
        assert response.status_code == 200
        assert 'data-testid="subject-content"' in html
        for text in (*REQUEST.values(), str(expert), "Interfaces to the MES", "Technical expert"):
            assert text in html, text


@pytest.mark.parametrize("count", [2, 10])
def test_the_inbox_fetches_the_content_in_constant_queries_R_REV_6(
    client, chains, team, sales_manager, make_user, django_assert_num_queries, count
):
    # given ``count`` requests in review, each with a proposed team member
    for n in range(count):
        owner = make_user(Role.PRESALES_ENGINEER, team=team, username=f"owner{n}")
        member = make_user(Role.PRESALES_ENGINEER, team=team, username=f"member{n}")
        opportunity = OpportunityFactory(team=team, presales_owner=owner)
        _submitted(owner, opportunity, expert=member)
    client.force_login(sales_manager)
    client.get(reverse("reviews:inbox"))  # warm the session and caches
    # when the approver opens the inbox
    # then every request's content is there, in as many queries for 2 as for 10 (the page
    # itself, then two for the requests and their proposed teams, whatever their number)
    with django_assert_num_queries(14):
        response = client.get(reverse("reviews:inbox"))
    assert response.content.decode().count('data-testid="subject-content"') == count


def test_the_content_of_any_number_of_requests_takes_two_queries_R_REV_6(
    chains, team, sales_manager, make_user, django_assert_num_queries
):
    for n in range(3):
        owner = make_user(Role.PRESALES_ENGINEER, team=team, username=f"owner{n}")
        member = make_user(Role.PRESALES_ENGINEER, team=team, username=f"member{n}")
        _submitted(owner, OpportunityFactory(team=team, presales_owner=owner), expert=member)
    reviews = list(Review.objects.all())
    with django_assert_num_queries(2):
        with_content(reviews)
        texts = [[(item.label, item.text, item.table) for item in r.content] for r in reviews]
    assert all(len(t) == 4 for t in texts)


def test_the_team_robot_posts_a_decided_review_once_not_per_recipient_R_REV_1(
    chains, engineer, sales_rep, sales_manager, opportunity, team
):
    """The submitter and the owners each get their bell; the team's robot, subscribed to
    review outcomes, posts the approval once (issue 8)."""
    from tests.factories import TeamWebhookFactory

    hook = TeamWebhookFactory(team=team, kinds=[REVIEW_OUTCOME, REVIEW_WAITING])
    initiation = _submitted(engineer, opportunity)
    review = reviews_for_subject(initiation).first()
    review_decide(actor=sales_manager, review=review, decision="approve")
    assert Notification.objects.filter(kind=REVIEW_OUTCOME).count() == 2
    posts = Delivery.objects.filter(channel=DeliveryChannel.WEBHOOK, webhook=hook)
    assert posts.filter(notification__kind=REVIEW_OUTCOME).count() == 1
    assert posts.filter(notification__kind=REVIEW_WAITING).count() == 1


def test_the_review_form_shows_what_was_sent_not_later_edits_R_REV_6(
    client, chains, engineer, sales_manager, expert, opportunity
):
    """The review keeps a snapshot of the request as it was sent, in every interface
    language; a later change of the request is flagged, and the form still shows what the
    reviewers decided on (issue 8)."""
    from opportunities.models import ProjectInitiation

    initiation = _submitted(engineer, opportunity, expert=expert)
    review = reviews_for_subject(initiation).first()
    assert set(review.content_snapshot) == {"zh-hans", "zh-hant", "en"}
    assert REQUEST["background"] in str(review.content_snapshot["en"])
    review_decide(actor=sales_manager, review=review, decision="approve")
    # when the request's text is changed afterwards (here behind the services' back)
    ProjectInitiation.objects.filter(pk=initiation.pk).update(background="Rewritten after the approval.")
    client.force_login(sales_manager)
    html = client.get(reverse("reviews:detail", args=[review.pk])).content.decode()
    # then the form shows the text that was approved, and says the request has changed
    assert REQUEST["background"] in html
    assert "Rewritten after the approval." not in html
    assert 'data-testid="content-changed"' in html
    # and a reader in Chinese reads the snapshot's Chinese labels
    sales_manager.language = "zh-hans"
    sales_manager.save()
    html = client.get(reverse("reviews:detail", args=[review.pk])).content.decode()
    assert REQUEST["background"] in html and "基本情况" in html


def test_an_unchanged_request_is_not_flagged_R_REV_6(client, chains, engineer, sales_manager, opportunity):
    initiation = _submitted(engineer, opportunity)
    review = reviews_for_subject(initiation).first()
    client.force_login(sales_manager)
    html = client.get(reverse("reviews:detail", args=[review.pk])).content.decode()
    assert REQUEST["background"] in html and 'data-testid="content-changed"' not in html


def test_the_inbox_shows_when_the_request_was_sent_and_flags_a_change_since_R_REV_6(
    client, chains, engineer, sales_manager, opportunity
):
    """The inbox is where approvers decide: it shows the request as sent ("as sent to review
    at …") and flags one changed while the review waits (issue 8)."""
    from opportunities.models import ProjectInitiation

    initiation = _submitted(engineer, opportunity)
    client.force_login(sales_manager)
    html = client.get(reverse("reviews:inbox")).content.decode()
    assert 'data-testid="content-as-submitted"' in html
    assert 'data-testid="content-changed"' not in html
    # when the request changes while it waits (behind the services' back)
    ProjectInitiation.objects.filter(pk=initiation.pk).update(background="Rewritten while in review.")
    html = client.get(reverse("reviews:inbox")).content.decode()
    # then the approver reads what was sent, and is told it has changed
    assert REQUEST["background"] in html and "Rewritten while in review." not in html
    assert 'data-testid="content-changed"' in html


def test_a_review_started_before_snapshots_shows_the_request_as_it_reads_now_R_REV_6(
    client, chains, engineer, sales_manager, opportunity
):
    """A review that predates the snapshot (``content_snapshot`` empty) shows the current
    request and says so, on the inbox and the form, in progress or decided (issue 8)."""
    initiation = _submitted(engineer, opportunity)
    review = reviews_for_subject(initiation).first()
    Review.objects.filter(pk=review.pk).update(content_snapshot={})
    client.force_login(sales_manager)
    for url in (reverse("reviews:inbox"), reverse("reviews:detail", args=[review.pk])):
        html = client.get(url).content.decode()
        assert REQUEST["background"] in html
        assert 'data-testid="content-as-now"' in html
        assert 'data-testid="content-as-submitted"' not in html
