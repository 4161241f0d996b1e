"""The office's term tables (``terms.yaml``) applied to what an article says: 错误词汇, 领导姓名和职务, 敏感词.

Only an article's own words are read (its title, main text and attachments' names:
``crawler.readers.detail.article_words``), never the navigation. A wrong form quoted
by a sentence that corrects it (更正：原文“截止目前”系笔误), or a former name said to
be one (原国家工商行政管理总局), is not a finding. Each term is found once per
article, with the first sentence it stands in: a suspicion for a reviewer.
"""

from __future__ import annotations

import bisect
import hashlib
import itertools
import json
import re
from dataclasses import dataclass, replace
from typing import Any

from common.table_models import TermsTable

# Where a sentence ends; a finding carries the sentence it stands in.
_SENTENCE_END = re.compile(r"[。！？；!?;\n]")
SENTENCE_CHARS = 120  # a longer sentence is cut to this many characters around the finding
_QUOTES = (("“", "”"), ("「", "」"), ("『", "』"), ("‘", "’"))


@dataclass(frozen=True)
class Rule:
    """One thing an article must not say, and what to say instead."""

    kind: str  # wrong_term, leader_name, sensitive
    wrong: str
    right: str | None
    note: str | None
    since: str | None  # ISO date: only articles published on or after it are judged by it
    serious: bool


@dataclass(frozen=True)
class Finding:
    """A suspected 表述错误 in an article: what was found where, and the sentence it stands in."""

    kind: str  # wrong_term, leader_name, leader_title, sensitive
    term: str
    suggestion: str | None
    note: str | None
    since: str | None
    serious: bool
    sentence: str
    place: str  # title, body, attachment


class TermCheck:
    """The term tables in force, ready to be looked for in an article's words."""

    def __init__(self, table: dict[str, Any]) -> None:
        """Read ``terms.yaml`` (merged: the office's over the bundled one)."""
        terms = TermsTable.model_validate(table)
        rules = [
            Rule("wrong_term", t.wrong, t.right, t.note, t.since.isoformat() if t.since else None, t.serious)
            for t in terms.wrong_terms
        ]
        rules += [
            Rule("leader_name", form, leader.name, None, None, True)
            for leader in terms.leaders
            for form in leader.wrong_forms
        ]
        rules += [Rule("sensitive", word, None, None, None, True) for word in terms.sensitive_words]
        # Longest first: 内部资料严禁外传 is one finding, not that and 严禁外传 again.
        self.rules = sorted(rules, key=lambda r: -len(r.wrong))
        self.leaders = {leader.name: frozenset(leader.titles) for leader in terms.leaders}
        titles = {*terms.titles, *(title for leader in terms.leaders for title in leader.titles)}
        self.titles = sorted(titles, key=len, reverse=True)
        self.corrections = tuple(terms.corrections)
        self.former = tuple(terms.former)
        self.digest = hashlib.blake2b(
            json.dumps(terms.model_dump(mode="json"), sort_keys=True, ensure_ascii=False).encode(), digest_size=6
        ).hexdigest()

    def find(self, parts: list[tuple[str, str]]) -> list[Finding]:
        """The findings in an article's words, given as (place, text) pieces: each term once, where it is first.

        The pieces are searched as one text, a line each: a sentence never runs from one into the next.
        """
        text = "\n".join(piece for _, piece in parts)
        starts = list(itertools.accumulate((len(piece) + 1 for _, piece in parts[:-1]), initial=0))
        hits: list[tuple[int, Finding]] = []
        taken: list[tuple[int, int]] = []
        for rule in self.rules:
            for start in _occurrences(text, rule.wrong):
                end = start + len(rule.wrong)
                if any(s <= start and end <= e for s, e in taken) or self._excused(text, start, rule):
                    continue
                taken.append((start, end))
                sentence = _sentence(text, start, end)
                hits.append(
                    (
                        start,
                        Finding(rule.kind, rule.wrong, rule.right, rule.note, rule.since, rule.serious, sentence, ""),
                    )
                )
        hits += self._titles(text)
        found: dict[str, Finding] = {}
        for start, finding in sorted(hits, key=lambda hit: hit[0]):
            if finding.term not in found:
                found[finding.term] = replace(finding, place=parts[bisect.bisect_right(starts, start) - 1][0])
        return list(found.values())

    def _excused(self, text: str, start: int, rule: Rule) -> bool:
        """True for words quoted by a correction, or a former name said to be one (原国家工商行政管理总局)."""
        if self._corrected(text, start):
            return True
        return rule.kind == "wrong_term" and any(text.endswith(word, 0, start) for word in self.former)

    def _titles(self, text: str) -> list[tuple[int, Finding]]:
        """A leader's name written beside a title they do not hold (副市长李建华 for the 市长), where it starts.

        A title held is also written short (李建华书记 for the 市委书记), never without its 副.
        A name inside a longer name of the roster (王明 in 王明华) is that other leader.
        """
        found = []
        for name, held in self.leaders.items():
            longer = [(other, other.index(name)) for other in self.leaders if name in other and other != name]
            for start in _occurrences(text, name):
                end = start + len(name)
                if any(text.startswith(other, start - at) for other, at in longer if start >= at):
                    continue
                before = next((t for t in self.titles if text.endswith(t, 0, start)), None)
                after = next((t for t in self.titles if text.startswith(t, end)), None)
                for title, term, at in (
                    (before, f"{before}{name}", start - len(before or "")),
                    (after, f"{name}{after}", start),
                ):
                    if title is None or _holds(held, title) or self._corrected(text, start):
                        continue
                    right = f"{name}（{'、'.join(sorted(held))}）" if held else name
                    sentence = _sentence(text, start, end)
                    found.append((at, Finding("leader_title", term, right, None, None, True, sentence, "")))
        return found

    def _corrected(self, text: str, start: int) -> bool:
        """True when the words at ``start`` are quoted by a sentence that corrects them (更正、勘误)."""
        first, last = _bounds(text, start, start)
        sentence = text[first:last]
        if not any(word in sentence for word in self.corrections):
            return False
        before = text[first:start]
        if before.count('"') % 2 or before.count("＂") % 2:
            return True
        return any(before.count(left) > before.count(right) for left, right in _QUOTES)


def _holds(held: frozenset[str], title: str) -> bool:
    """True when ``title`` is one of ``held`` or its short form (书记 for 市委书记, not for 市委副书记)."""
    return any(h == title or (h.endswith(title) and not h[: -len(title)].endswith("副")) for h in held)


def _occurrences(text: str, word: str) -> list[int]:
    """Where ``word`` starts in ``text``, each time."""
    if not word:
        return []
    found = []
    start = text.find(word)
    while start >= 0:
        found.append(start)
        start = text.find(word, start + len(word))
    return found


def _bounds(text: str, start: int, end: int) -> tuple[int, int]:
    """The start and end of the sentence holding ``text[start:end]``."""
    first = max((m.end() for m in _SENTENCE_END.finditer(text, 0, start)), default=0)
    after = _SENTENCE_END.search(text, end)
    return first, after.end() if after else len(text)


def _sentence(text: str, start: int, end: int) -> str:
    """The sentence holding ``text[start:end]``, cut around it when long."""
    first, last = _bounds(text, start, end)
    if last - first <= SENTENCE_CHARS:
        return text[first:last].strip()
    margin = (SENTENCE_CHARS - (end - start)) // 2
    cut_first, cut_last = max(first, start - margin), min(last, end + margin)
    return ("…" if cut_first > first else "") + text[cut_first:cut_last].strip() + ("…" if cut_last < last else "")
