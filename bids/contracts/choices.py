from django.db import models
from django.utils.translation import gettext_lazy as _


class ContractStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    IN_REVIEW = "in_review", _("In review")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")
    SIGNED = "signed", _("Signed")


# A contract whose amount, terms or lines may change (an approved one goes back to draft, R-REV-5).
EDITABLE_STATUSES = frozenset({ContractStatus.DRAFT, ContractStatus.REJECTED, ContractStatus.APPROVED})


class SigningMethod(models.TextChoices):
    SEAL = "seal", _("Company seal")
    E_SIGNATURE = "e_signature", _("E-signature")


class SignatoryCapacity(models.TextChoices):
    LEGAL_REPRESENTATIVE = "legal_rep", _("Legal representative")
    AUTHORISED = "authorised", _("Authorised representative")
