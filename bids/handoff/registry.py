"""Everything the handoff area plugs into lower layers, called once from ``BidsConfig.ready()``:
the on-signed hook that makes the handoff (R-HAND-1), its package sections, the timer kinds
and subjects (R-HAND-2, R-HAND-3, R-POST-1), the desk tab and its timers, the close hook."""

from __future__ import annotations


def register() -> None:
    from bids import hooks
    from bids.handoff import desk, package, services, timers
    from opportunities.hooks import register_on_closed

    package.register_sections()
    timers.register()
    desk.register()
    hooks.register_on_signed(services.handoff_on_signed)
    register_on_closed(services.handoff_on_opportunity_closed)
