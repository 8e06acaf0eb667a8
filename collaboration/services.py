"""Writes of collaboration (R-COLL-1, R-COLL-2, R-NEED-5). Web views, the API, the admin and
direct calls come here: who may act, the moves' order, the timers and the notifications hold
on every route. Keyword-only, atomic, on locked rows."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from collaboration import hooks, notifications
from collaboration.choices import ActionStatus, RequestKind, RequestStatus
from collaboration.models import ActionItem, CollaborationRequest, MeetingMinute, RequestAttachment
from collaboration.selectors import response_owner
from collaboration.timers import COLLAB_DUE, COLLAB_RESPONSE, MEETING_ACTION
from collaboration.transitions import MACHINE
from opportunities.models import Opportunity
from presales.accounts.models import Department, User
from presales.core.errors import DomainError, NotAllowed
from presales.core.roles import Scope, scope_of
from presales.core.uploads import save_upload, validate_upload
from presales.core.writes import check_version, save_as, validate
from presales.sla.services import timer_cancel, timer_satisfy, timer_start

REQUEST_FIELDS = (
    "kind",
    "item",
    "description",
    "target_department",
    "opportunity",
    "due_at",
    "expected_result",
)
MINUTE_FIELDS = ("title", "held_at", "place", "opportunity", "external_attendees", "decisions")
ATTACHMENT_TYPES = frozenset({"pdf", "docx", "xlsx", "pptx", "png", "jpg", "jpeg", "txt", "zip"})


def _staff(actor: User) -> None:
    if not actor.is_authenticated or scope_of(actor) is None:
        raise NotAllowed(_("Only staff members do this."))


def _check_opportunity(actor: User, opportunity: Opportunity | None) -> None:
    if (
        opportunity is not None
        and not Opportunity.objects.visible_to(actor).filter(pk=opportunity.pk).exists()
    ):
        raise DomainError(fields={"opportunity": [_("You do not see this opportunity.")]})


# --- collaboration requests (R-COLL-1) ---------------------------------------------------------


@transaction.atomic
def request_submit(
    *, actor: User, data: dict[str, Any], files: list[Any] | None = None
) -> CollaborationRequest:
    """Submit a request to a department; the response timer starts for the department's head
    and the department is told."""
    _staff(actor)
    unknown = set(data) - set(REQUEST_FIELDS)
    if unknown:
        raise DomainError(fields={name: [_("This field cannot be set.")] for name in sorted(unknown)})
    request = CollaborationRequest(
        requester=actor,
        requesting_team=actor.team,
        requesting_department=actor.team.department if actor.team else Department.PRESALES,
    )
    for name, value in data.items():
        setattr(request, name, value.strip() if isinstance(value, str) else value)
    errors: dict[str, list[str]] = {}
    if not str(request.item or "").strip():
        errors["item"] = [_("Name the item.")]
    if request.due_at and request.due_at <= timezone.now():
        errors["due_at"] = [_("The due time must be in the future.")]
    if errors:
        raise DomainError(fields=errors)
    _check_opportunity(actor, request.opportunity)
    validate(request, exclude=["number"])
    save_as(request, actor)
    request.number = f"COLL-{request.created_at:%Y}-{request.pk:05d}"
    CollaborationRequest.objects.filter(pk=request.pk).update(number=request.number)
    for file in files or []:
        _attach(request, actor, file)
    timer_start(
        kind=COLLAB_RESPONSE,
        subject=request,
        owner=response_owner(request.target_department, actor),
        team=None,
    )
    notifications.request_submitted(request, actor=actor)
    return request


def _attach(request: CollaborationRequest, actor: User, file: Any) -> RequestAttachment:
    upload = validate_upload(file, field="file", allowed=ATTACHMENT_TYPES)
    attachment = RequestAttachment(
        request=request, name=str(getattr(file, "name", "file"))[:255], uploaded_by=actor
    )
    attachment.size = int(getattr(file, "size", 0) or 0)
    save_upload(attachment.file, file, upload)
    attachment.save()
    return attachment


@transaction.atomic
def request_attach(*, actor: User, request: CollaborationRequest, file: Any) -> RequestAttachment:
    """The requester or a person of the target department adds a file."""
    request = CollaborationRequest.objects.select_for_update().get(pk=request.pk)
    from collaboration.transitions import of_target_department

    if actor.pk != request.requester_id and not of_target_department(actor, request):
        raise NotAllowed(_("Only the requester or the target department adds files."))
    return _attach(request, actor, file)


@transaction.atomic
def request_move(
    *, actor: User, request: CollaborationRequest, move: str, **data: Any
) -> CollaborationRequest:
    """The one transition function: accept, decline (reason), complete (result), rate (rating
    1–5, comment), cancel. Checks on the locked row, writes the status with history, moves the
    timers, runs the completion hooks (R-NEED-5) and tells who should know."""
    request = CollaborationRequest.objects.select_for_update().get(pk=request.pk)
    context = {k: v for k, v in data.items() if v is not None}
    MACHINE.check(request, actor, move, **context)
    _check_input(move, context)
    if move == "rate":
        context["rating"] = _rating(context.get("rating"))
    return _apply_move(request, actor, move, context)


def _apply_move(
    request: CollaborationRequest,
    actor: User,
    move: str,
    context: dict[str, Any],
    *,
    run_hooks: bool = True,
    notify: bool = True,
) -> CollaborationRequest:
    """The writes of a checked move on the locked row: fields, timers, the status with its
    history row, the completion hooks (``run_hooks``) and the notice (``notify``)."""
    now = timezone.now()
    target = MACHINE.get(move).target
    event = ""
    if move == "accept":
        request.accepted_by = actor
        request.accepted_at = now
        timer_satisfy(kind=COLLAB_RESPONSE, subject=request, at=now)
        event = "accepted"
    elif move == "decline":
        request.decline_reason = str(context.get("reason") or "").strip()
        request.closed_at = now
        timer_satisfy(kind=COLLAB_RESPONSE, subject=request, at=now)
        event = "declined"
    elif move == "complete":
        request.result = str(context.get("result") or "").strip()
        request.completed_by = actor
        request.completed_at = now
        timer_satisfy(kind=COLLAB_DUE, subject=request, at=now)
        event = "completed"
    elif move == "rate":
        request.rating = context["rating"]
        request.rating_comment = str(context.get("comment") or "").strip()
        request.rated_at = now
        request.closed_at = now
    elif move == "cancel":
        request.closed_at = now
        timer_cancel(kind=COLLAB_RESPONSE, subject=request, reason="cancelled", at=now)
        timer_cancel(kind=COLLAB_DUE, subject=request, reason="cancelled", at=now)
    request.status = target
    save_as(request, actor)
    if move == "accept":
        timer_start(kind=COLLAB_DUE, subject=request, owner=actor, due_at=request.due_at)
    if move == "complete" and run_hooks:
        hooks.run_on_completed(request, actor=actor)
    if not notify:
        return request
    if event:
        notifications.request_answered(request, actor=actor, event=event)
    elif move == "rate":
        notifications.request_rated(request, actor=actor)
    return request


@transaction.atomic
def request_complete_with_answer(
    *, actor: User, request: CollaborationRequest, result: str
) -> CollaborationRequest | None:
    """R-NEED-5: the question a request carries was answered where it was asked (the R&D
    request's own answer, ``proposals.needs.services.rd_request_answer``, which checked who may
    answer). The request is completed with the answer as its result through the same moves as
    on the request's page: a request not yet accepted is accepted and completed at once (two
    history rows, both by ``actor``; the response timer and the due timer are satisfied); the
    requester is told it was completed (not that it was accepted), and the completion hooks
    are not run (they would write the same answer back). A request already completed,
    declined or cancelled is left as it is (``None``). The moves' gates run; who may answer
    was decided by the caller (``check_permission=False``)."""
    request = CollaborationRequest.objects.select_for_update().get(pk=request.pk)
    result = str(result or "").strip()
    _check_input("complete", {"result": result})
    if request.status == RequestStatus.SUBMITTED:
        MACHINE.check(request, actor, "accept", check_permission=False)
        request = _apply_move(request, actor, "accept", {}, notify=False)
    if request.status != RequestStatus.ACCEPTED:
        return None
    MACHINE.check(request, actor, "complete", check_permission=False, result=result)
    return _apply_move(request, actor, "complete", {"result": result}, run_hooks=False)


def _check_input(move: str, context: dict[str, Any]) -> None:
    """Bad input is a 400 with the field's message (after the state and permission checks)."""
    if move == "decline" and not str(context.get("reason") or "").strip():
        raise DomainError(fields={"reason": [_("Give the reason for declining.")]})
    if move == "complete" and not str(context.get("result") or "").strip():
        raise DomainError(fields={"result": [_("Write the result.")]})


