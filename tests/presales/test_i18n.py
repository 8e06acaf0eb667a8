"""The translation catalogues and the translated interface (zh-hans, zh-hant, en).

Guards what a translation pass must leave behind (docs/translations.md): complete catalogues,
placeholders kept, committed .mo files matching the .po files, the glossary of PROCESS.md terms,
the right script per language, and nothing visible left outside the translation tags.
"""

from __future__ import annotations

import ast
import re
from datetime import UTC, datetime
from pathlib import Path

import polib
import pytest
from django.apps import apps
from django.conf import settings
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.functional import Promise

from leads.choices import Channel, DecisionRole, FirstContactState, Industry
from leads.models import CustomerPresales, Lead
from leads.transitions import evaluation_complete
from opportunities.services import opportunity_move
from presales.accounts.models import Department
from presales.core.audit import history_entries
from presales.core.i18n import join_list
from presales.core.roles import Role
from tests.factories import CustomerPresalesFactory, LeadFactory, OpportunityFactory

ROOT = Path(settings.BASE_DIR)
LOCALE = ROOT / "locale"
LANGUAGES = ("zh_Hans", "zh_Hant")
DOC = ROOT / "docs" / "translations.md"
OUR_APPS = ("presales", "leads", "reviews", "opportunities", "proposals", "bids", "kpi", "demo")

# %(name)s / %(n)d, bare %s / %d, and str.format's {name}; "%%" is a literal percent sign.
PLACEHOLDER = re.compile(
    r"%\([^)]+\)[-#0 +]*\d*(?:\.\d+)?[sdifeEgGxXr]|%[-#0 +]*\d*(?:\.\d+)?[sdifr]|\{\w*\}"
)
CJK = re.compile(r"[\u4e00-\u9fff]")


def catalogue(language: str) -> polib.POFile:
    return polib.pofile(str(LOCALE / language / "LC_MESSAGES" / "django.po"))


def placeholders(text: str) -> set[str]:
    return set(PLACEHOLDER.findall(text.replace("%%", "")))


def translations(entry: polib.POEntry) -> list[str]:
    return list(entry.msgstr_plural.values()) if entry.msgid_plural else [entry.msgstr]


def label(entry: polib.POEntry) -> str:
    return f"{entry.msgctxt}|{entry.msgid}" if entry.msgctxt else entry.msgid


def markdown_table(heading: str) -> list[list[str]]:
    """The rows of the first table under ``## heading`` in docs/translations.md."""
    section = DOC.read_text(encoding="utf-8").split(f"## {heading}\n", 1)[1].split("\n## ", 1)[0]
    rows = [line for line in section.splitlines() if line.startswith("|")]
    return [[cell.strip() for cell in row.strip("|").split("|")] for row in rows[2:]]


# --- the catalogues -------------------------------------------------------------------------


@pytest.mark.parametrize("language", LANGUAGES)
def test_catalogue_header_names_the_language_and_one_plural_form(language):
    po = catalogue(language)

    assert po.metadata["Language"] == language
    assert po.metadata["Plural-Forms"] == "nplurals=1; plural=0;"
    assert "charset=UTF-8" in po.metadata["Content-Type"]
    assert not po.metadata_is_fuzzy


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_entry_is_translated_and_none_is_fuzzy(language):
    po = catalogue(language)

    untranslated = [label(e) for e in po if not all(translations(e))]
    fuzzy = [label(e) for e in po if "fuzzy" in e.flags]

    assert len(po) > 400
    assert untranslated == [], f"{language}: translate these (make messages, docs/translations.md)"
    assert fuzzy == [], f"{language}: review these fuzzy guesses and remove the flag"


@pytest.mark.parametrize("language", LANGUAGES)
def test_placeholders_in_each_translation_equal_those_of_the_source(language):
    wrong = []
    for entry in catalogue(language):
        expected = placeholders(entry.msgid) | placeholders(entry.msgid_plural or "")
        wrong += [(label(entry), text) for text in translations(entry) if placeholders(text) != expected]

    assert wrong == []


def test_placeholder_pattern_sees_named_bare_and_brace_placeholders():
    """The check above must be able to fail."""
    assert placeholders("%(name)s of %(n)d, %s, {count} and 100%%") == {"%(name)s", "%(n)d", "%s", "{count}"}
    assert placeholders("没有占位符") == set()


@pytest.mark.parametrize("language", LANGUAGES)
def test_committed_mo_file_matches_the_po_file(language):
    """The app runs without gettext, from the committed .mo: it must be compiled from this .po."""
    po = catalogue(language)
    mo = polib.mofile(str(LOCALE / language / "LC_MESSAGES" / "django.mo"))

    def table(entries):
        return {
            (e.msgctxt, e.msgid): tuple(translations(e)) for e in entries if e.msgid and all(translations(e))
        }

    expected = table(e for e in po if "fuzzy" not in e.flags)
    assert table(mo) == expected, "run `make compilemessages` and commit the .mo file"
    assert mo.metadata.get("Plural-Forms") == "nplurals=1; plural=0;"


