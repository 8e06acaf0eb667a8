"""The standard clauses a fresh install starts with (R-CON-5), version 1 in each language;
an admin publishes new versions (bids/contracts/services.clause_template_publish). Rows an
admin already published are left alone."""

from django.db import migrations

CLAUSES = {
    "price_terms": (
        "合同价格为含税价，税率按国家现行规定执行；如税率调整，未开票部分按新税率调整含税价格。",
        "合同價格為含稅價，稅率按國家現行規定執行；如稅率調整，未開票部分按新稅率調整含稅價格。",
        "Prices include tax at the statutory rate in force; if the rate changes, the tax-inclusive "
        "price of the part not yet invoiced follows the new rate.",
    ),
    "payment_terms": (
        "合同签订后支付30%预付款，到货验收合格后支付60%，质保期满无质量问题后支付10%。乙方在每次付款前开具合法有效的增值税专用发票。",
        "合同簽訂後支付30%預付款，到貨驗收合格後支付60%，質保期滿無質量問題後支付10%。乙方在每次付款前開具合法有效的增值稅專用發票。",
        "30% advance on signing, 60% on acceptance of the delivery, 10% at the end of the warranty "
        "period without open defects. Party B issues a valid VAT special invoice before each payment.",
    ),
    "acceptance_criteria": (
        "甲方在到货或实施完成后10个工作日内，按合同技术规格组织验收并签署验收报告；逾期未提出书面异议的视为验收合格。",
        "甲方在到貨或實施完成後10個工作日內，按合同技術規格組織驗收並簽署驗收報告；逾期未提出書面異議的視為驗收合格。",
        "Party A inspects the delivery against the contract's specifications within 10 working days "
        "of delivery or completion and signs the acceptance report; without a written objection "
        "in that time the delivery is accepted.",
    ),
    "obligations": (
        "甲方按约定提供实施所需的场地、资料和配合；乙方按约定的范围、质量和进度交付并提供培训。",
        "甲方按約定提供實施所需的場地、資料和配合；乙方按約定的範圍、質量和進度交付並提供培訓。",
        "Party A provides the site, information and cooperation the work needs; Party B delivers "
        "the agreed scope with the agreed quality and schedule, and trains Party A's staff.",
    ),
    "warranty": (
        "质保期为验收合格之日起12个月。质保期内因产品质量问题造成的故障，乙方免费维修或更换。",
        "質保期為驗收合格之日起12個月。質保期內因產品質量問題造成的故障，乙方免費維修或更換。",
        "The warranty runs 12 months from acceptance. During it Party B repairs or replaces free "
        "of charge any fault caused by the quality of the products.",
    ),
    "liability": (
        "任何一方违约，应赔偿对方因此遭受的直接损失；逾期交付或逾期付款的，每日按逾期部分金额的0.05%支付违约金，累计不超过合同总额的5%。",
        "任何一方違約，應賠償對方因此遭受的直接損失；逾期交付或逾期付款的，每日按逾期部分金額的0.05%支付違約金，累計不超過合同總額的5%。",
        "A party in breach compensates the other's direct losses; late delivery or late payment "
        "bears a penalty of 0.05% of the late part per day, at most 5% of the contract amount.",
    ),
    "confidentiality": (
        "双方对在合同履行中知悉的对方商业秘密和技术信息负有保密义务，未经对方书面同意不得向第三方披露；本条在合同终止后三年内有效。",
        "雙方對在合同履行中知悉的對方商業秘密和技術信息負有保密義務，未經對方書面同意不得向第三方披露；本條在合同終止後三年內有效。",
        "Each party keeps confidential the other's business and technical information learnt in "
        "performing the contract and discloses none to third parties without written consent; "
        "this clause survives three years after the contract ends.",
    ),
    "dispute_resolution": (
        "因本合同引起的争议，双方应友好协商解决；协商不成的，任何一方可向甲方所在地有管辖权的人民法院提起诉讼。",
        "因本合同引起的爭議，雙方應友好協商解決；協商不成的，任何一方可向甲方所在地有管轄權的人民法院提起訴訟。",
        "Disputes arising from this contract are settled by friendly negotiation; failing that, "
        "either party may sue before the competent people's court where Party A is located.",
    ),
}
LANGUAGES = ("zh-hans", "zh-hant", "en")


def seed(apps, schema_editor):
    ClauseTemplate = apps.get_model("bids", "ClauseTemplate")
    for key, texts in CLAUSES.items():
        for language, text in zip(LANGUAGES, texts, strict=True):
            if not ClauseTemplate.objects.filter(key=key, language=language).exists():
                ClauseTemplate.objects.create(key=key, language=language, text=text, version=1, active=True)


def unseed(apps, schema_editor):
    ClauseTemplate = apps.get_model("bids", "ClauseTemplate")
    ClauseTemplate.objects.filter(version=1, created_by__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [("bids", "0003_clauses")]

    operations = [migrations.RunPython(seed, unseed)]