def _rating(value: Any) -> int:
    try:
        rating = int(value)
    except (TypeError, ValueError):
        rating = 0
    if not 1 <= rating <= 5:
        raise DomainError(fields={"rating": [_("Rate from 1 to 5.")]})
    return rating


def request_for_rd_question(
    *,
    actor: User,
    item: str,
    description: str,
    opportunity: Opportunity | None,
    due_at: datetime | None = None,
) -> CollaborationRequest:
    """R-NEED-5: an R&D question as a collaboration request to R&D (called by proposals)."""
    return request_submit(
        actor=actor,
        data={
            "kind": RequestKind.RD_QUESTION,
            "item": item[:200],
            "description": description,
            "target_department": Department.RD,
            "opportunity": opportunity,
            "due_at": due_at or timezone.now() + timedelta(days=5),
            "expected_result": _("An answer on whether and how R&D can meet the requirement."),
        },
    )


# --- meeting minutes (R-COLL-2) ----------------------------------------------------------------


def can_edit_minute(actor: User, minute: MeetingMinute) -> bool:
    if not actor.is_authenticated:
        return False
    if actor.pk == minute.created_by_id or scope_of(actor) == Scope.ALL:
        return True
    return minute.team_id is not None and actor.manages(minute.team_id)


def _due_end(day) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(23, 59, 59)))


