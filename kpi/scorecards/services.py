"""Scorecards' use cases (R-KPI-2). Every write is here, so the web pages, the API, the admin
and a direct call meet the same rules: weights total 100; only the person's appraiser creates,
rates, shares and signs; the person reads and comments once shared; a signed scorecard is
frozen (its ``snapshot`` holds every figure) and refuses every change with a 409."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kpi.indicators import Value, compute_all, get_indicator
from kpi.models.scorecards import (
    ItemSection,
    RatingScale,
    Scorecard,
    ScorecardAudience,
    ScorecardComment,
    ScorecardStatus,
    ScorecardTemplate,
    ScorecardTemplateItem,
    appraised_team_ids,
)
from kpi.periods import Period
from kpi.scorecards import notifications
from kpi.scorecards.defaults import TEMPLATE_NAMES, default_template_items
from kpi.scorecards.transitions import MACHINE, may_appraise
from presales.core.errors import Conflict, DomainError, NotAllowed, NotFound
from presales.core.roles import Role
from presales.core.writes import check_version, save_as, validate

HUNDRED = Decimal(100)
TWO = Decimal("0.01")
KEY_SECTION = ItemSection.KEY_INDICATORS
ITEM_FIELDS = ("section", "code", "label", "description", "indicator_key", "weight", "target", "scale")

# --- templates ----------------------------------------------------------------------------------


def _clean_items(items: list[dict[str, Any]]) -> list[ScorecardTemplateItem]:
    if not isinstance(items, list) or not items:
        raise DomainError(fields={"items": [_("A template needs at least one item.")]})
    built = []
    codes: set[str] = set()
    for order, data in enumerate(items):
        if not isinstance(data, dict):
            raise DomainError(fields={"items": [_("Each item is an object.")]})
        unknown = set(data).difference(ITEM_FIELDS)
        if unknown:
            raise DomainError(
                fields={
                    "items": [_("Unknown item fields: %(names)s.") % {"names": ", ".join(sorted(unknown))}]
                }
            )
        item = ScorecardTemplateItem(order=order, **data)
        try:
            item.weight = Decimal(str(item.weight))
            item.target = None if item.target in (None, "") else Decimal(str(item.target))
        except (InvalidOperation, ValueError):
            raise DomainError(fields={"items": [_("Weights and targets are numbers.")]}) from None
        if item.section == KEY_SECTION:
            indicator = get_indicator(item.indicator_key)
            if indicator is None:
                raise DomainError(
                    fields={"items": [_("Unknown indicator: %(key)s.") % {"key": item.indicator_key}]}
                )
            if item.target is not None and item.target <= 0:
                raise DomainError(fields={"items": [_("A target is above zero.")]})
        if item.code in codes:
            raise DomainError(fields={"items": [_("Item codes are unique: %(code)s.") % {"code": item.code}]})
        codes.add(item.code)
        validate(item, exclude=["template"])
        built.append(item)
    total = sum((i.weight for i in built), Decimal(0))
    if total != HUNDRED:
        raise DomainError(
            fields={
                "items": [
                    _("The weights total %(total)s %%; they must total 100 %%.")
                    % {"total": total.normalize()}
                ]
            }
        )
    return built


@transaction.atomic
def scorecard_template_create(
    *, actor: Any, name: str, audience: str, period_kind: str, items: list[dict[str, Any]]
) -> ScorecardTemplate:
    """A template with its items; the weights must total 100 (400 otherwise)."""
    _require_admin(actor)
    template = ScorecardTemplate(name=name, audience=audience, period_kind=period_kind)
    validate(template)
    built = _clean_items(items)
    save_as(template, actor)
    for item in built:
        item.template = template
    ScorecardTemplateItem.objects.bulk_create(built)
    return template


@transaction.atomic
def scorecard_template_update(
    *,
    actor: Any,
    template: ScorecardTemplate,
    data: dict[str, Any],
    items: list[dict[str, Any]] | None = None,
    expected_version: int | None = None,
) -> ScorecardTemplate:
    """Change a template (name, active) and replace its items; scorecards already made keep
    the items they copied."""
    _require_admin(actor)
    template = ScorecardTemplate.objects.select_for_update().get(pk=template.pk)
    check_version(template, expected_version)
    for name in set(data).difference({"name", "is_active"}):
        raise DomainError(fields={name: [_("This field cannot be set here.")]})
    for name, value in data.items():
        setattr(template, name, value)
    validate(template)
    if items is not None:
        built = _clean_items(items)
        template.items.all().delete()
        for item in built:
            item.template = template
        ScorecardTemplateItem.objects.bulk_create(built)
    save_as(template, actor)
    return template


def _require_admin(actor: Any) -> None:
    if not (actor.is_superuser or actor.has_role(Role.ADMIN, Role.GENERAL_MANAGER)):
        raise NotAllowed(_("Only an administrator configures scorecard templates."))


def ensure_default_scorecard_templates() -> list[ScorecardTemplate]:
    """The seed's templates (presales engineer and manager; month, quarter, year), created when
    missing (idempotent; the data migration and test fixtures call it)."""
    made = []
    for audience in (ScorecardAudience.PRESALES_ENGINEER, ScorecardAudience.PRESALES_MANAGER):
        for kind, name in TEMPLATE_NAMES.items():
            template, created = ScorecardTemplate.objects.get_or_create(
                audience=audience, period_kind=kind, name=name
            )
            if created:
                ScorecardTemplateItem.objects.bulk_create(
                    ScorecardTemplateItem(template=template, order=i, **data)
                    for i, data in enumerate(default_template_items(kind))
                )
            made.append(template)
    return made


# --- scorecards ---------------------------------------------------------------------------------


def _locked(scorecard: Scorecard) -> Scorecard:
    locked = Scorecard.objects.select_for_update().get(pk=scorecard.pk)
    if locked.status == ScorecardStatus.SIGNED:
        raise Conflict(_("This scorecard is signed off; it cannot change."), code="signed")
    return locked


def _position(person: Any) -> str:
    for role in (Role.PRESALES_MANAGER, Role.PRESALES_ENGINEER, Role.SALES_MANAGER, Role.SALES_REP):
        if role in person.roles:
            return str(role.label)
    return ""


@transaction.atomic
def scorecard_create(*, actor: Any, person: Any, template: ScorecardTemplate, period: str) -> Scorecard:
    """A draft scorecard of ``person`` for ``period`` (e.g. 2026-11), by their appraiser; the
    header (team, department, position, name) and the template's items are copied now."""
    parsed = Period.parse(period)
    if parsed.kind != template.period_kind:
        raise DomainError(fields={"period": [_("The template is for another kind of period.")]})
    if not template.is_active:
        raise DomainError(fields={"template": [_("This template is no longer in use.")]})
    teams = appraised_team_ids(actor)
    if actor.pk == person.pk or (teams is not None and person.team_id not in teams):
        raise NotAllowed(_("You may create scorecards only for the people of your teams."))
    team = person.team
    scorecard = Scorecard(
        template=template,
        person=person,
        period=parsed.key,
        period_kind=parsed.kind,
        team=team,
        department=str(team.get_department_display()) if team is not None else "",
        position=_position(person),
        person_name=str(person),
        items=[item.as_snapshot() for item in template.items.all()],
        created_by=actor,
    )
    if Scorecard.objects.filter(person=person, template=template, period=parsed.key).exists():
        raise Conflict(_("This person already has this scorecard for this period."), code="duplicate")
    try:
        with transaction.atomic():
            save_as(scorecard, actor)
    except IntegrityError:
        raise Conflict(
            _("This person already has this scorecard for this period."), code="duplicate"
        ) from None
    return scorecard


