"""Demo data, built by ``manage.py load_demo`` (and ``make run``).

Each module in ``BUILDERS`` has ``build(ctx: DemoContext) -> None`` and must be idempotent:
look rows up by a natural key (``update_or_create``/``get_or_create``) so running the
command twice gives the same data. Builders run in order inside one transaction; later
builders find earlier rows in ``ctx`` (users by username, teams by key).
"""

from __future__ import annotations

from dataclasses import dataclass, field

BUILDERS = [
    "demo.people",
    "demo.leads",
    "demo.lifecycle",
    "demo.proposals_data",
    "demo.knowledge_base",
    "demo.market",
    "demo.kpi",
    "demo.timers",
]


@dataclass
class DemoContext:
    users: dict = field(default_factory=dict)  # username -> User
    teams: dict = field(default_factory=dict)  # key -> Team
    extra: dict = field(default_factory=dict)  # anything a later builder needs
    log: list[str] = field(default_factory=list)
