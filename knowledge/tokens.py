"""The knowledge base's search keys (R-KB-1): text → weighted ``tsvector`` and query → ``tsquery``,
built here in Python and handed to PostgreSQL as literals, so no text-search parser, dictionary
or locale of the server decides what a Chinese character is.

Why bigrams rather than a word segmenter (jieba): a query of two characters (制造, 能耗) must
find every text containing them, whatever a dictionary would cut them into ("智能制造" segments
as one word, "能耗" may be split or not depending on the dictionary's version); overlapping
bigrams find any infix of two characters or more exactly, need no dictionary to install or keep
in step, and keep Traditional and Simplified behaviour the same. A run of Chinese characters
"智能制造系统" gives the keys 智能 能制 制造 造系 系统 at consecutive positions; a query of more
than two characters is the *phrase* of its bigrams (``'能耗' <-> '耗管' <-> '管理'``), which
holds only where they stand in that order, i.e. where the text contains the query. A lone
character in a text is kept as a key of its own; a query of one character matches the keys
starting with it (``'制':*``; not the ones ending with it — a one-character search is not
promised). Latin letters and digits form words, folded (NFKC, lower case): "MES系统" is the word
``mes`` followed by ``系统``. Mixed queries AND their parts.

Weights: title A, summary and tags B, body C; ``ts_rank`` ranks on them (knowledge/search.py).
"""

from __future__ import annotations

import html
import re
import unicodedata
from collections.abc import Iterable

# CJK Unified Ideographs (+ extension A, compatibility), Hiragana/Katakana, Hangul.
_CJK = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\u3040-\u30ff\uac00-\ud7af"
_PIECES = re.compile(rf"[{_CJK}]+|[0-9a-z\u00c0-\u024f]+")
_CJK_RUN = re.compile(rf"^[{_CJK}]+$")
MAX_TEXT = 200_000  # characters of one field that are indexed (the body of a long article)
MAX_QUERY_PIECES = 8


def fold(text: str) -> str:
    return unicodedata.normalize("NFKC", text or "").lower()


def _keys(piece: str) -> list[str]:
    if _CJK_RUN.match(piece):
        if len(piece) == 1:
            return [piece]
        return [piece[i : i + 2] for i in range(len(piece) - 1)]
    return [piece]


def _quote(key: str) -> str:
    return "'" + key.replace("\\", "\\\\").replace("'", "''") + "'"


def tsvector_literal(fields: Iterable[tuple[str, str]]) -> str:
    """``[(text, weight), …]`` → a tsvector literal (``'制造':3A,9C 'mes':1A``). Positions run
    on across fields (a phrase never spans two: each field starts 2 positions after the last),
    capped at PostgreSQL's 16383."""
    positions: dict[str, list[str]] = {}
    position = 1
    for text, weight in fields:
        for piece in _PIECES.findall(fold(text)[:MAX_TEXT]):
            for key in _keys(piece):
                if position <= 16383:
                    bucket = positions.setdefault(key, [])
                    if len(bucket) < 256:  # PostgreSQL keeps at most 256 positions per lexeme
                        bucket.append(f"{position}{weight}")
                position += 1
            position += 1  # no phrase across a piece boundary ("制造 系统" is not "造系")
        position += 2
    return " ".join(f"{_quote(key)}:{','.join(spots)}" for key, spots in positions.items())


def query_parts(query: str) -> list[str]:
    """The pieces of a query the user typed: Chinese runs and Latin words, folded."""
    return _PIECES.findall(fold(query))[:MAX_QUERY_PIECES]


def tsquery_literal(query: str, *, phrase: bool = True) -> str:
    """The user's query → a tsquery literal, or "" when it holds nothing searchable. With
    ``phrase=False`` a Chinese run is the AND of its pairs (what the index answers exactly,
    without reading the articles); with ``phrase=True`` the pairs must also follow each other."""
    terms = []
    for piece in query_parts(query):
        if _CJK_RUN.match(piece) and len(piece) == 1:
            terms.append(f"{_quote(piece)}:*")
        elif _CJK_RUN.match(piece):
            joiner = " <-> " if phrase else " & "
            terms.append("(" + joiner.join(_quote(k) for k in _keys(piece)) + ")")
        else:
            terms.append(f"{_quote(piece)}:*" if len(piece) >= 3 else _quote(piece))
    return " & ".join(terms)


def highlight(text: str, query: str, *, around: int = 0) -> str:
    """``text`` escaped, with each occurrence of a query piece wrapped in ``<mark>`` (case and
    width insensitive). With ``around``, only a window of that many characters around the first
    occurrence (a snippet with ellipses). Returns safe HTML."""
    text = text or ""
    parts = sorted(set(query_parts(query)), key=len, reverse=True)
    folded = fold(text)
    if len(folded) != len(text):  # NFKC changed lengths: search in the text's own case-fold
        folded = text.lower()
    spans: list[tuple[int, int]] = []
    for part in parts:
        start = 0
        while part and (found := folded.find(part, start)) >= 0:
            spans.append((found, found + len(part)))
            start = found + len(part)
    spans.sort()
    merged: list[tuple[int, int]] = []
    for span in spans:
        if merged and span[0] <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], span[1]))
        else:
            merged.append(span)
    lo, hi = 0, len(text)
    if around:
        first = merged[0][0] if merged else 0
        lo = max(0, first - around // 2)
        hi = min(len(text), lo + around)
    out = ["…" if lo > 0 else ""]
    cursor = lo
    for start, end in merged:
        if end <= lo or start >= hi:
            continue
        start, end = max(start, lo), min(end, hi)
        out.append(html.escape(text[cursor:start]))
        out.append(f"<mark>{html.escape(text[start:end])}</mark>")
        cursor = end
    out.append(html.escape(text[cursor:hi]))
    out.append("…" if hi < len(text) else "")
    return "".join(out)
