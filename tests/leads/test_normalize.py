"""Match keys for duplicate detection (R-LEAD-2): company names, phones and emails."""

import pytest

from leads.normalize import normalize_company, normalize_email, normalize_phone


@pytest.mark.parametrize(
    ("raw", "key"),
    [
        # Chinese legal forms, simplified and traditional
        ("上海华东精密制造有限公司", "上海华东精密制造"),
        ("上海华东精密制造股份有限公司", "上海华东精密制造"),
        ("上海华东精密制造有限责任公司", "上海华东精密制造"),
        ("台北精密製造有限責任公司", "台北精密製造"),
        ("华东集团", "华东"),
        # English legal forms in their many spellings
        ("ACME Co., Ltd.", "acme"),
        ("Acme Co.,Ltd.", "acme"),
        ("Acme Company Limited", "acme"),
        ("acme inc.", "acme"),
        ("Acme Corp", "acme"),
        ("ACME GmbH", "acme"),
        # full-width letters, full-width spaces and punctuation
        ("ＡＣＭＥ　Ｃｏ．，Ｌｔｄ．", "acme"),
        ("（上海）华东精密", "上海华东精密"),
        # legal-form words are removed only as whole words
        ("Princeton Instruments Inc", "princetoninstruments"),
        ("Coltd Robotics", "coltdrobotics"),
        ("", ""),
        (None, ""),
    ],
)
def test_company_names_fold_to_one_key_r_lead_2(raw, key):
    assert normalize_company(raw) == key


def test_simplified_and_traditional_names_stay_distinct_r_lead_2():
    # different characters are different names; the rule only folds width, case and forms
    assert normalize_company("上海华东精密制造有限公司") != normalize_company("上海華東精密製造有限公司")


@pytest.mark.parametrize(
    ("raw", "key"),
    [
        ("13800138000", "13800138000"),
        ("138-0013-8000", "13800138000"),
        ("+86 138 0013 8000", "13800138000"),
        ("+86-13800138000", "13800138000"),
        ("0086 13800138000", "13800138000"),
        ("8613800138000", "13800138000"),
        ("１３８００１３８０００", "13800138000"),  # full-width digits
        ("＋８６ １３８００１３８０００", "13800138000"),
        # landlines: the country code replaces the trunk 0 of the area code
        ("021-6123 4567", "02161234567"),
        ("+86 21 6123 4567", "02161234567"),
        ("+86 (0)21 6123 4567", "02161234567"),
        ("+86 10 1234 5678", "01012345678"),
        ("(010) 1234-5678", "01012345678"),
        # an 8-digit local number starting with 86 is not a country code
        ("86123456", "86123456"),
        # too short to match anything
        ("12345", ""),
        ("", ""),
        (None, ""),
    ],
)
def test_phone_numbers_fold_to_domestic_digits_r_lead_2(raw, key):
    assert normalize_phone(raw) == key


@pytest.mark.parametrize(
    ("raw", "key"),
    [
        ("Wang.Li@Example.COM", "wang.li@example.com"),
        ("  wang.li@example.com ", "wang.li@example.com"),
        ("ｗａｎｇ＠ｅｘａｍｐｌｅ．ｃｏｍ", "wang@example.com"),
        ("", ""),
        (None, ""),
    ],
)
def test_emails_fold_case_width_and_spaces_r_lead_2(raw, key):
    assert normalize_email(raw) == key