def _set_minute(minute: MeetingMinute, data: dict[str, Any]) -> None:
    unknown = set(data) - set(MINUTE_FIELDS)
    if unknown:
        raise DomainError(fields={name: [_("This field cannot be set.")] for name in sorted(unknown)})
    for name, value in data.items():
        setattr(minute, name, value.strip() if isinstance(value, str) else value)
    if not str(minute.title or "").strip():
        raise DomainError(fields={"title": [_("Give the meeting a title.")]})


@transaction.atomic
def minute_create(
    *,
    actor: User,
    data: dict[str, Any],
    attendees: list[User] | None = None,
    action_items: list[dict[str, Any]] | None = None,
) -> MeetingMinute:
    _staff(actor)
    minute = MeetingMinute(created_by=actor, team=actor.team)
    _set_minute(minute, data)
    _check_opportunity(actor, minute.opportunity)
    validate(minute)
    save_as(minute, actor)
    if attendees:
        minute.attendees.set(attendees)
    for item in action_items or []:
        _item_add(minute, actor, item)
    return minute


@transaction.atomic
def minute_update(
    *,
    actor: User,
    minute: MeetingMinute,
    data: dict[str, Any],
    attendees: list[User] | None = None,
    expected_version: int | None = None,
) -> MeetingMinute:
    minute = MeetingMinute.objects.select_for_update().get(pk=minute.pk)
    if not can_edit_minute(actor, minute):
        raise NotAllowed(_("Only the author or a manager edits these minutes."))
    check_version(minute, expected_version)
    _set_minute(minute, data)
    if "opportunity" in data:
        _check_opportunity(actor, minute.opportunity)
    validate(minute)
    save_as(minute, actor)
    if attendees is not None:
        minute.attendees.set(attendees)
    return minute