def test_zh_hant_is_written_in_traditional_and_zh_hans_in_simplified_characters():
    """Big5 holds Traditional characters only, GB2312 Simplified ones: a character outside
    the set is one OpenCC (or the translator) left in the other script."""

    def foreign(language: str, codec: str) -> list[tuple[str, str]]:
        found = []
        for entry in catalogue(language):
            for text in translations(entry):
                for char in set(CJK.findall(text)):
                    try:
                        char.encode(codec)
                    except UnicodeEncodeError:
                        found.append((entry.msgid, char))
        return found

    assert foreign("zh_Hant", "big5") == []
    assert foreign("zh_Hans", "gb2312") == []
    with pytest.raises(UnicodeEncodeError):
        "线".encode("big5")
    with pytest.raises(UnicodeEncodeError):
        "線".encode("gb2312")


def test_glossary_terms_are_used_wherever_the_english_term_appears():
    """Lifecycle and role terms of PROCESS.md read the same everywhere (docs/translations.md)."""
    rows = [row for row in markdown_table("Glossary") if row[3] == "yes"]
    assert len(rows) > 20
    catalogues = {"zh_Hans": catalogue("zh_Hans"), "zh_Hant": catalogue("zh_Hant")}
    misses = []
    for english, hans, hant, _checked in rows:
        words = [w.strip() for w in english.split(",")]
        pattern = re.compile(r"\b(?:" + "|".join(re.escape(w) for w in words) + r")\b", re.IGNORECASE)
        for language, term in (("zh_Hans", hans), ("zh_Hant", hant)):
            for entry in catalogues[language]:
                if entry.msgctxt:  # a context exists precisely to translate the word differently
                    continue
                source = PLACEHOLDER.sub("", f"{entry.msgid} {entry.msgid_plural or ''}")
                if pattern.search(source):
                    misses += [(language, entry.msgid, term) for t in translations(entry) if term not in t]

    assert misses == []


def test_zh_hant_keeps_mainland_vocabulary():
    """PROCESS.md writes 項目, 網絡, 信息: Traditional script, not Taiwan vocabulary."""
    refused = [row[1] for row in markdown_table("zh-hant keeps mainland vocabulary")]
    assert "專案" in refused

    found = [
        (entry.msgid, word)
        for entry in catalogue("zh_Hant")
        for text in translations(entry)
        for word in refused
        if word in text
    ]

    assert found == []


def test_process_terms_in_traditional():
    """Spot check of the zh-hant labels named in PROCESS.md."""
    with translation.override("zh-hant"):
        assert str(Role.PRESALES_ENGINEER.label) == "售前工程師"
        assert str(Role.PRESALES_MANAGER.label) == "售前經理"
        assert str(Role.SALES_REP.label) == "銷售"
        assert str(Role.SALES_MANAGER.label) == "銷售經理"
        assert str(Role.LEGAL.label) == "法務"
        assert str(Role.FINANCE.label) == "財務"
        assert str(Role.GENERAL_MANAGER.label) == "總經理"
        assert str(Role.DEPARTMENT_HEAD.label) == "部門負責人"
        assert translation.gettext("Leads") == "線索"
        assert translation.gettext("Reviews") == "審核"
        assert translation.gettext("Online marketing") == "網絡營銷"


def test_one_english_word_with_two_meanings_gets_two_translations():
    """Message contexts keep e.g. the industry Finance (金融) apart from the role (財務)."""
    with translation.override("zh-hans"):
        assert str(Industry.FINANCE.label) == "金融"
        assert str(Department.FINANCE.label) == "财务"
        assert str(Channel.EMAIL.label) == "邮件"
        assert translation.gettext("Email") == "邮箱"
        assert str(DecisionRole.USER.label) == "使用者"
        assert str(FirstContactState.DUE.label) == "待接触"
        assert translation.gettext("Due") == "截止时间"


def test_lists_are_joined_with_the_separator_of_the_language():
    """Chinese lists aspects with 、 (not ", "): the separator is translated (R-LEAD-4 gate)."""
    lead = Lead(eval_background="known")
    with translation.override("zh-hans"):
        assert join_list(["背景", "需求", "预算"]) == "背景、需求、预算"
        [reason] = evaluation_complete(lead, None)
        assert "需求、预算、竞争、时间进度" in reason
        assert ", " not in reason
    with translation.override("zh-hant"):
        assert join_list(["背景", "需求"]) == "背景、需求"
    with translation.override("en"):
        assert join_list(["background", "needs"]) == "background, needs"


