"""The reviews API: reviews visible to the caller, decisions and withdrawals (calling the
same services as the web), the caller's inbox, and chains (read for every role, written by
admins only)."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework.decorators import action
from rest_framework.response import Response

from presales.api.filters import StableOrderingFilter
from presales.api.permissions import SAFE_METHODS, HasRole
from presales.api.schema import error_responses
from presales.api.viewsets import ScopedModelViewSet, ScopedReadOnlyViewSet
from presales.core.roles import Role
from reviews.api.serializers import (
    CancelSerializer,
    DecideSerializer,
    ReviewChainSerializer,
    ReviewDetailSerializer,
    ReviewSerializer,
)
from reviews.filtersets import ReviewFilterSet
from reviews.models import Review, ReviewChain
from reviews.selectors import inbox_for
from reviews.services import (
    review_cancel,
    review_chain_create,
    review_chain_delete,
    review_chain_update,
    review_decide,
)

_ERRORS = error_responses(400, 401, 403, 404, 409)


def _plain(checks):
    """Validated check results as plain dicts for the service."""
    if checks is None:
        return None
    return {code: dict(result) for code, result in checks.items()}


_READ_ERRORS = {k: v for k, v in _ERRORS.items() if k in (401, 403, 404)}


@extend_schema_view(
    list=extend_schema(
        summary="Reviews visible to the caller",
        responses={200: ReviewSerializer(many=True), 400: _ERRORS[400], 401: _ERRORS[401], 403: _ERRORS[403]},
    ),
    retrieve=extend_schema(
        summary="A review with every task, decision and score (the review form, R-REV-6)",
        responses={200: ReviewDetailSerializer, **_READ_ERRORS},
    ),
)
class ReviewViewSet(ScopedReadOnlyViewSet):
    """Reviews are read here and moved only by ``decide`` and ``cancel``."""

    queryset = Review.objects.with_tasks()
    filterset_class = ReviewFilterSet
    ordering_fields = ["started_at", "finished_at", "id"]
    ordering = ["-id"]

    def get_serializer_class(self):
        if self.action == "list" or self.action == "inbox":
            return ReviewSerializer
        if self.action == "decide":
            return DecideSerializer
        if self.action == "cancel":
            return CancelSerializer
        return ReviewDetailSerializer

    def _detail(self, review: Review) -> Response:
        review = Review.objects.with_tasks().get(pk=review.pk)
        return Response(ReviewDetailSerializer(review, context=self.get_serializer_context()).data)

    @extend_schema(
        summary="Approve or reject the current step (R-REV-1, R-REV-2, R-REV-5)",
        description=(
            "Refused with 403 for anyone who wrote or owns the subject and for anyone without a "
            "pending task on the current step; 409 for a second decision, a finished or withdrawn "
            "review, or a stale `version`; 400 for a rejection without comment, missing or "
            "out-of-range scores, or an approval with a check item of the step neither ticked "
            "nor commented (`checks`, R-REV-2)."
        ),
        request=DecideSerializer,
        responses={200: ReviewDetailSerializer, **_ERRORS},
    )
    @action(detail=True, methods=["post"])
    def decide(self, request, pk=None):
        review = self.get_object()
        data = self.validated(DecideSerializer)
        review = review_decide(
            actor=request.user,
            review=review,
            decision=data["decision"],
            comment=data.get("comment", ""),
            scores=data.get("scores"),
            checks=_plain(data.get("checks")),
            expected_version=data.get("version"),
        )
        return self._detail(review)

    @extend_schema(
        summary="Withdraw a review in progress (author or admin, R-REV-5)",
        request=CancelSerializer,
        responses={200: ReviewDetailSerializer, **_ERRORS},
    )
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        review = self.get_object()
        data = self.validated(CancelSerializer)
        review = review_cancel(actor=request.user, review=review, reason=data["reason"])
        return self._detail(review)

    @extend_schema(
        summary="Reviews waiting for the caller's decision",
        responses={200: ReviewSerializer(many=True), **error_responses(400, 401, 403)},
        filters=True,
    )
    @action(
        detail=False,
        methods=["get"],
        filter_backends=[StableOrderingFilter],
        ordering_fields=("started_at", "id"),  # nothing in the inbox is finished
    )
    def inbox(self, request):
        # Sorted like the list (newest first unless ``?ordering=``), never filtered.
        page = self.paginate_queryset(self.filter_queryset(inbox_for(request.user)))
        return self.get_paginated_response(ReviewSerializer(page, many=True).data)


class ChainPermission(HasRole):
    """Every role reads chains; only admins (role or superuser) change them."""

    def has_permission(self, request, view) -> bool:
        if not super().has_permission(request, view):
            return False
        return request.method in SAFE_METHODS or request.user.has_role(Role.ADMIN)


@extend_schema_view(
    list=extend_schema(
        summary="Review chains", responses={200: ReviewChainSerializer(many=True), **_READ_ERRORS}
    ),
    retrieve=extend_schema(
        summary="A review chain with its steps", responses={200: ReviewChainSerializer, **_READ_ERRORS}
    ),
    create=extend_schema(
        summary="Configure a chain (admins)",
        responses={201: ReviewChainSerializer, 400: _ERRORS[400], 401: _ERRORS[401], 403: _ERRORS[403]},
    ),
    update=extend_schema(
        summary="Change a chain and replace its steps (admins)",
        responses={200: ReviewChainSerializer, **_ERRORS},
    ),
    partial_update=extend_schema(
        summary="Change a chain (admins)", responses={200: ReviewChainSerializer, **_ERRORS}
    ),
    destroy=extend_schema(
        summary="Delete a chain that never ran (admins); deactivate it otherwise",
        responses={204: None, **_ERRORS},
    ),
)
class ReviewChainViewSet(ScopedModelViewSet):
    queryset = ReviewChain.objects.prefetch_related("steps")
    serializer_class = ReviewChainSerializer
    permission_classes = [ChainPermission]
    filterset_fields = ["kind", "is_active"]
    ordering = ["-id"]
    ordering_fields = ["name", "kind", "created_at", "updated_at", "id"]

    def _split(self, data: dict) -> tuple[dict, list[dict] | None]:
        steps = data.pop("steps", None)
        if "score_criteria" in data:
            data["score_criteria"] = [dict(c) for c in data["score_criteria"]]
        if steps is None:
            return data, None
        plain = []
        for step in steps:
            step = dict(step)
            if "check_items" in step:
                step["check_items"] = [dict(item) for item in step["check_items"]]
            plain.append(step)
        return data, plain

    def service_create(self, data: dict) -> ReviewChain:
        data, steps = self._split(data)
        return review_chain_create(actor=self.request.user, data=data, steps=steps or [])

    def service_update(self, instance, data: dict, *, expected_version: int | None) -> ReviewChain:
        data, steps = self._split(data)
        return review_chain_update(
            actor=self.request.user, chain=instance, data=data, steps=steps, expected_version=expected_version
        )

    def service_destroy(self, instance) -> None:
        review_chain_delete(actor=self.request.user, chain=instance)