def _item_fields(data: dict[str, Any]) -> dict[str, Any]:
    errors: dict[str, list[str]] = {}
    description = str(data.get("description") or "").strip()
    if not description:
        errors["description"] = [_("Describe the action.")]
    owner = data.get("owner")
    if not isinstance(owner, User):
        errors["owner"] = [_("Name the owner.")]
    elif not owner.is_active:
        errors["owner"] = [_("This person's account is deactivated.")]
    due_on = data.get("due_on")
    if due_on is None:
        errors["due_on"] = [_("Give the due date.")]
    if errors:
        raise DomainError(fields=errors)
    return {"description": description[:500], "owner": owner, "due_on": due_on}


def _item_add(minute: MeetingMinute, actor: User, data: dict[str, Any]) -> ActionItem:
    item = ActionItem(minute=minute, **_item_fields(data))
    save_as(item, actor)
    timer_start(
        kind=MEETING_ACTION, subject=item, owner=item.owner, due_at=_due_end(item.due_on), team=minute.team
    )
    notifications.action_item_assigned(item, actor=actor)
    return item


@transaction.atomic
def action_item_add(*, actor: User, minute: MeetingMinute, data: dict[str, Any]) -> ActionItem:
    minute = MeetingMinute.objects.select_for_update().get(pk=minute.pk)
    if not can_edit_minute(actor, minute):
        raise NotAllowed(_("Only the author or a manager edits these minutes."))
    return _item_add(minute, actor, data)


@transaction.atomic
def action_item_update(
    *, actor: User, item: ActionItem, data: dict[str, Any], expected_version: int | None = None
) -> ActionItem:
    """Change an open item; a new owner or due date restarts its timer and tells the owner."""
    item = ActionItem.objects.select_for_update().select_related("minute").get(pk=item.pk)
    if not can_edit_minute(actor, item.minute):
        raise NotAllowed(_("Only the author or a manager edits these minutes."))
    check_version(item, expected_version)
    if item.status != ActionStatus.OPEN:
        raise DomainError(fields={"status": [_("This action item is done.")]})
    fields = _item_fields(
        {"description": item.description, "owner": item.owner, "due_on": item.due_on, **data}
    )
    moved = fields["owner"].pk != item.owner_id or fields["due_on"] != item.due_on
    for name, value in fields.items():
        setattr(item, name, value)
    save_as(item, actor)
    if moved:
        timer_cancel(kind=MEETING_ACTION, subject=item, reason="changed")
        timer_start(
            kind=MEETING_ACTION,
            subject=item,
            owner=item.owner,
            due_at=_due_end(item.due_on),
            team=item.minute.team,
        )
        notifications.action_item_assigned(item, actor=actor)
    return item


@transaction.atomic
def action_item_complete(*, actor: User, item: ActionItem) -> ActionItem:
    """The owner (or an editor of the minutes) marks the item done; its timer is satisfied."""
    item = ActionItem.objects.select_for_update().select_related("minute").get(pk=item.pk)
    if actor.pk != item.owner_id and not can_edit_minute(actor, item.minute):
        raise NotAllowed(_("Only the owner or an editor of the minutes completes this item."))
    if item.status == ActionStatus.DONE:
        raise DomainError(fields={"status": [_("This action item is done already.")]})
    item.status = ActionStatus.DONE
    item.done_at = timezone.now()
    save_as(item, actor)
    timer_satisfy(kind=MEETING_ACTION, subject=item, at=item.done_at)
    return item


@transaction.atomic
def action_item_remove(*, actor: User, item: ActionItem) -> None:
    item = ActionItem.objects.select_for_update().select_related("minute").get(pk=item.pk)
    if not can_edit_minute(actor, item.minute):
        raise NotAllowed(_("Only the author or a manager edits these minutes."))
    timer_cancel(kind=MEETING_ACTION, subject=item, reason="removed")
    item._history_user = actor  # type: ignore[attr-defined]
    item.delete()
