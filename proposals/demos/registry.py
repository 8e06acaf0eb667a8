"""Everything the demos area plugs into lower layers, called once from ``ProposalsConfig.ready()``:
the trial request as a review subject, the trial-return timer kind and the timer subjects,
the desk section (order 50) with the trials' reviews and the demos' and trials' timers,
the close hook (demos and trials stop when the opportunity closes)."""

from __future__ import annotations


def register() -> None:
    from opportunities.hooks import register_on_closed
    from presales.sla.delivery import register_email_attachments
    from proposals.demos import desk, notifications, review_subject, services, timers

    register_email_attachments(notifications.DEMO_INVITATION, notifications.invitation_attachments)
    timers.register()
    review_subject.register()
    desk.register()
    register_on_closed(services.demos_on_opportunity_closed)