def _rating(item: dict[str, Any], value: Any) -> Decimal:
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError):
        raise DomainError(fields={item["code"]: [_("Enter a number.")]}) from None
    low, high = (
        (Decimal(1), Decimal(5))
        if item.get("scale", RatingScale.SCORE5) == RatingScale.SCORE5
        else (Decimal(0), HUNDRED)
    )
    if not low <= number <= high or not number.is_finite():
        raise DomainError(
            fields={item["code"]: [_("Rate from %(low)s to %(high)s.") % {"low": low, "high": high}]}
        )
    return number


@transaction.atomic
def scorecard_rate(
    *,
    actor: Any,
    scorecard: Scorecard,
    ratings: dict[str, Any],
    manager_comment: str | None = None,
    expected_version: int | None = None,
) -> Scorecard:
    """The manager's ratings of the work items (by item code: 1–5 or 0–100 per the item's
    scale) and comment. Before sharing only; a signed scorecard is 409."""
    scorecard = _locked(scorecard)
    check_version(scorecard, expected_version)
    MACHINE.check(scorecard, actor, "rate")
    rated = {item["code"]: item for item in scorecard.items if item["section"] != KEY_SECTION}
    if not isinstance(ratings, dict):
        raise DomainError(fields={"ratings": [_("Ratings are given by item code.")]})
    unknown = set(ratings).difference(rated)
    if unknown:
        raise DomainError(
            fields={"ratings": [_("Unknown items: %(codes)s.") % {"codes": ", ".join(sorted(unknown))}]}
        )
    current = dict(scorecard.ratings or {})
    for code, value in ratings.items():
        if value in (None, ""):
            current.pop(code, None)
        else:
            current[code] = str(_rating(rated[code], value))
    scorecard.ratings = current
    if manager_comment is not None:
        scorecard.manager_comment = manager_comment
    scorecard.status = ScorecardStatus.RATED
    save_as(scorecard, actor)
    return scorecard