def test_static_500_page_speaks_all_three_languages():
    """The 500 page cannot know the reader's language (it must not depend on anything that
    could fail), so it says the same thing briefly in each."""
    page = (TEMPLATES / "500.html").read_text(encoding="utf-8")

    assert "服务器出错" in page
    assert "服務器出錯" in page
    assert "Something went wrong" in page
    assert "{%" not in page and "{{" not in page


def test_third_party_pager_is_translated_in_traditional_too():
    """django-tables2 ships no zh_Hant catalogue; presales/i18n.py brings its pager into ours."""
    with translation.override("zh-hant"):
        assert translation.gettext("previous") == "上一頁"
        assert translation.gettext("next") == "下一頁"


# --- the source -----------------------------------------------------------------------------

# What `makemessages` extracts from Python: xgettext's defaults plus Django's keywords.
EXTRACTED_NAMES = {
    "_",
    "gettext",
    "gettext_lazy",
    "gettext_noop",
    "ngettext",
    "ngettext_lazy",
    "pgettext",
    "pgettext_lazy",
    "npgettext",
    "npgettext_lazy",
}


def python_sources():
    for app in OUR_APPS:
        for path in (ROOT / app).rglob("*.py"):
            if "migrations" not in path.parts:
                yield path


def test_translation_functions_are_imported_under_names_makemessages_extracts():
    """An alias such as ``gettext_lazy as _lazy`` hides its strings from the catalogue: they
    stay English in every language (the lead moves did, before this test)."""
    hidden = []
    for path in python_sources():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module == "django.utils.translation":
                hidden += [
                    f"{path.relative_to(ROOT)}: {a.name} as {a.asname}"
                    for a in node.names
                    if a.asname and a.asname not in EXTRACTED_NAMES
                ]

    assert len(list(python_sources())) > 20
    assert hidden == []


def test_every_model_field_and_model_name_is_translatable():
    """Field names show in forms, tables, exports and the change history (R-REV-6 style forms)."""
    plain = []
    for model in apps.get_models():
        if model._meta.app_label not in OUR_APPS or model.__name__.startswith("Historical"):
            continue
        for attr in ("verbose_name", "verbose_name_plural"):
            if not isinstance(model._meta.original_attrs.get(attr), Promise):
                plain.append(f"{model.__name__}.Meta.{attr}")
        plain += [
            f"{model.__name__}.{f.name}"
            for f in model._meta.get_fields()
            if f.concrete and not f.auto_created and not isinstance(f._verbose_name, Promise)
        ]

    assert plain == []


TEMPLATES = ROOT / "templates"
# The 500 page is static on purpose (no template tags that could fail while reporting a failure).
STATIC_TEMPLATES = {"500.html"}
CHECKED_ATTRIBUTES = re.compile(r"""\b(?:title|placeholder|aria-label|alt)\s*=\s*(["'])(.*?)\1""", re.DOTALL)
DJANGO = re.compile(r"\{%.*?%\}|\{\{.*?\}\}", re.DOTALL)


def visible_english(source: str) -> list[str]:
    """Words a user would see that are not inside a translation tag."""
    source = re.sub(r"\{#.*?#\}", "", source, flags=re.DOTALL)
    source = re.sub(r"\{%\s*comment\s*%\}.*?\{%\s*endcomment\s*%\}", "", source, flags=re.DOTALL)
    source = re.sub(
        r"\{%\s*blocktrans(?:late)?\b.*?\{%\s*endblocktrans(?:late)?\s*%\}", "", source, flags=re.DOTALL
    )
    source = re.sub(r"<(script|style)\b.*?</\1>", "", source, flags=re.DOTALL | re.IGNORECASE)
    attributes = " ".join(DJANGO.sub("", m.group(2)) for m in CHECKED_ATTRIBUTES.finditer(source))
    text = re.sub(r"<[^>]*>", " ", DJANGO.sub("", source))
    text = re.sub(r"&#?\w+;", " ", text)
    return re.findall(r"[A-Za-z]{2,}", f"{text} {attributes}")


def test_visible_template_text_check_can_fail():
    assert visible_english('<p title="Open">{% translate "Saved" %} Next</p>') == ["Next", "Open"]
    assert visible_english("{% blocktranslate with n=x %}{{ n }} leads{% endblocktranslate %}") == []
    assert visible_english("<nav aria-label=\"{% translate 'Breadcrumb' %}\">{{ x }} · 403</nav>") == []


def test_visible_template_text_is_inside_translation_tags():
    offenders = {}
    for path in sorted(TEMPLATES.rglob("*.html")):
        if path.name in STATIC_TEMPLATES:
            continue
        words = visible_english(path.read_text(encoding="utf-8"))
        if words:
            offenders[str(path.relative_to(ROOT))] = words

    assert len(list(TEMPLATES.rglob("*.html"))) > 20
    assert offenders == {}


