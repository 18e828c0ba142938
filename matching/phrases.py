"""Phrases that everyone's challenge texts share, as their writers wrote them ("hospital
discharge", "rent arrears"): the most telling words a match reason can quote."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

from matching.text_vectors import STOP_WORDS

# Words that never make a phrase worth showing: journey stages (reasons state the stage
# separately), generic verbs and filler that survive stop-word removal.
WEAK_WORDS = frozenset(
    {
        "exploring",
        "planning",
        "implementing",
        "embedding",
        "held",
        "hold",
        "holding",
        "agree",
        "agrees",
        "agreed",
        "keen",
        "feel",
        "feels",
        "felt",
        "left",
        "take",
        "takes",
        "taking",
        "keep",
        "keeps",
        "kept",
        "having",
        "hitting",
        "issue",
        "issues",
        "problem",
        "problems",
        "biggest",
        "sorted",
        "sort",
        "right",
        "especially",
        "particularly",
        "project",
        "lead",
        "leading",
        "join",
        "joining",
        "redesigning",
        "redesign",
        "struggling",
        "thinking",
        "advice",
        "welcome",
        "small",
        "tight",
        "quickly",
        "results",
        "show",
        "month",
        "months",
        "week",
        "weeks",
        "year",
        "years",
        "good",
        "great",
        "big",
        "able",
        "going",
        "use",
        "using",
        "used",
        "started",
        "start",
        "starting",
        "including",
        "rather",
        "different",
        "whole",
        "nobody",
        "owns",
        "measure",
        "someone",
        "alongside",
        "across",
        "pressure",
        "slow",
    }
)
# Too vague to stand alone, though fine inside a phrase ("care home", "virtual wards").
VAGUE_ALONE = frozenset(
    {"care", "health", "housing", "social", "wards", "ward", "staff", "system", "systems", "data", "board"}
)
MIN_SINGLE_LENGTH = 6
_CHUNKS = re.compile(r"[^a-z0-9'\s-]+")
_WORD = re.compile(r"[a-z0-9][a-z0-9'-]*")


def _runs(text: str) -> list[list[str]]:
    """Runs of adjacent content words: a stop word, weak word or punctuation ends a run."""
    runs: list[list[str]] = []
    for chunk in _CHUNKS.split(text.lower()):
        run: list[str] = []
        for word in _WORD.findall(chunk):
            word = word.strip("'-")
            if not word or word in STOP_WORDS or word in WEAK_WORDS or word.isdigit() and len(word) < 2:
                if run:
                    runs.append(run)
                run = []
            else:
                run.append(word)
        if run:
            runs.append(run)
    return runs


def _terms(text: str) -> set[str]:
    out: set[str] = set()
    for run in _runs(text):
        for size in (1, 2, 3):
            out.update(" ".join(run[k : k + size]) for k in range(len(run) - size + 1))
    return out


def phrase_candidates(texts: Sequence[str], limit: int = 2) -> tuple[list[str], int]:
    """Every phrase the texts share that is worth showing, sorted, and how many may be shown.

    Multiword phrases win; a single word is a candidate only when no phrase is shared and it
    is specific enough to mean something, and then only one is shown.
    """
    term_sets = [_terms(t) for t in texts]
    shared = set.intersection(*term_sets) if term_sets else set()
    multi = {t for t in shared if " " in t}
    multi = {t for t in multi if not any(t != o and f" {t} " in f" {o} " for o in multi)}
    if multi:
        return sorted(multi), limit
    singles = {t for t in shared if len(t) >= MIN_SINGLE_LENGTH and t not in VAGUE_ALONE}
    return sorted(singles), min(limit, 1)


def _pick(candidates: Sequence[str], limit: int, rarity: Callable[[str], float] | None) -> list[int]:
    """Positions of the most telling candidates (rarer words tell more; without `rarity`
    longer phrases come first), never two sharing a word."""

    def weight(term: str) -> tuple[float, str]:
        words = term.split()
        base = max(rarity(w) for w in words) if rarity else 1.0
        return (-(base * (1.0 + 0.6 * (len(words) - 1))), term)

    position = {term: index for index, term in enumerate(candidates)}
    chosen: list[int] = []
    used: set[str] = set()
    for term in sorted(candidates, key=weight):
        if used & set(term.split()):
            continue
        chosen.append(position[term])
        used.update(term.split())
        if len(chosen) == limit:
            break
    return chosen


def phrase_picks(
    texts: Sequence[str], rarity: Callable[[str], float] | None = None, limit: int = 2
) -> tuple[tuple[int, ...], int]:
    """Which of the texts' `phrase_candidates` tell most (their positions) and how many
    candidates there were: enough to show the same phrases again from the same texts later
    without keeping any of their words."""
    candidates, limit = phrase_candidates(texts, limit)
    return tuple(_pick(candidates, limit, rarity)), len(candidates)


def shared_phrases(
    texts: Sequence[str], rarity: Callable[[str], float] | None = None, limit: int = 2
) -> list[str]:
    """Most telling phrases the challenge texts share, written as people wrote them.

    Phrases are runs of adjacent content words ("hospital discharge", "rent arrears"),
    never words stitched across a stop word or sentence. No phrase is better than a weak one.
    """
    candidates, limit = phrase_candidates(texts, limit)
    return [candidates[index] for index in _pick(candidates, limit, rarity)]


def picked_phrases(texts: Sequence[str], picks: Sequence[int], of: int) -> list[str]:
    """The phrases `phrase_picks` chose from these texts; if the texts have changed since (the
    candidates are not the ones counted), the best phrases they share now."""
    candidates, limit = phrase_candidates(texts)
    if len(candidates) == of and all(0 <= index < of for index in picks):
        return [candidates[index] for index in picks]
    return [candidates[index] for index in _pick(candidates, limit, None)]
