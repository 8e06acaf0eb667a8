"""The default review chains PROCESS.md describes (R-OPP-2, R-REV-2, R-REV-3, R-REV-4).

``ensure_default_chains()`` is idempotent: it creates what is missing and leaves what an
admin has configured alone (a changed threshold or an extra step survives a re-run), and
it never adds a second active chain for a kind that already has one.
"""

from __future__ import annotations

from decimal import Decimal

from django.db import transaction

from presales.core.roles import Role
from reviews.choices import ApproverScope, ReviewKind, StepMode
from reviews.models import ReviewChain, ReviewChainStep

# R-REV-4: the general manager approves contracts above this amount (CNY); an admin
# changes it on the chain's step.
CONTRACT_GM_THRESHOLD = Decimal("10000")

SOLUTION_CRITERIA = [
    {"code": "rationality", "label": "合理性 Rationality"},
    {"code": "innovation", "label": "创新性 Innovation"},
    {"code": "completeness", "label": "完整性 Completeness"},
]

DEFAULT_CHAINS: list[dict] = [
    {
        "kind": ReviewKind.INITIATION,
        "name": "项目立项审批 Project initiation approval",
        "description": "R-OPP-2: the sales manager approves the project initiation request.",
        "score_criteria": [],
        "steps": [
            {
                "order": 1,
                "name": "销售经理 Sales manager",
                "approver_role": Role.SALES_MANAGER,
                "mode": StepMode.ANY,
            },
        ],
    },
    {
        "kind": ReviewKind.SOLUTION_VERSION,
        "name": "方案评审 Solution review",
        "description": (
            "R-REV-2: the presales manager, then the heads of the departments concerned, "
            "score rationality, innovation and completeness (1-5)."
        ),
        "score_criteria": SOLUTION_CRITERIA,
        "steps": [
            {
                "order": 1,
                "name": "售前经理 Presales manager",
                "approver_role": Role.PRESALES_MANAGER,
                "mode": StepMode.ALL,
            },
            {
                "order": 2,
                "name": "部门负责人 Department heads",
                "approver_role": Role.DEPARTMENT_HEAD,
                "approver_scope": ApproverScope.COMPANY,
                "mode": StepMode.ANY,
            },
        ],
    },
    {
        "kind": ReviewKind.BID,
        "name": "投标评审 Bid review",
        "description": (
            "R-REV-3: commercial terms and technical part (presales manager), legal "
            "compliance (legal), price reasonableness (finance)."
        ),
        "score_criteria": [],
        "steps": [
            {
                "order": 1,
                "name": "售前经理 Presales manager",
                "approver_role": Role.PRESALES_MANAGER,
                "mode": StepMode.ALL,
            },
            {"order": 2, "name": "法务 Legal", "approver_role": Role.LEGAL, "mode": StepMode.ANY},
            {"order": 3, "name": "财务 Finance", "approver_role": Role.FINANCE, "mode": StepMode.ANY},
        ],
    },
    {
        "kind": ReviewKind.CONTRACT,
        "name": "合同审批 Contract approval",
        "description": (
            "R-REV-4: commercial terms (sales manager), compliance (legal), and the general "
            "manager when the amount exceeds the threshold."
        ),
        "score_criteria": [],
        "steps": [
            {
                "order": 1,
                "name": "销售经理 Sales manager",
                "approver_role": Role.SALES_MANAGER,
                "mode": StepMode.ANY,
            },
            {"order": 2, "name": "法务 Legal", "approver_role": Role.LEGAL, "mode": StepMode.ANY},
            {
                "order": 3,
                "name": "总经理 General manager",
                "approver_role": Role.GENERAL_MANAGER,
                "mode": StepMode.ANY,
                "condition_min_amount": CONTRACT_GM_THRESHOLD,
            },
        ],
    },
]


@transaction.atomic
def ensure_default_chains() -> list[ReviewChain]:
    """Create the default chain of each kind unless that kind already has an active chain
    under another name; returns the default chains that exist afterwards."""
    chains = []
    for spec in DEFAULT_CHAINS:
        spec = dict(spec)
        steps = spec.pop("steps")
        other_active = ReviewChain.objects.filter(kind=spec["kind"], is_active=True).exclude(
            name=spec["name"]
        )
        if other_active.exists():
            continue
        chain, created = ReviewChain.objects.get_or_create(
            kind=spec["kind"],
            name=spec["name"],
            defaults={
                "description": spec["description"],
                "score_criteria": spec["score_criteria"],
                "is_active": True,
            },
        )
        if created:
            for step in steps:
                ReviewChainStep.objects.create(chain=chain, **step)
        chains.append(chain)
    return chains
