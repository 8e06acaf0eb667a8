"""The demo's handoffs and acceptances (R-HAND-1..3, R-POST-1). Signing a contract
(demo/contracts.py ``sign_for_handoff``) made each handoff with its frozen package; this
publishes the after-sales service guide, has the after-sales department acknowledge the
first handoffs and tell the customer, records a passed service acceptance on the first (its
surveys are scheduled) and a failed product acceptance under rectification on the second;
a third, if any, stays unacknowledged (its timer escalates). Idempotent: a handoff with
acceptances, or already acknowledged, is left as it is.

Called by the lead from demo/lifecycle.py after the pipeline is built: ``build_handoffs(ctx)``.
"""

from __future__ import annotations

from datetime import timedelta

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from bids.handoff import services
from bids.handoff.choices import HandoffStatus
from bids.models import Handoff, ServiceGuide

# A minimal one-page PDF: the signed acceptance form's scan.
SCAN = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj 2 0 obj<</Type/Pages/Count 1/Kids[3 0 R]>>endobj "
    b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
)

GUIDES = {
    "zh-hans": (
        "售后服务指南",
        "7×24 热线, 远程支持, 现场服务, 备件更换",
        "4 小时响应, 24 小时到场",
        "报修 → 派单 → 处理 → 回访",
    ),
    "zh-hant": (
        "售後服務指南",
        "7×24 熱線, 遠程支持, 現場服務, 備件更換",
        "4 小時響應, 24 小時到場",
        "報修 → 派單 → 處理 → 回訪",
    ),
    "en": (
        "After-sales service guide",
        "24/7 hotline, remote support, on-site service, spare parts",
        "response within 4 hours, on site within 24 hours",
        "report → dispatch → fix → follow-up call",
    ),
}


def _guides() -> None:
    for language, (title, offered, limits, process) in GUIDES.items():
        ServiceGuide.objects.get_or_create(
            language=language,
            version=1,
            defaults={"title": title, "services": offered, "response_limits": limits, "process": process},
        )


def build_handoffs(ctx) -> None:
    _guides()
    head = ctx.users["aftersales_head"]
    today = timezone.localdate()
    handoffs = list(Handoff.objects.select_related("opportunity").order_by("pk")[:3])
    done = 0
    for index, handoff in enumerate(handoffs[:2]):
        if handoff.status != HandoffStatus.SENT or handoff.acceptances.exists():
            continue
        handoff = services.handoff_acknowledge(
            actor=head, handoff=handoff, after_sales_owner=head, note="已接收 / Received"
        )
        contact = handoff.opportunity.customer.contacts.order_by("pk").first()
        services.handoff_inform_customer(
            actor=head,
            handoff=handoff,
            contact=contact,
            contact_name="" if contact else "客户IT主管",
            language="zh-hans",
        )
        if index == 0:
            services.acceptance_record(
                actor=head,
                handoff=handoff,
                kind="service",
                data={
                    "result": "passed",
                    "accepted_on": today - timedelta(days=1),
                    "notes": "验收会议通过 / passed at the meeting",
                },
                scan=SimpleUploadedFile("acceptance.pdf", SCAN),
            )
        else:
            services.acceptance_receive(actor=head, handoff=handoff, received_on=today - timedelta(days=2))
            services.acceptance_record(
                actor=head,
                handoff=handoff,
                kind="product",
                data={
                    "result": "failed",
                    "accepted_on": today,
                    "notes": "两台设备外壳损坏 / two units arrived damaged",
                    "items": "更换两台设备 / replace the two damaged units",
                    "owner": ctx.users.get("engineer") or head,
                },
            )
        done += 1
    ctx.log.append(f"Demo handoffs: {done} acknowledged with an acceptance, {len(handoffs)} handoffs in all.")
