from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class LeadSource(models.TextChoices):
    """R-LEAD-1 source channels."""

    TRADE_SHOW = "trade_show", _("Trade show")
    REFERRAL = "referral", _("Customer referral")
    ONLINE_MARKETING = "online_marketing", _("Online marketing")
    WEBSITE = "website", _("Website inquiry")
    SOCIAL_MEDIA = "social_media", _("Social media")
    PARTNER = "partner", _("Partner")


class LeadStatus(models.TextChoices):
    """The lead's lifecycle; moves are in leads/transitions.py."""

    NEW = "new", _("New")
    CONTACTED = "contacted", _("Contacted")
    QUALIFIED = "qualified", _("Qualified")
    DISQUALIFIED = "disqualified", _("Disqualified")
    MERGED = "merged", _("Merged")


class DisqualifyReason(models.TextChoices):
    NO_BUDGET = "no_budget", _("No budget")
    NO_NEED = "no_need", _("No real need")
    NOT_A_FIT = "not_a_fit", _("Not a fit for our products")
    NO_DECISION = "no_decision", _("No decision maker reachable")
    COMPETITOR_LOCKED = "competitor_locked", _("Locked in with a competitor")
    UNREACHABLE = "unreachable", _("Contact unreachable")
    OTHER = "other", _("Other")


class FirstContactState(models.TextChoices):
    """Derived state of the 24-hour first-contact deadline (R-LEAD-3), for filtering."""

    DUE = "due", pgettext_lazy("first contact state", "Due")
    OVERDUE = "overdue", _("Overdue")
    DONE = "done", _("Done")


class Industry(models.TextChoices):
    MANUFACTURING = "manufacturing", _("Manufacturing")
    FINANCE = "finance", pgettext_lazy("industry", "Finance")
    GOVERNMENT = "government", _("Government")
    EDUCATION = "education", _("Education")
    HEALTHCARE = "healthcare", _("Healthcare")
    ENERGY = "energy", _("Energy")
    RETAIL = "retail", _("Retail")
    TELECOM = "telecom", _("Telecom")
    TRANSPORT = "transport", _("Transport and logistics")
    INTERNET = "internet", _("Internet")
    OTHER = "other", _("Other")


class Grade(models.TextChoices):
    """R-CUST-2: A = follow first, B = nurture, C = maintain periodically."""

    A = "A", _("A: follow first")
    B = "B", _("B: nurture")
    C = "C", _("C: maintain periodically")


class Tier(models.TextChoices):
    """R-CUST-4 tier by contribution."""

    STRATEGIC = "strategic", _("Strategic")
    IMPORTANT = "important", _("Important")
    GENERAL = "general", _("General")


class SizeClass(models.TextChoices):
    """R-CUST-4 size class."""

    LARGE = "large", _("Large")
    MEDIUM = "medium", _("Medium")
    SMALL = "small", _("Small")


class DecisionRole(models.TextChoices):
    """R-CUST-1 a contact's role in the buying decision."""

    DECISION_MAKER = "decision_maker", _("Decision maker")
    INFLUENCER = "influencer", _("Influencer")
    TECHNICAL_EVALUATOR = "technical_evaluator", _("Technical evaluator")
    USER = "user", pgettext_lazy("decision role", "User")
    PURCHASER = "purchaser", _("Purchaser")
    OTHER = "other", _("Other")


class Channel(models.TextChoices):
    """R-COMM-1 where or how an interaction happened."""

    PHONE = "phone", _("Phone")
    EMAIL = "email", pgettext_lazy("communication channel", "Email")
    MEETING = "meeting", _("Meeting")
    SITE_VISIT = "site_visit", _("Site visit")
    INSTANT_MESSAGE = "im", _("Instant message")
    OTHER = "other", _("Other")


class ContactSource(models.TextChoices):
    """R-CUST-8: where a contact's details came from. Only lawful sources are offered;
    ``unknown`` marks contacts recorded before the rule and is never offered for new ones."""

    BUSINESS_CARD = "business_card", _("Business card")
    CUSTOMER_PROVIDED = "customer_provided", _("Provided by the customer")
    PUBLIC_WEBSITE = "public_website", _("Public website")
    REFERRAL = "referral", _("Referral")
    EVENT_REGISTRATION = "event_registration", _("Event registration")
    OTHER = "other", _("Other lawful source")
    UNKNOWN = "unknown", _("Unknown (recorded before this rule)")


LAWFUL_CONTACT_SOURCES = [(value, label) for value, label in ContactSource.choices if value != "unknown"]


class CadenceScope(models.TextChoices):
    """R-CUST-7: what a contact cadence applies to."""

    GRADE = "grade", _("Grade")
    TIER = "tier", _("Tier")
    DECISION_MAKER = "decision_maker", _("Decision makers")


class VisitStatus(models.TextChoices):
    """R-CUST-7: a visit plan's state."""

    PLANNED = "planned", _("Planned")
    DONE = "done", _("Done")
    CANCELLED = "cancelled", _("Cancelled")
