"""factory_boy factories shared by every test module."""

from datetime import timedelta

import factory
from django.contrib.auth.models import Group
from django.utils import timezone

from leads.choices import Channel, Industry, LeadSource, LeadStatus
from leads.models import CommunicationRecord, Contact, Customer, CustomerPresales, Lead
from presales.accounts.models import Team, User


class TeamFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Team
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"Team {n}")


class UserFactory(factory.django.DjangoModelFactory):
    """``UserFactory(roles=["presales_engineer"], team=t)``; password is "pw"."""

    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    display_name = factory.LazyAttribute(lambda o: o.username.title())
    email = factory.LazyAttribute(lambda o: f"{o.username}@example.com")
    language = "en"
    team = factory.SubFactory(TeamFactory)
    password = factory.PostGenerationMethodCall("set_password", "pw")

    @factory.post_generation
    def roles(self, create, extracted, **kwargs):
        if create and extracted:
            self.groups.add(*[Group.objects.get_or_create(name=r)[0] for r in extracted])
        self.save()
        self.__dict__.pop("roles", None)


class CustomerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Customer

    name = factory.Sequence(lambda n: f"Customer {n} Manufacturing")
    industry = Industry.MANUFACTURING
    employees = 500
    annual_revenue = 100_000_000
    region = "Shanghai"
    team = factory.SubFactory(TeamFactory)
    owner = factory.SubFactory(UserFactory, team=factory.SelfAttribute("..team"), roles=["sales_rep"])


class CustomerPresalesFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CustomerPresales

    customer = factory.SubFactory(CustomerFactory)
    user = factory.SubFactory(UserFactory, roles=["presales_engineer"])
    is_primary = True


class ContactFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Contact

    customer = factory.SubFactory(CustomerFactory)
    name = factory.Sequence(lambda n: f"Contact {n}")
    title = "IT Director"
    phone = factory.Sequence(lambda n: f"139{n:08d}")
    email = factory.Sequence(lambda n: f"contact{n}@customer.example")


class LeadFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Lead

    source = LeadSource.TRADE_SHOW
    status = LeadStatus.NEW
    company_name = factory.Sequence(lambda n: f"Lead Company {n}")
    contact_name = factory.Sequence(lambda n: f"Lead Contact {n}")
    contact_title = "CIO"
    phone = factory.Sequence(lambda n: f"137{n:08d}")
    email = factory.Sequence(lambda n: f"lead{n}@prospect.example")
    industry = Industry.MANUFACTURING
    received_at = factory.LazyFunction(timezone.now)
    first_contact_due_at = factory.LazyAttribute(lambda o: o.received_at + timedelta(hours=24))
    team = factory.SubFactory(TeamFactory)
    owner = factory.SubFactory(UserFactory, team=factory.SelfAttribute("..team"), roles=["sales_rep"])


class CommunicationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CommunicationRecord

    customer = factory.SubFactory(CustomerFactory)
    channel = Channel.PHONE
    key_points = "Discussed the production line upgrade."
    occurred_at = factory.LazyFunction(timezone.now)
    author = factory.SubFactory(UserFactory, roles=["presales_engineer"])


# --- SLA timers and notifications (presales/sla) -----------------------------------------


class NotificationFactory(factory.django.DjangoModelFactory):
    """A notification as ``presales.sla.notifications.notify`` would create it."""

    class Meta:
        model = "presales.Notification"

    recipient = factory.SubFactory(UserFactory)
    kind = "timer_reminder"
    key = factory.Sequence(lambda n: f"test:{n}")
    title = factory.Sequence(lambda n: f"Deadline {n} is near")
    body = "Due soon."
    url = "/deadlines/"


class TeamWebhookFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "presales.TeamWebhook"

    team = factory.SubFactory(TeamFactory)
    flavor = "wecom"
    url = "http://127.0.0.1:9/robot"
    kinds = factory.LazyFunction(lambda: ["timer_escalation"])
    enabled = True


# --- opportunity lifecycle (opportunities/models.py) -------------------------------


class OpportunityFactory(factory.django.DjangoModelFactory):
    """An opportunity in lead intake on a customer of ``team`` (stage set directly only in
    tests that need a starting point; the code under test moves it through services)."""

    class Meta:
        model = "opportunities.Opportunity"

    customer = factory.SubFactory(CustomerFactory, team=factory.SelfAttribute("..team"))
    title = factory.Sequence(lambda n: f"Production line upgrade {n}")
    amount = 1_200_000
    expected_close = factory.LazyFunction(lambda: (timezone.now() + timedelta(days=90)).date())
    competitors = factory.LazyFunction(lambda: ["Acme Systems"])
    team = factory.SubFactory(TeamFactory)
    sales_owner = factory.SubFactory(UserFactory, team=factory.SelfAttribute("..team"), roles=["sales_rep"])
    presales_owner = factory.SubFactory(
        UserFactory, team=factory.SelfAttribute("..team"), roles=["presales_engineer"]
    )
    stage = "lead_intake"
    stage_entered_at = factory.LazyFunction(timezone.now)


class ProjectInitiationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "opportunities.ProjectInitiation"

    opportunity = factory.SubFactory(OpportunityFactory)
    background = "500-staff manufacturer, ¥100M revenue; upgrading two production lines."
    sales_strategy = "Lead with the production-efficiency case; involve the plant director early."
    expected_goals = "Win the first phase (¥1.2M) and the framework agreement."
    status = "draft"


class ProjectMemberFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "opportunities.ProjectMember"

    opportunity = factory.SubFactory(OpportunityFactory)
    user = factory.SubFactory(UserFactory, roles=["presales_engineer"])
    role = "presales_engineer"


# --- reviews -----------------------------------------------------------------------------

from reviews.choices import StepMode  # noqa: E402
from reviews.models import ReviewChain, ReviewChainStep  # noqa: E402


class ReviewChainFactory(factory.django.DjangoModelFactory):
    """An active chain; add steps with ``ReviewChainStepFactory(chain=...)``."""

    class Meta:
        model = ReviewChain

    kind = "initiation"
    name = factory.Sequence(lambda n: f"Chain {n}")
    is_active = True
    score_criteria = factory.LazyFunction(list)


class ReviewChainStepFactory(factory.django.DjangoModelFactory):
    """A step by role (``approver_role=``) or by person (``approver_user=``, role "")."""

    class Meta:
        model = ReviewChainStep

    chain = factory.SubFactory(ReviewChainFactory)
    order = factory.Sequence(lambda n: n + 1)
    name = factory.LazyAttribute(lambda o: f"Step {o.order}")
    approver_role = "presales_manager"
    mode = StepMode.ALL


# --- exports (presales/exports.py) ---------------------------------------------------------

from presales.exports.models import ExportJob  # noqa: E402


class ExportJobFactory(factory.django.DjangoModelFactory):
    """A queued export job; tests run it with ``export_run`` as the task would."""

    class Meta:
        model = ExportJob

    user = factory.SubFactory(UserFactory, roles=["presales_engineer"])
    resource = "leads"
    params = factory.LazyFunction(dict)
