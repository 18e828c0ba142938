"""Offline text vectors for challenge descriptions.

`challenge_vector` depends only on one text, so it can be stored with the profile.
At round time `round_matrix` re-weights by how rare each term is among the people
in the round, so words everyone uses ("integration", "council") count little.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache

import numpy as np
import scipy.sparse as sp
from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS, HashingVectorizer
from sklearn.utils import murmurhash3_32

N_FEATURES = 2**18

DOMAIN_STOP_WORDS = frozenset(
    {
        "integration",
        "integrating",
        "integrate",
        "integrated",
        "council",
        "councils",
        "service",
        "services",
        "work",
        "working",
        "team",
        "teams",
        "local",
        "people",
        "need",
        "needs",
        "trying",
        "try",
        "want",
        "looking",
        "help",
        "support",
        "better",
        "new",
        "way",
        "ways",
        "area",
        "currently",
        "really",
        "lot",
        "get",
        "make",
        "challenge",
        "challenges",
        "organisation",
        "organisations",
        "partners",
        "partner",
    }
)
STOP_WORDS = frozenset(ENGLISH_STOP_WORDS) | DOMAIN_STOP_WORDS

_HASHER = HashingVectorizer(
    n_features=N_FEATURES,
    stop_words=sorted(STOP_WORDS),
    ngram_range=(1, 2),
    alternate_sign=False,
    norm=None,
)


def analyse(text: str) -> list[str]:
    """Unigrams and bigrams of a text with stop words removed, as the vectors see them."""
    return _HASHER.build_analyzer()(text)


@lru_cache(maxsize=65536)
def term_index(term: str) -> int:
    """Hashed column of one analysed term (as HashingVectorizer hashes it), for rarity look-ups."""
    return abs(murmurhash3_32(term, seed=0)) % N_FEATURES


def challenge_vector(text: str) -> dict[int, float]:
    """Sparse hashed term weights (1 + log count) of one challenge text; safe to store per profile."""
    row = _HASHER.transform([text]).tocsr()
    return {int(i): float(1.0 + np.log(c)) for i, c in zip(row.indices, row.data, strict=False)}


def round_matrix(vectors: Sequence[dict[int, float]]) -> tuple[sp.csr_matrix, np.ndarray]:
    """IDF-weighted, L2-normalised rows for the people in one round, plus the IDF per column.

    IDF is computed over this round only, so the engine needs no corpus state.
    """
    n = len(vectors)
    lengths = np.fromiter((len(v) for v in vectors), dtype=np.int64, count=n)
    indptr = np.concatenate(([0], np.cumsum(lengths)))
    indices = np.fromiter((k for v in vectors for k in v), dtype=np.int64, count=int(indptr[-1]))
    data = np.fromiter((x for v in vectors for x in v.values()), dtype=np.float64, count=int(indptr[-1]))
    matrix = sp.csr_matrix((data, indices, indptr), shape=(n, N_FEATURES))
    matrix.sum_duplicates()
    df = np.bincount(matrix.indices, minlength=N_FEATURES)
    idf = np.log((1.0 + n) / (1.0 + df)) + 1.0
    matrix = matrix.multiply(idf[None, :]).tocsr()
    norms = np.sqrt(np.asarray(matrix.multiply(matrix).sum(axis=1)).ravel())
    norms[norms == 0] = 1.0
    matrix = sp.diags(1.0 / norms) @ matrix
    return sp.csr_matrix(matrix), idf


def dense_matrix(vectors: Sequence[Sequence[float]]) -> np.ndarray:
    """L2-normalised rows of dense embeddings, so a dot product is the cosine similarity."""
    matrix = np.asarray(vectors, dtype=np.float64)
    if matrix.ndim != 2:
        matrix = matrix.reshape(len(vectors), -1)
    norms = np.linalg.norm(matrix, axis=1)
    norms[norms == 0] = 1.0
    return matrix / norms[:, None]


def cosine(a: Sequence[float], b: Sequence[float]) -> float:
    """Cosine similarity of two dense embeddings, 0 when either is all zeros."""
    x = np.asarray(a, dtype=np.float64)
    y = np.asarray(b, dtype=np.float64)
    denom = float(np.linalg.norm(x) * np.linalg.norm(y))
    return float(x @ y / denom) if denom else 0.0
