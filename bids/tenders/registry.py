"""Everything the tenders area plugs into lower layers, called once from ``BidsConfig.ready()``:
the stage gates (R-BID-5, R-BID-4), the tender flag validator, the bid as a review subject
(R-REV-3), the timers (R-BID-1, R-BID-2), the close hook."""

from __future__ import annotations


def register() -> None:
    from bids.tenders import desk, gates, review_subject, services, timers
    from opportunities.hooks import register_on_closed, register_update_validator

    gates.register()
    timers.register()
    review_subject.register()
    desk.register()
    register_update_validator(services.tender_has_record)
    register_on_closed(services.bids_on_opportunity_closed)
