"""Demo needs: the requirements of an opportunity about to enter the solution stage, as the
seed describes them (R-NEED-2, R-NEED-3): DEMO001 剛性 降低生產線能耗30% and DEMO002 柔性
提供操作培訓,員工掌握率100%, confirmed by e-mail, so R-NEED-4 lets the demo pipeline on."""

from __future__ import annotations

from django.core.files.base import ContentFile

from proposals.models import Requirement
from proposals.needs.services import requirement_confirmation_record, requirement_create, spin_notes_save

SPIN = {
    "situation": "兩條產線設備老化,能耗偏高;現有MES與設備數據不互通。",
    "problem": "能耗成本每年上升,故障停機無法提前預警。",
    "implication": "能耗與停機使單位成本高出同行約15%,影響年度毛利目標。",
    "need_payoff": "能耗下降30%,停機減少一半,一年內收回投資。",
}
REQUIREMENTS = [
    {
        "kind": "rigid",
        "category": "performance",
        "description": "降低生產線能耗30%",
        "priority": "high",
        "key_metric": "單位產品能耗 -30%",
    },
    {
        "kind": "flexible",
        "category": "service",
        "description": "提供操作培訓,員工掌握率100%",
        "priority": "medium",
        "key_metric": "培訓考核通過率100%",
    },
]


def ensure_confirmed_needs(opportunity, author, contact_name: str) -> None:
    """SPIN notes and the two requirements, each confirmed by e-mail (idempotent)."""
    if Requirement.objects.filter(opportunity=opportunity).exists():
        return
    spin_notes_save(actor=author, opportunity=opportunity, data=SPIN)
    # Every row written before the first confirmation: a row added after the customer
    # confirmed the list would be a change request (R-NEED-6).
    rows = [requirement_create(actor=author, opportunity=opportunity, data=data) for data in REQUIREMENTS]
    for requirement in rows:
        evidence = ContentFile(
            f"From: {contact_name}\nSubject: 需求確認\n\n確認 {requirement.code}: {requirement.description}\n".encode(),
            name=f"confirmation-{requirement.code}.eml",
        )
        requirement_confirmation_record(
            actor=author,
            requirement=requirement,
            method="email",
            confirmer_name=contact_name,
            evidence=evidence,  # type: ignore[arg-type]
        )