# --- the rendered interface -----------------------------------------------------------------

NAV_LABELS = {
    "zh-hans": ("线索", "客户"),
    "zh-hant": ("線索", "客戶"),
    "en": ("Leads", "Customers"),
}


def nav_label(html: str, key: str) -> str:
    match = re.search(rf'data-nav="{key}">(.*?)</a>', html, re.DOTALL)
    assert match, key
    return re.sub(r"<[^>]+>", " ", match.group(1)).split()[0]


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["zh-hans", "zh-hant", "en"])
def test_lead_list_speaks_the_users_language(client, make_user, team, language):
    # given an engineer who chose this language
    user = make_user(Role.PRESALES_ENGINEER, team=team, language=language)
    LeadFactory(team=team, owner=user)
    client.force_login(user)

    # when the lead list is opened
    response = client.get(reverse("leads:lead_list"))

    # then the page, its navigation and its table are in that language
    html = response.content.decode()
    assert response.status_code == 200
    assert f'<html lang="{language}">' in html
    assert (nav_label(html, "leads"), nav_label(html, "customers")) == NAV_LABELS[language]
    new_lead, export = {
        "zh-hans": ("新建线索", "导出 CSV"),
        "zh-hant": ("新建線索", "導出 CSV"),
        "en": ("New lead", "Export CSV"),
    }[language]
    assert new_lead in html
    assert export in html
    if language != "en":
        assert "New lead" not in html
        assert "Export CSV" not in html


@pytest.mark.django_db
def test_history_shows_yes_no_and_local_time_in_the_readers_language(team, engineer):
    # given a primary presales assignment and a lead received at a known instant
    CustomerPresalesFactory(user=engineer, is_primary=True)
    LeadFactory(team=team, received_at=datetime(2026, 3, 2, 1, 30, tzinfo=UTC))

    # when the history is shown in Traditional Chinese
    with translation.override("zh-hant"):
        assignment = history_entries(CustomerPresales.history.all())[0]
        lead = history_entries(Lead.history.all())[0]
        changes = {c.field: c.new for c in assignment.changes}
        received = {c.field: c.new for c in lead.changes}["接收時間"]

    # then the boolean reads 是 (not "True") and the time is local, to the minute (not UTC ISO)
    assert assignment.action == "已創建"
    assert changes["主責"] == "是"
    assert changes["客戶"]
    assert received == timezone.localtime(datetime(2026, 3, 2, 1, 30, tzinfo=UTC)).strftime("%Y-%m-%d %H:%M")


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("language", "sentence"),
    [
        ("zh-hans", '此线索已合并到 <a href="{url}">{name}</a>。'),
        ("en", 'This lead was merged into <a href="{url}">{name}</a>.'),
    ],
)
def test_merged_into_sentence_ends_with_the_languages_full_stop(client, make_user, team, language, sentence):
    """R-LEAD-2: the link to the surviving lead sits inside one translated sentence, so its
    full stop is the language's (。 in Chinese) and the name is escaped."""
    # given a lead merged into a survivor named with markup, and a reader of the team
    survivor = LeadFactory(team=team, company_name="<b>Donghai</b> Energy")
    merged = LeadFactory(team=team, status="merged", merged_into=survivor)
    client.force_login(make_user(Role.PRESALES_ENGINEER, team=team, language=language))

    # when the merged lead is opened
    html = client.get(merged.get_absolute_url()).content.decode()

    # then the sentence is whole, in the reader's language, with the name escaped
    name = str(survivor).replace("<", "&lt;").replace(">", "&gt;")
    assert sentence.format(url=survivor.get_absolute_url(), name=name) in html


@pytest.mark.django_db
def test_stage_history_and_audit_trail_show_labels_and_lists_in_the_readers_language(client, make_user, team):
    """R-OPP-3: the stage history shows the close reason's label (价格, not the code "price")
    and the audit trail a list of competitors as a phrase (not a Python list)."""
    # given an opportunity with two competitors, lost on price by a Simplified Chinese reader
    engineer = make_user(Role.PRESALES_ENGINEER, team=team, language="zh-hans")
    opportunity = OpportunityFactory(team=team, stage="demo", competitors=["东方智控", "华宇数科"])
    opportunity_move(
        actor=engineer,
        opportunity=opportunity,
        move="mark_lost",
        reason="price",
        winning_competitor="东方智控",
    )
    client.force_login(engineer)

    # when the opportunity is opened
    html = client.get(reverse("opportunities:detail", args=[opportunity.pk])).content.decode()

    # then the move's details are labelled and translated, and the list reads 东方智控、华宇数科
    assert "关闭原因: 价格" in html
    assert "赢单厂商: 东方智控" in html
    assert "东方智控、华宇数科" in html
    assert "[&#x27;" not in html