@transaction.atomic
def scorecard_share(*, actor: Any, scorecard: Scorecard) -> Scorecard:
    """The person may now read it and comment; they are told."""
    scorecard = _locked(scorecard)
    MACHINE.check(scorecard, actor, "share")
    scorecard.status = ScorecardStatus.SHARED
    scorecard.shared_at = timezone.now()
    save_as(scorecard, actor)
    notifications.scorecard_shared(scorecard, actor=actor)
    return scorecard


@transaction.atomic
def scorecard_comment(*, actor: Any, scorecard: Scorecard, body: str) -> ScorecardComment:
    """A comment by the person (once shared; the manager is told) or by the appraiser."""
    scorecard = _locked(scorecard)
    body = (body or "").strip()
    if not body:
        raise DomainError(fields={"body": [_("Write a comment.")]})
    is_person = actor.pk == scorecard.person_id
    if is_person and scorecard.status != ScorecardStatus.SHARED:
        raise NotFound()
    if not is_person and not may_appraise(actor, scorecard):
        raise NotAllowed(_("You may not comment on this scorecard."))
    comment = ScorecardComment.objects.create(scorecard=scorecard, author=actor, body=body)
    if is_person:
        manager = scorecard.team.manager if scorecard.team is not None else None
        notifications.scorecard_commented(
            scorecard, comment, actor=actor, manager=manager or scorecard.created_by
        )
    return comment


@transaction.atomic
def scorecard_sign(*, actor: Any, scorecard: Scorecard) -> Scorecard:
    """Sign off: the figures are computed one last time and frozen in ``snapshot`` (every
    value, numerator, denominator, definition, target, score, weight and total); nothing
    changes a signed scorecard again. The person is told."""
    scorecard = _locked(scorecard)
    MACHINE.check(scorecard, actor, "sign")
    figures = live_figures(scorecard)
    now = timezone.now()
    figures["signed_at"] = now.isoformat()
    figures["signed_by"] = str(actor)
    scorecard.snapshot = figures
    scorecard.total_score = Decimal(figures["total"]) if figures["total"] is not None else None
    scorecard.status = ScorecardStatus.SIGNED
    scorecard.signed_at = now
    scorecard.signed_by = actor
    save_as(scorecard, actor)
    notifications.scorecard_signed(scorecard, actor=actor)
    return scorecard


# --- figures ------------------------------------------------------------------------------------


