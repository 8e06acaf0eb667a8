"""Issue 8: history rows written before system notes were kept as codes hold the note as
text in the writer's language. The data migrations (opportunities 0012, leads 0014) give the
notes the system wrote then their code, so that every reader sees them in their own
language; notes people typed, and texts that cannot be read back, stay as they are."""

from __future__ import annotations

from importlib import import_module

import pytest
from django.apps import apps
from django.utils import translation

from leads.models import LeadStatusChange
from opportunities.models import InitiationStatusChange, StageChange
from tests.factories import LeadFactory, OpportunityFactory, ProjectInitiationFactory

pytestmark = pytest.mark.django_db

OPPORTUNITIES = import_module("opportunities.migrations.0012_system_note_codes_of_old_rows")
LEADS = import_module("leads.migrations.0014_system_note_codes_of_old_rows")


def stage_change(opportunity, actor, note: str) -> StageChange:
    return StageChange.objects.create(
        opportunity=opportunity,
        from_stage="lead_intake",
        to_stage="needs_analysis",
        move="start_needs_analysis",
        actor=actor,
        note=note,
    )


def shown(row, language: str) -> str:
    row.refresh_from_db()
    with translation.override(language):
        return row.note_text


def test_old_initiation_approved_notes_read_in_each_readers_language(engineer, team):
    # given stage changes written in Chinese and in English before notes were codes, and a typed note
    opportunity = OpportunityFactory(team=team)
    written_in_chinese = stage_change(opportunity, engineer, "项目立项已通过。")
    written_in_english = stage_change(opportunity, engineer, "Project initiation approved.")
    typed = stage_change(opportunity, engineer, "项目立项已通过。客户很满意")
    # when the data migration runs
    OPPORTUNITIES.codes_for_old_notes(apps, None)
    # then each reader sees the system's notes in their language, the typed one as typed
    assert shown(written_in_chinese, "en") == "Project initiation approved."
    assert shown(written_in_english, "zh-hans") == "项目立项已通过。"
    assert shown(written_in_english, "zh-hant") == "項目立項已通過。"
    assert (written_in_chinese.note_code, written_in_chinese.note) == (
        "initiation_approved",
        "Project initiation approved.",
    )
    assert shown(typed, "en") == "项目立项已通过。客户很满意"
    assert typed.note_code == ""


def test_old_reviewed_facts_notes_are_read_back_with_their_values(engineer, team):
    """R-REV-5: the reopened initiation's note (what changed) is read back, values kept."""
    initiation = ProjectInitiationFactory(opportunity=OpportunityFactory(team=team))

    def change(note: str) -> InitiationStatusChange:
        return InitiationStatusChange.objects.create(
            initiation=initiation,
            from_status="approved",
            to_status="draft",
            move="reopen",
            actor=engineer,
            note=note,
            revision=1,
        )

    hant = change("審核依據信息已變更：金額由 100000.00 改為 50000000.00; 幣種由 CNY 改為 USD。")
    english = change("Reviewed facts changed: exchange rate to CNY changed from — to 7.100000.")
    unreadable = change("审核依据信息已变更：预算由 1 改为 2。")  # not a reviewed fact: left alone
    # when
    OPPORTUNITIES.codes_for_old_notes(apps, None)
    # then
    assert shown(hant, "en") == (
        "Reviewed facts changed: amount changed from 100000.00 to 50000000.00; currency changed from CNY to USD."
    )
    assert (
        shown(hant, "zh-hans")
        == "审核依据信息已变更：金额由 100000.00 改为 50000000.00; 币种由 CNY 改为 USD。"
    )
    assert hant.note_params == {
        "old": {"amount": "100000.00", "currency": "CNY"},
        "new": {"amount": "50000000.00", "currency": "USD"},
        "changed": ["amount", "currency"],
    }
    assert shown(english, "zh-hans") == "审核依据信息已变更：兑人民币汇率由 — 改为 7.100000。"
    assert shown(unreadable, "en") == "审核依据信息已变更：预算由 1 改为 2。"
    assert unreadable.note_code == ""


def test_old_merge_notes_of_leads_get_their_codes(engineer, team):
    lead = LeadFactory(team=team)

    def change(note: str) -> LeadStatusChange:
        return LeadStatusChange.objects.create(
            lead=lead, from_status="new", to_status="merged", move="merge", actor=engineer, note=note
        )

    merged = change("已合并到线索 #42。")
    taken_over = change("首次接觸沿用被合併線索 #7 的記錄。")
    typed = change("Merged into lead #42 after a call.")
    # when
    LEADS.codes_for_old_notes(apps, None)
    # then
    assert shown(merged, "en") == "Merged into lead #42."
    assert shown(merged, "zh-hant") == "已合併到線索 #42。"
    assert (merged.note_code, merged.note_params) == ("merged_into", {"id": 42})
    assert shown(taken_over, "zh-hans") == "首次接触沿用被合并线索 #7 的记录。"
    assert shown(typed, "zh-hans") == "Merged into lead #42 after a call."
    assert typed.note_code == ""


def test_the_migration_leaves_rows_that_already_have_a_code(engineer, team):
    opportunity = OpportunityFactory(team=team)
    row = stage_change(opportunity, engineer, "Project initiation approved.")
    StageChange.objects.filter(pk=row.pk).update(note_code="some_other_code")
    OPPORTUNITIES.codes_for_old_notes(apps, None)
    row.refresh_from_db()
    assert row.note_code == "some_other_code"
