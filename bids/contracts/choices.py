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


class ClauseKey(models.TextChoices):
    """The contract terms (R-CON-1) that start from the standard clause template (R-CON-5)."""

    PRICE_TERMS = "price_terms", _("price terms (tax)")
    PAYMENT_TERMS = "payment_terms", _("payment terms")
    ACCEPTANCE_CRITERIA = "acceptance_criteria", _("acceptance criteria")
    OBLIGATIONS = "obligations", _("obligations of both sides")
    WARRANTY = "warranty", _("warranty")
    LIABILITY = "liability", _("liability for breach")
    CONFIDENTIALITY = "confidentiality", _("confidentiality")
    DISPUTE_RESOLUTION = "dispute_resolution", _("dispute resolution")


class ClauseLanguage(models.TextChoices):
    ZH_HANS = "zh-hans", "简体中文"
    ZH_HANT = "zh-hant", "繁體中文"
    EN = "en", "English"
