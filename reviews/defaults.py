"""The default review chains PROCESS.md describes (R-OPP-2, R-REV-2, R-REV-3, R-REV-4).

``ensure_default_chains()`` is idempotent: it creates what is missing and leaves what an
admin has configured alone (a changed threshold or an extra step survives a re-run), and
it never adds a second active chain for a kind that already has one. A default solution
chain created before check items and margin bands existed, and never changed since, is
brought up to date (``upgrade_default_solution_chain``, also run by migration 0007).
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

# R-QUOTE-1: the price-authority bands of solution versions (margin %, CNY-independent):
# below the floor finance approves, below the lower band the general manager too. An admin
# changes them on the chain's steps.
MARGIN_FLOOR = Decimal("15")
MARGIN_GM_BAND = Decimal("5")

LEGAL_CHECKS = [
    {"code": "contract_terms", "label": "合同条款 Contract terms"},
    {"code": "ip_statements", "label": "知识产权声明 IP statements"},
]
COMMERCIAL_CHECKS = [
    {"code": "price_reasonableness", "label": "价格合理性 Price reasonableness"},
    {"code": "margin_within_policy", "label": "毛利符合政策 Margin within policy"},
]
TECHNICAL_CHECKS = [
    {"code": "feasibility", "label": "技术可行性 Feasibility"},
    {"code": "implementation_resources", "label": "实施资源 Implementation resources"},
]

# R-REV-3: what each step of the bid review signs off.
BID_MANAGER_CHECKS = [
    {
        "code": "technical_part",
        "label": "技术部分与已批准方案一致 Technical part matches the approved solution",
    },
    {"code": "commercial_terms", "label": "商务条款 Commercial terms"},
]
BID_LEGAL_CHECKS = [
    {"code": "legal_compliance", "label": "合规性 Legal compliance"},
    {"code": "commercial_terms_legal", "label": "商务条款的法律风险 Legal risk of the commercial terms"},
]
BID_FINANCE_CHECKS = [
    {"code": "price_reasonableness", "label": "价格合理性 Price reasonableness"},
    {"code": "bid_bond", "label": "投标保证金 Bid bond"},
]
BID_CHECKS_BY_ROLE = {
    Role.PRESALES_MANAGER: BID_MANAGER_CHECKS,
    Role.LEGAL: BID_LEGAL_CHECKS,
    Role.FINANCE: BID_FINANCE_CHECKS,
}

# R-REV-2: the presales manager, then the heads concerned sign off their parts at the same
# time (parallel steps, one role each, each with its check items); R-QUOTE-1: then the
# price-authority steps by margin band.
SOLUTION_STEPS: list[dict] = [
    {
        "order": 1,
        "name": "售前经理 Presales manager",
        "approver_role": Role.PRESALES_MANAGER,
        "mode": StepMode.ALL,
    },
    {
        "order": 2,
        "name": "法务 Legal",
        "approver_role": Role.LEGAL,
        "mode": StepMode.ANY,
        "check_items": LEGAL_CHECKS,
    },
    {
        "order": 3,
        "name": "商务 Commercial",
        "approver_role": Role.SALES_MANAGER,
        "mode": StepMode.ANY,
        "parallel_with_previous": True,
        "check_items": COMMERCIAL_CHECKS,
    },
    {
        "order": 4,
        "name": "技术 Technical",
        "approver_role": Role.DEPARTMENT_HEAD,
        "approver_scope": ApproverScope.COMPANY,
        "mode": StepMode.ANY,
        "parallel_with_previous": True,
        "check_items": TECHNICAL_CHECKS,
    },
    {
        "order": 5,
        "name": "财务 Finance (margin below the floor)",
        "approver_role": Role.FINANCE,
        "mode": StepMode.ANY,
        "condition_max_margin": MARGIN_FLOOR,
    },
    {
        "order": 6,
        "name": "总经理 General manager (margin below the lower band)",
        "approver_role": Role.GENERAL_MANAGER,
        "mode": StepMode.ANY,
        "condition_max_margin": MARGIN_GM_BAND,
    },
]

# The solution chain's steps before R-REV-2's check items and R-QUOTE-1's bands: a chain
# still exactly so (nobody changed it) is brought up to SOLUTION_STEPS by
# ``upgrade_default_solution_chain`` (migration 0007); a changed one is left alone.
LEGACY_SOLUTION_STEPS = [
    (1, Role.PRESALES_MANAGER, "", StepMode.ALL, ApproverScope.TEAM, None),
    (2, Role.DEPARTMENT_HEAD, "", StepMode.ANY, ApproverScope.COMPANY, None),
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
            "R-REV-2: the presales manager, then the heads concerned sign off their part of the "
            "方案審核表 item by item (legal, commercial, technical); every reviewer scores "
            "rationality, innovation and completeness (1-5). R-QUOTE-1: finance below the "
            "margin floor, the general manager below the lower band."
        ),
        "score_criteria": SOLUTION_CRITERIA,
        "scores_required_on_reject": True,
        "steps": SOLUTION_STEPS,
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
                "check_items": BID_MANAGER_CHECKS,
            },
            {
                "order": 2,
                "name": "法务 Legal",
                "approver_role": Role.LEGAL,
                "mode": StepMode.ANY,
                "check_items": BID_LEGAL_CHECKS,
            },
            {
                "order": 3,
                "name": "财务 Finance",
                "approver_role": Role.FINANCE,
                "mode": StepMode.ANY,
                "check_items": BID_FINANCE_CHECKS,
            },
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
                "scores_required_on_reject": spec.get("scores_required_on_reject", False),
                "is_active": True,
            },
        )
        if created:
            for step in steps:
                ReviewChainStep.objects.create(chain=chain, **step)
        elif spec["kind"] == ReviewKind.SOLUTION_VERSION:
            upgrade_default_solution_chain()
        elif spec["kind"] == ReviewKind.BID:
            upgrade_default_bid_chain()
        chains.append(chain)
    return chains


def _legacy_shape(steps) -> list[tuple]:
    return [
        (
            s.order,
            s.approver_role,
            s.approver_user_id or "",
            s.mode,
            s.approver_scope,
            s.condition_min_amount,
        )
        for s in steps
    ]


def upgrade_default_solution_chain(chain_model=ReviewChain, step_model=ReviewChainStep) -> bool:
    """Give the default solution chain R-REV-2's heads with their check items, R-QUOTE-1's
    price-authority steps and scores on rejections, when it still has exactly the steps it
    was created with; any admin change (another step, role, mode, scope) keeps it as it is.
    Returns whether it changed. Takes the models so a data migration can pass its own."""
    spec = next(c for c in DEFAULT_CHAINS if c["kind"] == ReviewKind.SOLUTION_VERSION)
    chain = chain_model.objects.filter(kind=spec["kind"], name=spec["name"]).first()
    if chain is None:
        return False
    steps = list(step_model.objects.filter(chain=chain).order_by("order"))
    if _legacy_shape(steps) != LEGACY_SOLUTION_STEPS or any(s.check_items for s in steps):
        return False
    for step in steps:
        step.delete()
    for data in SOLUTION_STEPS:
        step_model.objects.create(chain=chain, **data)
    chain.scores_required_on_reject = True
    chain.description = spec["description"]
    chain.save(update_fields=["scores_required_on_reject", "description"])
    return True


def upgrade_default_bid_chain(chain_model=ReviewChain, step_model=ReviewChainStep) -> int:
    """Give the steps of the active bid chains R-REV-3's check items: a step of the presales
    manager, legal or finance that has none gets that role's items; a step an admin gave
    items keeps them. Returns how many steps changed. Takes the models so a data migration
    can pass its own."""
    changed = 0
    steps = step_model.objects.filter(chain__kind=ReviewKind.BID, chain__is_active=True)
    for step in steps:
        items = BID_CHECKS_BY_ROLE.get(step.approver_role)
        if items and not step.check_items:
            step.check_items = [dict(item) for item in items]
            step.save(update_fields=["check_items"])
            changed += 1
    return changed