def _text(number: Decimal | None) -> str | None:
    return None if number is None else str(number.quantize(TWO, rounding=ROUND_HALF_UP))


def indicator_score(unit: str, value: Decimal | None, target: Decimal | None) -> Decimal | None:
    """Linear to the target, capped at 100 (no data: no score). Without a target a 1–5 score
    is value / 5 × 100 and a percentage is itself."""
    if value is None:
        return None
    if target is not None and target > 0:
        score = value / target * HUNDRED
    elif unit == "score5":
        score = value / Decimal(5) * HUNDRED
    elif unit == "percent":
        score = value
    else:
        return None
    return max(Decimal(0), min(HUNDRED, score)).quantize(TWO, rounding=ROUND_HALF_UP)


def rating_score(scale: str, rating: Decimal | None) -> Decimal | None:
    if rating is None:
        return None
    score = rating / Decimal(5) * HUNDRED if scale == RatingScale.SCORE5 else rating
    return score.quantize(TWO, rounding=ROUND_HALF_UP)


def figures_for(scorecard: Scorecard, values: dict[str, Value]) -> dict[str, Any]:
    """The scorecard's lines, section totals and total from the indicator ``values`` (by key)."""
    period = Period.parse(scorecard.period)
    lines = []
    sections: dict[str, dict[str, Any]] = {}
    total = Decimal(0)
    for item in scorecard.items:
        weight = Decimal(item["weight"])
        target = Decimal(item["target"]) if item.get("target") is not None else None
        line: dict[str, Any] = {**item}
        if item["section"] == KEY_SECTION:
            indicator = get_indicator(item["indicator_key"])
            value = values.get(item["indicator_key"]) or Value(None)
            unit = indicator.unit if indicator else ""
            score = indicator_score(unit, value.value, target)
            line.update(
                {
                    "unit": unit,
                    "value": _text(value.value),
                    "numerator": _text(value.numerator),
                    "denominator": _text(value.denominator),
                    "count": value.count,
                    "definition": str(indicator.definition) if indicator else "",
                    "records_url": indicator.records_url(scorecard.person_id, period) if indicator else "",
                }
            )
        else:
            raw = (scorecard.ratings or {}).get(item["code"])
            rating = Decimal(raw) if raw is not None else None
            score = rating_score(item.get("scale", RatingScale.SCORE5), rating)
            line.update({"rating": _text(rating)})
        weighted = (
            (score * weight / HUNDRED).quantize(TWO, rounding=ROUND_HALF_UP) if score is not None else None
        )
        line.update({"score": _text(score), "weighted": _text(weighted)})
        section = sections.setdefault(
            item["section"],
            {"weight": Decimal(0), "score": Decimal(0), "label": str(ItemSection(item["section"]).label)},
        )
        section["weight"] += weight
        if weighted is not None:
            section["score"] += weighted
            total += weighted
        lines.append(line)
    return {
        "period": scorecard.period,
        "partial": period.is_partial(),
        "computed_at": timezone.now().isoformat(),
        "lines": lines,
        "sections": {
            key: {"label": s["label"], "weight": _text(s["weight"]), "score": _text(s["score"])}
            for key, s in sections.items()
        },
        "total": _text(total),
    }


def live_figures(scorecard: Scorecard) -> dict[str, Any]:
    """The figures of an open scorecard, computed now (one query per indicator)."""
    keys = [item["indicator_key"] for item in scorecard.items if item["section"] == KEY_SECTION]
    computed = compute_all(keys, [scorecard.person_id], Period.parse(scorecard.period))
    values = {key: by_person.get(scorecard.person_id, Value(None)) for key, by_person in computed.items()}
    return figures_for(scorecard, values)


def scorecard_figures(scorecard: Scorecard) -> dict[str, Any]:
    """What the pages, the PDF, the Excel file and the API show: the frozen snapshot of a signed
    scorecard, the live figures of an open one."""
    if scorecard.status == ScorecardStatus.SIGNED and scorecard.snapshot:
        return scorecard.snapshot
    return live_figures(scorecard)
