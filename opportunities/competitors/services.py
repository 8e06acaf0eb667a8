"""Competitor use cases (R-COMP-1): records, products, intelligence, merging duplicates, and the
competitors in play on an opportunity. Keyword-only, atomic, permission checked inside.

Who may write what:
- the competitor record and its products: managers and admins (reference data read by all);
- intelligence: any writer role;
- the competitors in play on an opportunity: who may work the opportunity
  (``opportunities.permissions.can_work_opportunity``); naming a competitor there creates its
  record when the name is new (``competitor_resolve``).

``Opportunity.competitors`` (the names of the competitors in play) is kept as the mirror of
the in-play rows, written here, so the opportunity API's ``competitors`` list of names keeps
its meaning on read and write. Lock order: the opportunity first, then its competitor rows.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from opportunities.competitors.naming import NAME_MAX, clean_name
from opportunities.locks import lock_opportunity
from opportunities.models import (
    Competitor,
    CompetitorIntel,
    CompetitorProduct,
    Opportunity,
    OpportunityCompetitor,
)
from opportunities.permissions import require_work
from presales.accounts.models import User
from presales.core.errors import Conflict, DomainError, NotAllowed
from presales.core.roles import MANAGER_ROLES, WRITER_ROLES, Actor, Role
from presales.core.writes import apply_fields, check_version, delete_as, save_as, validate

COMPETITOR_FIELDS = ("name", "aliases", "website", "strengths", "weaknesses", "notes")
PRODUCT_FIELDS = ("name", "price_range", "notes")
LINK_FIELDS = ("offer", "price", "differentiators", "in_play")
INTEL_MAX_AGE_YEARS = 20


# --- permissions ---------------------------------------------------------------------------


def can_read_competitors(actor: Actor) -> bool:
    """Competitor records are company-wide reference data: every member of staff with a role."""
    return bool(actor.is_authenticated and (actor.is_superuser or actor.roles))


def can_manage_competitors(actor: Actor) -> bool:
    """The records themselves (create, edit, products, merge): managers and admins."""
    return bool(actor.is_authenticated and (actor.is_superuser or actor.has_role(Role.ADMIN, *MANAGER_ROLES)))


def can_add_intel(actor: Actor) -> bool:
    return bool(actor.is_authenticated and (actor.is_superuser or actor.has_role(*WRITER_ROLES)))


def require_manage(actor: Actor) -> None:
    if not can_manage_competitors(actor):
        raise NotAllowed(_("Only managers and admins change competitor records."))


# --- helpers -------------------------------------------------------------------------------


def _clean_record(competitor: Competitor) -> None:
    competitor.name = clean_name(competitor.name)
    competitor.aliases = "\n".join(
        dict.fromkeys(clean_name(a) for a in competitor.aliases.splitlines() if a.strip())
    )
    if not competitor.name:
        raise DomainError(fields={"name": [_("Give the competitor's name.")]})
    if len(competitor.name) > NAME_MAX:
        raise DomainError(fields={"name": [_("A competitor's name is at most 200 characters.")]})
    same = Competitor.objects.filter(name__iexact=competitor.name).exclude(pk=competitor.pk)
    if same.exists():
        raise DomainError(
            fields={"name": [_("A competitor with this name already exists.")]}, code="duplicate"
        )


def _save_new(competitor: Competitor, actor: User) -> Competitor:
    """Insert a new record in a savepoint: a concurrent insert of the same name (the
    case-insensitive unique index) answers with that record instead of an error."""
    try:
        with transaction.atomic():
            save_as(competitor, actor)
    except IntegrityError:
        existing = Competitor.objects.filter(name__iexact=competitor.name).first()
        if existing is None:
            raise
        return existing
    return competitor


def find_competitor(name: str) -> Competitor | None:
    """The record named ``name``: by its name whatever the case, else by one of its aliases."""
    name = clean_name(name)
    if not name:
        return None
    record = Competitor.objects.filter(name__iexact=name).first()
    if record is not None:
        return record
    key = name.lower()
    for candidate in Competitor.objects.filter(aliases__icontains=name):
        if key in (alias.lower() for alias in candidate.alias_list()):
            return candidate
    return None


def competitor_resolve(*, actor: User, name: str) -> Competitor | None:
    """R-COMP-1: the record of a competitor named in free text (an opportunity's list, the
    winner of a lost opportunity, a bid's winning vendor), created when the name is new.
    Blank gives None. Callers have checked their own permission (the opportunity's)."""
    name = clean_name(name)
    if not name:
        return None
    if len(name) > NAME_MAX:
        raise DomainError(fields={"competitors": [_("A competitor's name is at most 200 characters.")]})
    record = find_competitor(name)
    if record is not None:
        return record
    return _save_new(Competitor(name=name, created_by=actor if actor.is_authenticated else None), actor)


# --- competitor records --------------------------------------------------------------------


@transaction.atomic
def competitor_create(*, actor: User, data: dict[str, Any]) -> Competitor:
    """A new competitor record (R-COMP-1); its name must not exist yet in any case."""
    require_manage(actor)
    competitor = Competitor(created_by=actor)
    apply_fields(competitor, data, COMPETITOR_FIELDS)
    _clean_record(competitor)
    validate(competitor)
    save_as(competitor, actor)
    return competitor


@transaction.atomic
def competitor_update(
    *, actor: User, competitor: Competitor, data: dict[str, Any], expected_version: int | None = None
) -> Competitor:
    """Change a competitor's profile (R-COMP-1)."""
    require_manage(actor)
    competitor = Competitor.objects.select_for_update().get(pk=competitor.pk)
    check_version(competitor, expected_version)
    apply_fields(competitor, data, COMPETITOR_FIELDS)
    _clean_record(competitor)
    validate(competitor)
    save_as(competitor, actor)
    return competitor


@transaction.atomic
def competitor_merge(*, actor: User, keep: Competitor, duplicate: Competitor) -> Competitor:
    """Fold ``duplicate`` into ``keep`` (R-COMP-1): its name becomes an alias, its products,
    intelligence, opportunities in play and wins move over (an opportunity naming both keeps
    ``keep``'s row), every other record pointing at it (e.g. a bid's winner) follows, then the
    duplicate is deleted. Records are locked by id order."""
    require_manage(actor)
    if keep.pk == duplicate.pk:
        raise DomainError(fields={"duplicate": [_("Choose another competitor to merge.")]})
    locked = {c.pk: c for c in Competitor.objects.select_for_update().filter(pk__in=[keep.pk, duplicate.pk])}
    if len(locked) != 2:
        raise Conflict(_("One of the competitors no longer exists."))
    keep, duplicate = locked[keep.pk], locked[duplicate.pk]
    aliases = [*keep.alias_list(), duplicate.name, *duplicate.alias_list()]
    keep.aliases = "\n".join(dict.fromkeys(a for a in aliases if a.lower() != keep.name.lower()))
    for field, text in (
        ("strengths", duplicate.strengths),
        ("weaknesses", duplicate.weaknesses),
        ("notes", duplicate.notes),
    ):
        if text and text not in getattr(keep, field):
            setattr(keep, field, "\n\n".join(x for x in (getattr(keep, field), text) if x))
    if not keep.website:
        keep.website = duplicate.website
    already = OpportunityCompetitor.objects.filter(competitor=keep).values("opportunity_id")
    OpportunityCompetitor.objects.filter(competitor=duplicate, opportunity_id__in=already).delete()
    # Every foreign key to the duplicate follows it (this app's and the apps' above, such as
    # the bid's winner), without importing those apps.
    for relation in Competitor._meta.related_objects:
        if relation.one_to_many and not relation.related_model._meta.auto_created:
            if relation.related_model.__name__.startswith("Historical"):
                continue
            relation.related_model._base_manager.filter(**{relation.field.name: duplicate}).update(
                **{relation.field.name: keep}
            )
    save_as(keep, actor)
    delete_as(duplicate, actor)
    return keep


@transaction.atomic
def competitor_product_save(
    *, actor: User, competitor: Competitor, data: dict[str, Any], product: CompetitorProduct | None = None
) -> CompetitorProduct:
    """Add or change a product line of a competitor (R-COMP-1)."""
    require_manage(actor)
    if product is None:
        product = CompetitorProduct(competitor=competitor)
    elif product.competitor_id != competitor.pk:
        raise DomainError(fields={"product": [_("This product belongs to another competitor.")]})
    apply_fields(product, data, PRODUCT_FIELDS)
    product.name = clean_name(product.name)
    if not product.name:
        raise DomainError(fields={"name": [_("Give the product's name.")]})
    validate(product)
    save_as(product, actor)
    return product


@transaction.atomic
def competitor_product_remove(*, actor: User, product: CompetitorProduct) -> None:
    require_manage(actor)
    delete_as(product, actor)


# --- intelligence --------------------------------------------------------------------------


@transaction.atomic
def intel_add(
    *,
    actor: User,
    competitor: Competitor,
    text: str,
    source: str,
    observed_on: date | None,
    opportunity: Opportunity | None = None,
) -> CompetitorIntel:
    """Record what was learned about a competitor (R-COMP-1): the text, its source and the
    day it was observed are required; the day is not in the future. An opportunity named
    must be one the writer sees."""
    if not can_add_intel(actor):
        raise NotAllowed(_("Your role cannot record competitor intelligence."))
    errors: dict[str, list[str]] = {}
    text, source = (text or "").strip(), clean_name(source)
    if not text:
        errors["text"] = [_("Write what was learned.")]
    if not source:
        errors["source"] = [_("Give the source of the intelligence.")]
    if observed_on is None:
        errors["observed_on"] = [_("Give the day it was observed.")]
    elif observed_on > timezone.localdate():
        errors["observed_on"] = [_("The day observed cannot be in the future.")]
    if (
        opportunity is not None
        and not Opportunity.objects.visible_to(actor).filter(pk=opportunity.pk).exists()
    ):
        errors["opportunity"] = [_("Choose an opportunity you can see.")]
    if errors or observed_on is None:
        raise DomainError(fields=errors)
    intel = CompetitorIntel(
        competitor=competitor,
        text=text,
        source=source,
        observed_on=observed_on,
        recorded_by=actor,
        opportunity=opportunity,
    )
    validate(intel)
    intel.save()
    return intel


# --- competitors in play on an opportunity -------------------------------------------------


def _clean_price(value: Any) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        price = Decimal(str(value))
    except (InvalidOperation, ValueError):
        raise DomainError(fields={"price": [_("Enter a number.")]}) from None
    if not price.is_finite() or price < 0:
        raise DomainError(fields={"price": [_("The price cannot be negative.")]})
    return price


def _mirror_names(opportunity: Opportunity) -> None:
    """``Opportunity.competitors`` = the names of the competitors in play (R-COMP-1): the API's
    list of names. Written without raising the opportunity's version: it is a mirror of rows
    with their own history, not an edit of the opportunity."""
    names = list(
        OpportunityCompetitor.objects.filter(opportunity=opportunity, in_play=True)
        .order_by("id")
        .values_list("competitor__name", flat=True)
    )
    if names != list(opportunity.competitors or []):
        Opportunity.objects.filter(pk=opportunity.pk).update(competitors=names)
        opportunity.competitors = names


def _link(actor: User, opportunity: Opportunity, competitor: Competitor) -> OpportunityCompetitor:
    link = (
        OpportunityCompetitor.objects.select_for_update()
        .filter(opportunity=opportunity, competitor=competitor)
        .first()
    )
    if link is None:
        link = OpportunityCompetitor(opportunity=opportunity, competitor=competitor)
        save_as(link, actor)
    elif not link.in_play:
        link.in_play = True
        save_as(link, actor)
    return link


def sync_opportunity_competitors(*, actor: User, opportunity: Opportunity, names: Iterable[str]) -> None:
    """The opportunity's competitors given as names (the opportunity form and API, a lead's
    qualification): each name is in play (its record created when new); a competitor in play
    whose name is no longer given is taken out of play, its offer and price kept. The caller
    holds the opportunity's lock and has checked who may work it."""
    wanted = [r for r in (competitor_resolve(actor=actor, name=n) for n in names) if r is not None]
    wanted_ids = {r.pk for r in wanted}
    for record in wanted:
        _link(actor, opportunity, record)
    for link in OpportunityCompetitor.objects.select_for_update().filter(
        opportunity=opportunity, in_play=True
    ):
        if link.competitor_id not in wanted_ids:
            link.in_play = False
            save_as(link, actor)
    _mirror_names(opportunity)


def link_winner(*, actor: User, opportunity: Opportunity, name: str) -> Competitor | None:
    """The close move's winning competitor (R-COMP-1): resolved to its record, set as the
    opportunity's ``winner`` and kept on its competitors (not in play any more: the deal is
    over, but win/loss against them counts it). The caller saves the opportunity."""
    record = competitor_resolve(actor=actor, name=name)
    opportunity.winner = record
    if record is not None:
        link = OpportunityCompetitor.objects.filter(opportunity=opportunity, competitor=record).first()
        if link is None:
            save_as(OpportunityCompetitor(opportunity=opportunity, competitor=record), actor)
    return record


def _require_open_work(actor: User, opportunity: Opportunity) -> Opportunity:
    opportunity = lock_opportunity(opportunity.pk)
    require_work(actor, opportunity)
    if not opportunity.is_open:
        raise Conflict(_("A closed opportunity cannot be edited."))
    return opportunity


@transaction.atomic
def opportunity_competitor_add(
    *,
    actor: User,
    opportunity: Opportunity,
    competitor: Competitor | None = None,
    name: str = "",
    data: dict[str, Any] | None = None,
) -> OpportunityCompetitor:
    """Put a competitor in play on an opportunity (R-COMP-1), chosen as a record or named
    (created when new), with their offer, price and our differentiators."""
    opportunity = _require_open_work(actor, opportunity)
    if competitor is None:
        competitor = competitor_resolve(actor=actor, name=name)
        if competitor is None:
            raise DomainError(fields={"competitor": [_("Choose or name the competitor.")]})
    if OpportunityCompetitor.objects.filter(
        opportunity=opportunity, competitor=competitor, in_play=True
    ).exists():
        raise DomainError(
            fields={"competitor": [_("This competitor is already on the opportunity.")]}, code="duplicate"
        )
    link = _link(actor, opportunity, competitor)
    if data:
        _apply_link(link, data)
        save_as(link, actor)
    _mirror_names(opportunity)
    return link


def _apply_link(link: OpportunityCompetitor, data: dict[str, Any]) -> None:
    data = dict(data)
    if "price" in data:
        data["price"] = _clean_price(data["price"])
    apply_fields(link, data, LINK_FIELDS)
    validate(link)


@transaction.atomic
def opportunity_competitor_update(
    *, actor: User, link: OpportunityCompetitor, data: dict[str, Any], expected_version: int | None = None
) -> OpportunityCompetitor:
    """Change a competitor's offer, price, our differentiators or whether they are in play."""
    opportunity = _require_open_work(actor, link.opportunity)
    link = OpportunityCompetitor.objects.select_for_update().get(pk=link.pk)
    check_version(link, expected_version)
    _apply_link(link, data)
    save_as(link, actor)
    _mirror_names(opportunity)
    return link


@transaction.atomic
def opportunity_competitor_remove(*, actor: User, link: OpportunityCompetitor) -> None:
    """Take a competitor off an opportunity (a row named by mistake). A competitor that won
    the opportunity stays."""
    opportunity = _require_open_work(actor, link.opportunity)
    link = OpportunityCompetitor.objects.select_for_update().get(pk=link.pk)
    if opportunity.winner_id == link.competitor_id:
        raise Conflict(_("The winner of the opportunity stays on it."))
    delete_as(link, actor)
    _mirror_names(opportunity)
