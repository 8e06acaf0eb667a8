"""Fill the Traditional Chinese catalogue from the Simplified one (second and later passes).

For every zh_Hant entry that is empty or fuzzy, and whose zh_Hans entry is translated, write
OpenCC's character conversion (s2tw: characters and their usual glyph forms, 為 not 爲) of the zh_Hans text, then the corrections below, and print
what was written so a person can review it against the glossary in docs/translations.md.
zh_Hant keeps the mainland vocabulary of ../shared/PROCESS.md (項目, 網絡, 信息), only the
script changes; s2tw converts characters, not vocabulary (that would be s2twp), which is what we want.

OpenCC is a tool of the translator, not of the app, so it is not in the requirements:

    .venv/bin/pip install --target /tmp/i18n-tools opencc-python-reimplemented
    PYTHONPATH=/tmp/i18n-tools .venv/bin/python scripts/i18n_hant.py [--all]

``--all`` reconverts every entry (overwrites hand corrections made in zh_Hant: avoid).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import polib

LOCALE = Path(__file__).resolve().parent.parent / "locale"
HANS = LOCALE / "zh_Hans" / "LC_MESSAGES" / "django.po"
HANT = LOCALE / "zh_Hant" / "LC_MESSAGES" / "django.po"

# Where s2tw picks a form that the glossary or ordinary usage does not want.
CORRECTIONS = {
    "臺": "台",  # s2tw writes 平臺, 後臺; 台 is the everyday form
    "伙伴": "夥伴",  # 合作夥伴 is the usual Traditional form
    # 签 is 簽 (to sign) in 会签 / 或签 (approval modes), but s2tw writes 籤 (a slip, as in
    # 標籤), which must stay elsewhere: correct the phrases only.
    "會籤": "會簽",
    "或籤": "或簽",
    # s2tw writes 遊標 for 游标 (cursor); the dictionary form is 游標, as in 游標卡尺.
    "遊標": "游標",
    # 后 is 後 (after) in "N 天后到期"; s2tw reads 天后 as the goddess (天后).
    "天后": "天後",
    # 折合 (convert to an equivalent amount) keeps 折; s2tw writes 摺合 (to fold).
    "摺合": "折合",
}


def convert(text: str, converter) -> str:
    result = converter.convert(text)
    for wrong, right in CORRECTIONS.items():
        result = result.replace(wrong, right)
    return result


def key(entry: polib.POEntry) -> tuple[str | None, str]:
    return (entry.msgctxt, entry.msgid)


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--all", action="store_true", help="reconvert every entry, not only empty or fuzzy ones"
    )
    args = parser.parse_args()
    try:
        import opencc
    except ImportError:
        print(__doc__, file=sys.stderr)
        return 2
    converter = opencc.OpenCC("s2tw")
    hans = {key(e): e for e in polib.pofile(str(HANS)) if e.translated() and "fuzzy" not in e.flags}
    hant = polib.pofile(str(HANT))
    done, waiting = 0, []
    for entry in hant:
        if not args.all and entry.translated() and "fuzzy" not in entry.flags:
            continue
        source = hans.get(key(entry))
        if source is None:
            waiting.append(entry.msgid)
            continue
        if entry.msgid_plural:
            entry.msgstr_plural = {i: convert(s, converter) for i, s in source.msgstr_plural.items()}
            shown = entry.msgstr_plural[0]
        else:
            entry.msgstr = convert(source.msgstr, converter)
            shown = entry.msgstr
        if "fuzzy" in entry.flags:
            entry.flags.remove("fuzzy")
        entry.previous_msgctxt = entry.previous_msgid = entry.previous_msgid_plural = None
        done += 1
        print(f"{entry.msgid!r} → {shown}")
    hant.save()
    print(f"\n{done} zh_Hant entries written from zh_Hans; review them.")
    if waiting:
        print(f"{len(waiting)} entries are not translated in zh_Hans yet:", *waiting, sep="\n  ")
    return 0


if __name__ == "__main__":
    sys.exit(main())
