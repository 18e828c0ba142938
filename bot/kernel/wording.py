"""Small helpers for wording counts in messages."""

from __future__ import annotations


def plural(count: int, singular: str, plural_form: str | None = None) -> str:
    """`1 round`, `2 rounds`, `1 person`, `0 people`: the count with the right form of the noun."""
    word = singular if count == 1 else (plural_form or f"{singular}s")
    return f"{count} {word}"
