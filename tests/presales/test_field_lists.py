"""Editable fields are declared once, in the service module; forms, serializers and the
admin derive theirs from it (a field added in one place cannot be forgotten in another)."""

from __future__ import annotations

from presales.sla.api import SlaPolicySerializer
from presales.sla.forms import SlaPolicyForm
from presales.sla.services import POLICY_FIELDS
from reviews.admin import ReviewChainForm, ReviewChainStepInline
from reviews.api.serializers import ReviewChainSerializer, ReviewChainStepSerializer
from reviews.services import CHAIN_FIELDS, STEP_FIELDS


def writable(serializer) -> list[str]:
    return [name for name, field in serializer.fields.items() if not field.read_only]


def test_sla_policy_fields_r_sla_4():
    assert SlaPolicyForm.Meta.fields == list(POLICY_FIELDS)
    assert writable(SlaPolicySerializer()) == list(POLICY_FIELDS)


def test_review_chain_and_step_fields_r_rev_1(db):
    assert ReviewChainForm.Meta.fields == list(CHAIN_FIELDS)
    assert ReviewChainStepInline.fields == list(STEP_FIELDS)
    assert writable(ReviewChainStepSerializer()) == list(STEP_FIELDS)
    assert writable(ReviewChainSerializer()) == [*CHAIN_FIELDS, "steps"]
