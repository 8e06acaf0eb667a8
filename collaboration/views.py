"""Web pages of collaboration (R-COLL-1, R-COLL-2): requests (list with filters, detail with
its moves, create, files), meeting minutes (list, detail with action items, create with an
action-item formset, edit) and "My action items"."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views import View

from collaboration import selectors, services
from collaboration.forms import (
    ActionItemForm,
    ActionItemFormSet,
    AttachmentForm,
    MinuteForm,
    MoveForm,
    RequestFilterForm,
    RequestForm,
)
from collaboration.models import ActionItem, CollaborationRequest, MeetingMinute, RequestAttachment
from collaboration.transitions import MACHINE
from opportunities.models import Opportunity
from presales.core.errors import DomainError
from presales.core.uploads import serve_download
from presales.web.forms import apply_domain_error, bootstrap
from presales.web.views import RoleRequiredMixin


def _opens(user, opportunity) -> bool:
    """Whether ``user`` may open ``opportunity``: a request or minutes about an opportunity of
    another team name it, but link it only for who sees it (else the link would be a 404)."""
    return opportunity is not None and Opportunity.objects.visible_to(user).filter(pk=opportunity.pk).exists()


def _error_text(exc: DomainError) -> str:
    reasons = [str(r) for r in getattr(exc, "reasons", None) or []]
    return " ".join([exc.message, *reasons, *[m for ms in exc.fields.values() for m in ms]]).strip()


class RequestListView(RoleRequiredMixin, View):
    def get(self, request):
        form = RequestFilterForm(request.GET)
        data = form.cleaned_data if form.is_valid() else {}
        qs = selectors.requests_for(
            request.user,
            box=data.get("box") or "",
            status=data.get("status") or "",
            kind=data.get("kind") or "",
        )
        page = Paginator(qs, 50).get_page(request.GET.get("page"))
        return render(request, "collaboration/request_list.html", {"form": form, "page": page})


class RequestCreateView(RoleRequiredMixin, View):
    def get(self, request):
        initial = {}
        if request.GET.get("opportunity", "").isdigit():
            initial["opportunity"] = int(request.GET["opportunity"])
        form = RequestForm(user=request.user, initial=initial)
        return render(request, "collaboration/request_form.html", {"form": form})

    def post(self, request):
        form = RequestForm(request.POST, request.FILES, user=request.user)
        if form.is_valid():
            file = form.cleaned_data.get("file")
            try:
                obj = services.request_submit(
                    actor=request.user, data=form.service_data(), files=[file] if file else []
                )
            except DomainError as exc:
                apply_domain_error(form, exc)
            else:
                messages.success(request, _("Request submitted."))
                return HttpResponseRedirect(obj.get_absolute_url())
        return render(request, "collaboration/request_form.html", {"form": form}, status=400)


class RequestMixin(RoleRequiredMixin):
    def get_request(self, pk: int) -> CollaborationRequest:
        return get_object_or_404(
            CollaborationRequest.objects.visible_to(self.request.user).select_related(
                "requester", "accepted_by", "completed_by", "opportunity"
            ),
            pk=pk,
        )


class RequestDetailView(RequestMixin, View):
    def get(self, request, pk: int):
        obj = self.get_request(pk)
        return render(
            request,
            "collaboration/request_detail.html",
            {
                "obj": obj,
                "opportunity_opens": _opens(request.user, obj.opportunity),
                "options": MACHINE.options(obj, request.user),
                "move_form": MoveForm(),
                "attachments": list(obj.attachments.all()),
                "attachment_form": AttachmentForm(),
                "history": list(obj.history.select_related("history_user").order_by("-history_date")[:30]),
            },
        )


class RequestMoveView(RequestMixin, View):
    def post(self, request, pk: int, move: str):
        obj = self.get_request(pk)
        form = MoveForm(request.POST)
        if not form.is_valid():
            messages.error(request, " ".join(str(e) for es in form.errors.values() for e in es))
            return HttpResponseRedirect(obj.get_absolute_url())
        try:
            services.request_move(actor=request.user, request=obj, move=move, **form.cleaned_data)
        except DomainError as exc:
            messages.error(request, _error_text(exc))
        else:
            messages.success(request, _("Done."))
        return HttpResponseRedirect(obj.get_absolute_url())


class RequestAttachView(RequestMixin, View):
    def post(self, request, pk: int):
        obj = self.get_request(pk)
        form = AttachmentForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                services.request_attach(actor=request.user, request=obj, file=form.cleaned_data["file"])
            except DomainError as exc:
                apply_domain_error(form, exc)
        if form.errors:
            messages.error(request, " ".join(str(e) for es in form.errors.values() for e in es))
        else:
            messages.success(request, _("File added."))
        return HttpResponseRedirect(obj.get_absolute_url())


class AttachmentDownloadView(RoleRequiredMixin, View):
    def get(self, request, pk: int):
        attachment = get_object_or_404(
            RequestAttachment.objects.filter(
                request__in=CollaborationRequest.objects.visible_to(request.user).values("pk")
            ),
            pk=pk,
        )
        return serve_download(request, obj=attachment, field_file=attachment.file, filename=attachment.name)


# --- meeting minutes (R-COLL-2) ----------------------------------------------------------------


class MinuteListView(RoleRequiredMixin, View):
    def get(self, request):
        page = Paginator(selectors.minutes_for(request.user), 50).get_page(request.GET.get("page"))
        return render(request, "collaboration/minute_list.html", {"page": page})


class MyActionItemsView(RoleRequiredMixin, View):
    def get(self, request):
        return render(
            request,
            "collaboration/my_action_items.html",
            {"items": list(selectors.my_action_items(request.user))},
        )


class MinuteMixin(RoleRequiredMixin):
    def get_minute(self, pk: int) -> MeetingMinute:
        return get_object_or_404(
            MeetingMinute.objects.visible_to(self.request.user).select_related("created_by", "opportunity"),
            pk=pk,
        )


class MinuteDetailView(MinuteMixin, View):
    def get(self, request, pk: int):
        minute = self.get_minute(pk)
        return render(
            request,
            "collaboration/minute_detail.html",
            {
                "minute": minute,
                "opportunity_opens": _opens(request.user, minute.opportunity),
                "attendees": list(minute.attendees.order_by("username")),
                "items": list(minute.action_items.select_related("owner")),
                "can_edit": services.can_edit_minute(request.user, minute),
                "item_form": ActionItemForm(),
            },
        )


def _item_rows(formset) -> list[dict]:
    return [f.cleaned_data for f in formset.forms if f.has_changed() and f.cleaned_data]


class MinuteCreateView(RoleRequiredMixin, View):
    def get(self, request):
        initial = {}
        if request.GET.get("opportunity", "").isdigit():
            initial["opportunity"] = int(request.GET["opportunity"])
        return self.show(MinuteForm(user=request.user, initial=initial), ActionItemFormSet(prefix="items"))

    def show(self, form, formset, status: int = 200):
        return render(
            self.request,
            "collaboration/minute_form.html",
            {"form": form, "formset": formset, "title": _("New meeting minutes")},
            status=status,
        )

    def post(self, request):
        form = MinuteForm(request.POST, user=request.user)
        formset = ActionItemFormSet(request.POST, prefix="items")
        for item_form in formset.forms:
            bootstrap(item_form)
        if form.is_valid() and formset.is_valid():
            try:
                minute = services.minute_create(
                    actor=request.user,
                    data=form.service_data(),
                    attendees=list(form.cleaned_data["attendees"]),
                    action_items=_item_rows(formset),
                )
            except DomainError as exc:
                apply_domain_error(form, exc)
            else:
                messages.success(request, _("Minutes saved."))
                return HttpResponseRedirect(minute.get_absolute_url())
        return self.show(form, formset, status=400)


class MinuteEditView(MinuteMixin, View):
    def load(self, pk: int) -> MeetingMinute:
        minute = self.get_minute(pk)
        if not services.can_edit_minute(self.request.user, minute):
            raise PermissionDenied
        return minute

    def show(self, minute, form, status: int = 200):
        return render(
            self.request,
            "collaboration/minute_form.html",
            {"form": form, "minute": minute, "title": _("Edit meeting minutes")},
            status=status,
        )

    def get(self, request, pk: int):
        minute = self.load(pk)
        return self.show(minute, MinuteForm(instance=minute, user=request.user))

    def post(self, request, pk: int):
        minute = self.load(pk)
        form = MinuteForm(request.POST, instance=MeetingMinute.objects.get(pk=minute.pk), user=request.user)
        if form.is_valid():
            try:
                services.minute_update(
                    actor=request.user,
                    minute=minute,
                    data=form.service_data(),
                    attendees=list(form.cleaned_data["attendees"]),
                )
            except DomainError as exc:
                apply_domain_error(form, exc)
            else:
                messages.success(request, _("Minutes saved."))
                return HttpResponseRedirect(minute.get_absolute_url())
        return self.show(minute, form, status=400)


class ActionItemAddView(MinuteMixin, View):
    def post(self, request, pk: int):
        minute = self.get_minute(pk)
        form = ActionItemForm(request.POST)
        if form.is_valid():
            try:
                services.action_item_add(actor=request.user, minute=minute, data=form.cleaned_data)
            except DomainError as exc:
                apply_domain_error(form, exc)
        if form.errors:
            messages.error(request, " ".join(str(e) for es in form.errors.values() for e in es))
        else:
            messages.success(request, _("Action item added."))
        return HttpResponseRedirect(minute.get_absolute_url())


class ActionItemMoveView(RoleRequiredMixin, View):
    def post(self, request, pk: int, move: str):
        visible = MeetingMinute.objects.visible_to(request.user).values("pk")
        item = get_object_or_404(ActionItem.objects.filter(minute__in=visible), pk=pk)
        try:
            if move == "done":
                services.action_item_complete(actor=request.user, item=item)
            elif move == "remove":
                services.action_item_remove(actor=request.user, item=item)
            else:
                raise DomainError(_("Unknown move."))
        except DomainError as exc:
            messages.error(request, _error_text(exc))
        else:
            messages.success(request, _("Done."))
        next_url = request.POST.get("next", "")
        if next_url == "mine":
            return HttpResponseRedirect(reverse("collaboration:my_action_items"))
        return HttpResponseRedirect(reverse("collaboration:minute", args=[item.minute_id]))
