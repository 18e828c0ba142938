"""Organisation names as this sector writes them: abbreviated, reordered, half-remembered.

Nobody types "NHS Westmoor Integrated Care Board" in full; they write "Westmoor ICB", "the ICB
in Westmoor" or "Westmoor's CCG". Names are read as words: the kind of body ("ICB", "County
Council", "Foundation Trust", in full or abbreviated, all one token) and the words that say
which one ("Westmoor"). A directory organisation is found when its distinctive words stand
next to a kind of its family, in either order. Any capitalised place before such a kind
("Eastfield ICB", "Northvale CC") is found too, whether or not it is in the directory, so the
check's answer does not tell anyone who belongs to the community.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

# Each kind of body as people write it, longest first within its family.
KINDS: dict[str, tuple[str, ...]] = {
    "icb": (
        "integrated care board",
        "integrated care system",
        "clinical commissioning group",
        "icb",
        "ics",
        "ccg",
    ),
    "pcn": ("primary care network", "pcn"),
    "trust": ("nhs foundation trust", "foundation trust", "nhs trust", "nhs ft", "ft", "trust"),
    "council": (
        "metropolitan borough council",
        "borough council",
        "county council",
        "city council",
        "district council",
        "mbc",
        "bc",
        "cc",
        "dc",
        "council",
    ),
    "dwp": ("department for work and pensions", "dwp"),
    "jcp": ("jobcentre plus", "job centre plus", "jobcentre", "job centre", "jcp"),
}
# Words that do not say which body it is, skipped between the words that do.
FILLER = frozenset(
    [
        "nhs",
        "the",
        "of",
        "and",
        "for",
        "in",
        "at",
        "&",
        "university",
        "teaching",
        "hospital",
        "hospitals",
        "health",
        "healthcare",
        "care",
        "community",
        "partnership",
        "services",
    ]
)
# Capitalised words that start sentences or point at one's own body, never a place name.
NOT_PLACES = frozenset(
    [
        "the",
        "our",
        "my",
        "your",
        "their",
        "his",
        "her",
        "its",
        "this",
        "that",
        "these",
        "those",
        "a",
        "an",
        "each",
        "every",
        "any",
        "which",
        "what",
        "when",
        "where",
        "why",
        "how",
        "who",
        "local",
        "other",
        "another",
        "neighbouring",
        "both",
        "some",
        "if",
        "and",
        "but",
        "so",
        "or",
        "is",
        "are",
        "was",
        "were",
        "do",
        "does",
        "did",
        "has",
        "have",
        "can",
        "could",
        "would",
        "should",
        "will",
        "nhs",
        "one",
        "two",
        "new",
        "old",
    ]
)
WORD = re.compile(r"[A-Za-z0-9]+(?:['’][A-Za-z]+)*|&")
MAX_GAP = 3


@dataclass(frozen=True)
class Token:
    """One word (or one kind of body, however many words it took) with its place in the text."""

    word: str  # casefolded; a kind's family name when `family` is set
    family: str | None
    start: int
    end: int
    capitalised: bool


def _phrases() -> list[tuple[tuple[str, ...], str]]:
    found = [(tuple(p.casefold().split()), family) for family, ps in KINDS.items() for p in ps]
    return sorted(found, key=lambda item: -len(item[0]))


PHRASES = _phrases()


def tokens(text: str) -> list[Token]:
    """The words of `text`, with each kind of body ("Integrated Care Board", "ICB") made one token."""
    raw = [(m.group(0), m.start(), m.end()) for m in WORD.finditer(text)]
    words = [re.sub(r"['’]s$", "", w.casefold()) for w, _, _ in raw]
    out: list[Token] = []
    i = 0
    while i < len(raw):
        for phrase, family in PHRASES:
            if tuple(words[i : i + len(phrase)]) == phrase:
                end = raw[i + len(phrase) - 1][2]
                out.append(Token(family, family, raw[i][1], end, raw[i][0][0].isupper()))
                i += len(phrase)
                break
        else:
            out.append(Token(words[i], None, raw[i][1], raw[i][2], raw[i][0][0].isupper()))
            i += 1
    return out


def _shape(name: str) -> tuple[set[str], list[str]]:
    """A directory name's families of body and its distinctive words, in order."""
    parts = tokens(name)
    families = {t.family for t in parts if t.family}
    return families, [t.word for t in parts if not t.family and t.word not in FILLER]


def _distinctive_at(words: list[Token], i: int, wanted: list[str]) -> int | None:
    """Where the distinctive words end (index of the last) if they start at `i`, fillers between."""
    j = i
    for k, word in enumerate(wanted):
        if k:
            j += 1
            while j < len(words) and words[j].word in FILLER and words[j].family is None:
                j += 1
        if j >= len(words) or words[j].word != word or words[j].family is not None:
            return None
    return j


def _kind_near(words: list[Token], first: int, last: int, families: set[str]) -> int | None:
    """The index of a kind of the right family just after `last` or just before `first`."""
    for step, start in ((1, last + 1), (-1, first - 1)):
        j = start
        for _ in range(MAX_GAP):
            if not 0 <= j < len(words):
                break
            if words[j].family in families:
                return j
            if words[j].family is not None or words[j].word not in FILLER:
                break
            j += step
    return None


def directory_variants(text: str, organisations: Iterable[str]) -> list[tuple[int, int]]:
    """Spans of `text` naming a directory organisation with its kind abbreviated or moved."""
    words = tokens(text)
    spans = []
    for name in organisations:
        families, wanted = _shape(name)
        if not families or not wanted:
            continue
        for i in range(len(words)):
            last = _distinctive_at(words, i, wanted)
            kind = None if last is None else _kind_near(words, i, last, families)
            if kind is not None:
                spans.append((words[min(i, kind)].start, words[max(last, kind)].end))
    return spans


def _joined(text: str, a: Token, b: Token) -> bool:
    """Whether two words belong to one name: nothing but spaces or a hyphen between them."""
    return not re.search(r"[.!?:;,()/]", text[a.end : b.start])


def _is_place(token: Token) -> bool:
    return token.capitalised and token.family is None and token.word not in NOT_PLACES


def _opens_sentence(text: str, token: Token) -> bool:
    return re.search(r"(?:^|[.!?:]\s*|\n\s*)$", text[: token.start]) is not None


def _place_run(text: str, words: list[Token], i: int) -> int:
    """Where the capitalised place words before the kind at `i` start (`i` when there are none).

    A sentence's first word is capitalised anyway: an adverb there ("Honestly Westmoor ICB")
    is not part of the name.
    """
    j = i
    while j > 0 and _is_place(words[j - 1]) and _joined(text, words[j - 1], words[j]):
        j -= 1
    if i - j >= 2 and words[j].word.endswith("ly") and _opens_sentence(text, words[j]):
        j += 1
    return j


def named_bodies(text: str) -> list[tuple[int, int]]:
    """Spans like "Eastfield ICB", "Northvale County Council" or "ICB in Eastfield" (any place)."""
    words = tokens(text)
    spans = []
    for i, token in enumerate(words):
        if token.family is None or not token.capitalised:
            continue
        if i + 2 < len(words) and words[i + 1].word in ("in", "for", "of") and _is_place(words[i + 2]):
            spans.append((token.start, words[i + 2].end))
            continue
        j = _place_run(text, words, i)
        if j < i:
            spans.append((words[j].start, token.end))
    return spans
