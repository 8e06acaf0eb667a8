"""The opportunity models left ``presales`` for their own app with their tables kept: a
database filled by the old code migrates in place, and the reviews and timers that point at
the moved models through content types still find them (R-OPP-1, R-OPP-2, R-REV-1)."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

# The last migrations before the move; later ones of other apps are unapplied with them.
BEFORE = [
    ("presales", "0004_export_jobs"),
    ("leads", "0004_field_verbose_names"),
    ("reviews", "0001_review_engine"),
    ("contenttypes", "0002_remove_content_type_name"),
]


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


def _latest():
    executor = MigrationExecutor(connection)
    return executor.loader.graph.leaf_nodes()


@pytest.fixture
def back_to_latest():
    """Whatever happens in the test, the database ends on the latest migrations (the next
    tests of this worker use it)."""
    yield
    _migrate(_latest())


@pytest.mark.django_db(transaction=True)
def test_a_database_filled_by_the_old_code_migrates_in_place(back_to_latest):
    # given the schema as the old code left it, with an opportunity, its initiation in
    # review, its stage history, and a review and a timer pointing at the initiation
    old = _migrate(BEFORE)
    team = old.get_model("presales", "Team").objects.create(name="East")
    user = old.get_model("presales", "User").objects.create(username="old_engineer", team=team)
    customer = old.get_model("leads", "Customer").objects.create(
        name="Huadong Precision", normalized_name="huadong precision", team=team, owner=user
    )
    now = timezone.now()
    opportunity = old.get_model("presales", "Opportunity").objects.create(
        customer=customer,
        title="MES upgrade",
        amount=Decimal("800000"),
        team=team,
        sales_owner=user,
        presales_owner=user,
        stage="lead_intake",
        stage_entered_at=now,
    )
    old.get_model("presales", "StageChange").objects.create(
        opportunity=opportunity, from_stage="", to_stage="lead_intake", move="create", actor=user, at=now
    )
    initiation = old.get_model("presales", "ProjectInitiation").objects.create(
        opportunity=opportunity, background="Two lines", status="in_review", submitted_by=user
    )
    old_types = old.get_model("contenttypes", "ContentType").objects
    initiation_type = old_types.get_or_create(app_label="presales", model="projectinitiation")[0]
    chain = old.get_model("reviews", "ReviewChain").objects.create(kind="initiation", name="Initiation")
    review = old.get_model("reviews", "Review").objects.create(
        chain=chain,
        kind="initiation",
        content_type_id=initiation_type.pk,
        object_id=initiation.pk,
        team=team,
        author=user,
        started_by=user,
        subject_summary="MES upgrade",
        status="in_progress",
    )
    old.get_model("presales", "Timer").objects.create(
        kind="initiation_review",
        subject_type_id=initiation_type.pk,
        subject_id=initiation.pk,
        owner=user,
        team=team,
        started_at=now,
        due_at=now + timedelta(days=2),
        next_action_at=now + timedelta(days=1),
        policy={},
        policy_version=0,
    )

    # when the new code's migrations run
    _migrate(_latest())

    # then the rows are read through the moved models, unchanged
    from opportunities.models import Opportunity, ProjectInitiation, StageChange
    from presales.sla.models import Timer
    from reviews.models import Review

    moved = Opportunity.objects.get(pk=opportunity.pk)
    assert (moved.title, moved.amount, moved.customer_id) == ("MES upgrade", Decimal("800000"), customer.pk)
    assert StageChange.objects.get(opportunity=moved).to_stage == "lead_intake"
    assert ProjectInitiation.objects.get(pk=initiation.pk).status == "in_review"
    # and the content type followed the model, keeping its id: the review and the timer
    # still reach their subject
    new_type = ContentType.objects.get_for_model(ProjectInitiation)
    assert (new_type.pk, new_type.app_label) == (initiation_type.pk, "opportunities")
    assert not ContentType.objects.filter(app_label="presales", model="projectinitiation").exists()
    assert Review.objects.get(pk=review.pk).subject == ProjectInitiation.objects.get(pk=initiation.pk)
    assert Timer.objects.get().subject.pk == initiation.pk
    # and the history tables kept their names too
    assert Opportunity.history.model._meta.db_table == "presales_historicalopportunity"


@pytest.mark.django_db(transaction=True)
def test_the_move_can_be_migrated_back(back_to_latest):
    """Unapplying the move gives the content types back to ``presales`` (a rollback of a
    release must not strand reviews and timers)."""
    # given the current schema with the initiation's content type in use
    from opportunities.models import ProjectInitiation

    type_id = ContentType.objects.get_for_model(ProjectInitiation).pk
    # when the migrations are unapplied to before the move
    _migrate(BEFORE)
    # then the content type is the old one again, same id
    with connection.cursor() as cursor:
        cursor.execute("SELECT app_label FROM django_content_type WHERE id = %s", [type_id])
        assert cursor.fetchone() == ("presales",)
