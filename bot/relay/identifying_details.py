"""Spotting details in a question that could identify the asker or someone else.

Practitioners write fast and often name the hospital, the team or the colleague without
meaning to. Before a question goes out the asker sees what these checks found and may
edit or send anyway. The checks are local (regular expressions and the community's own
directory); nothing here sends the text anywhere. They are a safety net, not a promise:
they cannot catch every way of identifying a place or a person.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
# UK numbers: +44 / 0044 / 0, then 9-10 more digits with optional spaces, dashes or brackets.
UK_PHONE = re.compile(r"(?<![\w+])(?:(?:\+|00)44\s?(?:\(0\)\s?)?|\(?0)\d(?:[\s-]?\)?[\s-]?\d){8,9}(?!\d)")
UK_POSTCODE = re.compile(r"\b(?:GIR ?0AA|[A-Z]{1,2}\d[A-Z\d]? ?\d[ABD-HJLNP-UW-Z]{2})\b", re.IGNORECASE)
NAME_PART_MIN = 4


@dataclass(frozen=True)
class Finding:
    """One identifying detail: what kind it is and the words as written in the question."""

    kind: str  # email | phone | postcode | organisation | person | other
    text: str

    def describe(self) -> str:
        label = {
            "email": "an email address",
            "phone": "a phone number",
            "postcode": "a postcode",
            "organisation": "an organisation in the directory",
            "person": "a person in the directory",
        }.get(self.kind, "possibly identifying")
        return f"“{self.text}” ({label})"


def _phrase(name: str, flags: int = re.IGNORECASE) -> re.Pattern[str]:
    words = [re.escape(word) for word in name.split()]
    return re.compile(r"(?<!\w)" + r"\s+".join(words) + r"(?!\w)", flags)


def _pattern_findings(text: str) -> list[Finding]:
    found = [Finding("email", m.group(0)) for m in EMAIL.finditer(text)]
    without_emails = EMAIL.sub(" ", text)
    found += [Finding("phone", m.group(0).strip()) for m in UK_PHONE.finditer(without_emails)]
    found += [Finding("postcode", m.group(0)) for m in UK_POSTCODE.finditer(without_emails)]
    return found


def _directory_findings(text: str, organisations: Iterable[str], people: Iterable[str]) -> list[Finding]:
    found: list[Finding] = []
    for organisation in {o.strip() for o in organisations if o and o.strip()}:
        found += [Finding("organisation", m.group(0)) for m in _phrase(organisation).finditer(text)]
    for person in {p.strip() for p in people if p and p.strip()}:
        matches = list(_phrase(person).finditer(text))
        if not matches and len(person.split()) > 1:
            # A surname or first name alone, written with its capital as in the directory.
            for part in person.split():
                if len(part) >= NAME_PART_MIN and part[0].isupper():
                    matches += list(_phrase(part, 0).finditer(text))
        found += [Finding("person", m.group(0)) for m in matches]
    return found


def find_identifying_details(
    text: str, organisations: Iterable[str] = (), people: Iterable[str] = ()
) -> list[Finding]:
    """Emails, UK phone numbers and postcodes, and directory names found in `text`, deduplicated."""
    found = _pattern_findings(text) + _directory_findings(text, organisations, people)
    unique: dict[tuple[str, str], Finding] = {}
    for finding in found:
        unique.setdefault((finding.kind, finding.text.casefold()), finding)
    return list(unique.values())
