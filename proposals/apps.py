from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProposalsConfig(AppConfig):
    """Needs analysis, solutions and their versions, demos (R-NEED, R-SOL, R-DEMO)."""

    name = "proposals"
    verbose_name = _("Solutions")

    def ready(self) -> None:
        from proposals.solutions.gates import register_all as register_solutions

        register_solutions()
        from proposals.solutions import documents as solution_documents

        solution_documents.register()
        from proposals.solutions import erasure as solution_erasure

        # R-CUST-8: an erased contact's name leaves the feedback and acceptances too.
        solution_erasure.register()
        from proposals import erasure as proposals_erasure

        proposals_erasure.register()
        from proposals.needs import registry as needs_registry

        needs_registry.register()
        from proposals.needs import documents as needs_documents

        needs_documents.register()
        from proposals.demos import registry as demos_registry

        demos_registry.register()
        # R-NEED-5 (issue 14): a completed R&D collaboration request answers its R&D requests.
        from collaboration.choices import RequestKind
        from collaboration.hooks import register_on_completed
        from proposals.needs.services import rd_request_answer_from_collaboration

        register_on_completed(RequestKind.RD_QUESTION, rd_request_answer_from_collaboration)
