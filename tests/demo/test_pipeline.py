"""The demo pipeline: every stage, initiations approved / in review / rejected, idempotent."""

import io

import pytest
from django.core.management import call_command

from opportunities.choices import InitiationStatus, Stage
from opportunities.models import Opportunity, ProjectInitiation, StageChange
from presales.accounts.models import User
from reviews.selectors import inbox_for, reviews_for_subject

pytestmark = pytest.mark.django_db


def test_demo_pipeline_covers_every_stage_and_is_idempotent():
    # when the demo is loaded twice
    call_command("load_demo", stdout=io.StringIO())
    counts = (Opportunity.objects.count(), StageChange.objects.count(), ProjectInitiation.objects.count())
    call_command("load_demo", stdout=io.StringIO())
    # then the second run added nothing
    assert (
        Opportunity.objects.count(),
        StageChange.objects.count(),
        ProjectInitiation.objects.count(),
    ) == counts
    # and every stage has an opportunity
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
    assert Opportunity.objects.get(stage=Stage.ABANDONED).close_reason
    assert Opportunity.objects.exclude(bid_skip_reason="").exists()
