"""Who receives an anonymous question, and the random handles everyone goes by.

Peers are ranked by how close their challenge is to the question plus the asker's own
challenge, with offline hashed TF-IDF vectors computed here and now: the question never
goes to an embedding service, whatever [matching] backend the rounds use. Handles come
from the operating system's random source and are drawn afresh for every question, so
nothing about a handle can be worked back to a person.
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta

from matching.model import normalise_organisation
from matching.text_vectors import challenge_vector, round_matrix

_random = secrets.SystemRandom()


@dataclass(frozen=True)
class Candidate:
    """A possible peer: enough to filter and rank, nothing else."""

    profile_id: int
    organisation: str
    challenge: str
    vector: dict[int, float] | None = None  # the stored hashed-TF vector of the challenge, if any


def rank_peers(
    question: str, asker_challenge: str, asker_organisation: str, candidates: Sequence[Candidate], k: int
) -> list[int]:
    """Profile ids of the k most similar candidates from other organisations (ties broken at random)."""
    own = normalise_organisation(asker_organisation)
    eligible = [c for c in candidates if normalise_organisation(c.organisation) != own]
    if not eligible:
        return []
    vectors = [challenge_vector(f"{question}\n{asker_challenge}")]
    vectors += [c.vector if c.vector else challenge_vector(c.challenge) for c in eligible]
    matrix, _ = round_matrix(vectors)
    similarity = (matrix[1:] @ matrix[0].T).toarray().ravel()
    shuffled = list(range(len(eligible)))
    _random.shuffle(shuffled)
    order = sorted(shuffled, key=lambda i: -float(similarity[i]))
    return [eligible[i].profile_id for i in order[:k]]


def new_handle(taken: set[str]) -> str:
    """A fresh "Peer NNNN" not used by anyone else in the thread."""
    while True:
        handle = f"Peer {1000 + secrets.randbelow(9000)}"
        if handle not in taken:
            return handle


def delivery_delay(low: timedelta, high: timedelta) -> timedelta:
    """A random pause before a question reaches a peer, so its arrival time points at nobody."""
    low, high = min(low, high), max(low, high)
    return timedelta(seconds=_random.uniform(low.total_seconds(), high.total_seconds()))
