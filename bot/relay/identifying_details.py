"""Spotting details in a relay message that could identify its writer or someone else.

Practitioners write fast and often name the hospital, the team, the colleague or the person
they support without meaning to. Before a question, an answer or a follow-up goes out the
writer sees what these checks found and may edit or send anyway. The checks are local
(regular expressions, the sector's ways of naming bodies, and the community's own directory);
nothing here sends the text anywhere. They are a safety net, not a promise: they cannot catch
every way of identifying a place or a person.

What a finding says never tells the writer whether a name is in the directory ("looks like a
person's name", never "a member"), so drafting is no way to learn who belongs.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from bot.relay.organisation_names import directory_variants, named_bodies

EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
# UK numbers: +44 / 0044 / 0, then 9-10 more digits with optional spaces, dashes or brackets.
UK_PHONE = re.compile(r"(?<![\w+])(?:(?:\+|00)44\s?(?:\(0\)\s?)?|\(?0)\d(?:[\s-]?\)?[\s-]?\d){8,9}(?!\d)")
UK_POSTCODE = re.compile(r"\b(?:GIR ?0AA|[A-Z]{1,2}\d[A-Z\d]? ?\d[ABD-HJLNP-UW-Z]{2})\b", re.IGNORECASE)
# NHS numbers: ten digits, usually written 3-3-4; only those whose check digit is right count.
NHS_NUMBER = re.compile(r"(?<![\d-])(\d{3})[ -]?(\d{3})[ -]?(\d{4})(?![\d-])")
# National Insurance numbers: two letters, three pairs of digits, a final A-D (often left off).
# D, F, I, U and V are never used, nor O second, nor the prefixes BG GB KN NK NT TN ZZ. HMRC's
# own examples use QQ, so a number written like one is caught too.
NI_NUMBER = re.compile(
    r"\b(?!BG|GB|KN|NK|NT|TN|ZZ)[A-CEGHJ-TW-Z][A-CEGHJ-NP-TW-Z] ?\d{2} ?\d{2} ?\d{2}(?: ?[A-D])?\b",
    re.IGNORECASE,
)
# A title and one to three capitalised names: "Dr Sarah O'Connor", "Mrs Patel", "Cllr Jones".
TITLES = "Dr|Mr|Mrs|Ms|Miss|Mx|Prof|Professor|Cllr|Councillor|Sir|Dame|Rev|Revd|Lord|Lady|Sister|Matron"
NAME_WORD = r"[A-Z][\w'’-]*\w"
TITLED_NAME = re.compile(rf"\b(?:{TITLES})\.?\s+{NAME_WORD}(?:\s+{NAME_WORD}){{0,2}}")
NAME_PART_MIN = 2
# First names that are also words: not taken for a name when they start a sentence.
WORD_NAMES = frozenset(
    [
        "Will",
        "May",
        "Mark",
        "Bill",
        "Grace",
        "Hope",
        "Faith",
        "Joy",
        "Pat",
        "Sue",
        "Dawn",
        "Rose",
        "Guy",
        "Jack",
        "Rob",
        "Sunny",
    ]
)
LABELS = {
    "email": "an email address",
    "phone": "a phone number",
    "postcode": "a postcode",
    "nhs_number": "looks like an NHS number",
    "ni_number": "looks like a National Insurance number",
    "organisation": "looks like an organisation's name",
    "person": "looks like a person's name",
}


@dataclass(frozen=True)
class Finding:
    """One identifying detail: what kind it is and the words as written in the message."""

    kind: str  # email | phone | postcode | nhs_number | ni_number | organisation | person | other
    text: str

    def describe(self) -> str:
        return f"“{self.text}” ({LABELS.get(self.kind, 'possibly identifying')})"


Span = tuple[str, int, int]  # kind, start, end


def nhs_check_digit_ok(digits: str) -> bool:
    """The NHS number's modulus-11 check: weights 10..2 on the first nine digits."""
    total = sum(int(d) * w for d, w in zip(digits[:9], range(10, 1, -1), strict=True))
    check = 11 - total % 11
    check = 0 if check == 11 else check
    return check != 10 and check == int(digits[9])


def _phrase(name: str, flags: int = re.IGNORECASE) -> re.Pattern[str]:
    words = [re.escape(word) for word in name.split()]
    return re.compile(r"(?<!\w)" + r"\s+".join(words) + r"(?!\w)", flags)


def _spans(kind: str, pattern: re.Pattern[str], text: str) -> list[Span]:
    return [(kind, m.start(), m.end()) for m in pattern.finditer(text)]


def _pattern_spans(text: str) -> list[Span]:
    """Emails first; everything else is read with the emails blanked out (same length)."""
    found = _spans("email", EMAIL, text)
    text = EMAIL.sub(lambda m: " " * len(m.group(0)), text)
    found += _spans("phone", UK_PHONE, text) + _spans("postcode", UK_POSTCODE, text)
    found += [
        ("nhs_number", m.start(), m.end())
        for m in NHS_NUMBER.finditer(text)
        if nhs_check_digit_ok("".join(m.groups()))
    ]
    found += _spans("ni_number", NI_NUMBER, text) + _spans("person", TITLED_NAME, text)
    found += [("organisation", a, b) for a, b in named_bodies(text)]
    return found


def _starts_sentence(text: str, start: int) -> bool:
    return re.search(r"(?:^|[.!?:]\s*|\n\s*)$", text[:start]) is not None


def _name_part_spans(text: str, part: str) -> list[Span]:
    """A first name or surname alone, written with its capital as in the directory."""
    found = []
    for m in _phrase(part, 0).finditer(text):
        if not (part in WORD_NAMES and _starts_sentence(text, m.start())):
            found.append(("person", m.start(), m.end()))
    return found


def _directory_spans(text: str, organisations: Iterable[str], people: Iterable[str]) -> list[Span]:
    text = EMAIL.sub(lambda m: " " * len(m.group(0)), text)
    organisations = {o.strip() for o in organisations if o and o.strip()}
    found: list[Span] = []
    for organisation in organisations:
        found += _spans("organisation", _phrase(organisation), text)
    found += [("organisation", a, b) for a, b in directory_variants(text, organisations)]
    for person in {p.strip() for p in people if p and p.strip()}:
        found += _spans("person", _phrase(person), text)
        for part in person.split() if len(person.split()) > 1 else ():
            if len(part) >= NAME_PART_MIN and part[0].isupper():
                found += _name_part_spans(text, part)
    return found


def _outermost(spans: list[Span]) -> list[Span]:
    """Drop a span inside another ("Sarah" inside "Dr Sarah O'Connor"), keeping text order."""
    ordered = sorted(set(spans), key=lambda s: (s[1], -s[2]))
    kept: list[Span] = []
    for span in ordered:
        if not any(k[1] <= span[1] and span[2] <= k[2] for k in kept):
            kept.append(span)
    return kept


def find_identifying_details(
    text: str, organisations: Iterable[str] = (), people: Iterable[str] = ()
) -> list[Finding]:
    """Contact details, NHS and NI numbers, names of people and bodies found in `text`, once each."""
    spans = _outermost(_pattern_spans(text) + _directory_spans(text, organisations, people))
    unique: dict[tuple[str, str], Finding] = {}
    for kind, start, end in spans:
        finding = Finding(kind, text[start:end].strip())
        unique.setdefault((finding.kind, finding.text.casefold()), finding)
    return list(unique.values())
