"""Prompts and fallback templates, kept as text files in prompts/ so admins can read and change them.

Each file starts with a header of `# key: value` lines, then the body:

    # purpose: what the prompt is for (one line)
    # kind: llm | template     (llm: sent to the model; template: rendered locally, never sent)
    # output: json | text      (llm prompts only: what the model must answer with)
    # fields: challenge, areas_vocabulary   (the only variables the body may use)
    # person_fields: role, stage           (optional: per-person fields of a $people block)

Header lines that are not `key: value` are comments. The body uses string.Template syntax,
`$name` or `${name}` (`$$` for a dollar), chosen over str.format so JSON examples with braces
need no escaping. The header is the minimisation contract: a body using a variable its header
does not declare is refused at load time, rendering with an undeclared field raises, and an LLM
prompt may never declare a name, handle or organisation field.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path
from string import Template

PROMPTS_DIR = resources.files("prompts")  # package data: found in a plain (non-editable) install too

# Fields that identify a person or their employer: never sent to an LLM, whatever a header says.
NEVER_SENT = frozenset(
    {"display_name", "name", "names", "handle", "user_id", "organisation", "organisation_name"}
)
HEADER_KEYS = frozenset({"purpose", "kind", "output", "fields", "person_fields"})
_HEADER_LINE = re.compile(r"^#\s*([a-z_]+)\s*:\s*(.*)$")


class PromptError(Exception):
    """A prompt file that cannot be used, or a render that would send a field it must not."""


@dataclass(frozen=True)
class Prompt:
    """One loaded prompt or template, with the fields its header allows."""

    name: str
    purpose: str
    kind: str
    output: str
    fields: frozenset[str]
    person_fields: tuple[str, ...]
    body: str
    source: str

    def allowed(self, available: Mapping[str, str]) -> dict[str, str]:
        """The subset of `available` values this prompt's header lets through, and no more."""
        return {name: value for name, value in available.items() if name in self.fields}

    def render(self, values: Mapping[str, str]) -> str:
        """The body with `values` filled in; refuses fields the header does not declare."""
        extra = set(values) - self.fields
        if extra:
            raise PromptError(f"prompt {self.name}: given fields its header does not allow: {sorted(extra)}")
        missing = self.fields - set(values)
        if missing:
            raise PromptError(f"prompt {self.name}: missing fields {sorted(missing)}")
        return Template(self.body).substitute(values)

    def render_lines(self, values: Mapping[str, str]) -> list[str]:
        """A list template rendered as its non-empty lines (e.g. fallback check-in questions)."""
        return [line.strip() for line in self.render(values).splitlines() if line.strip()]


def _names(text: str) -> tuple[str, ...]:
    return tuple(part.strip() for part in text.split(",") if part.strip())


def _body_variables(name: str, body: str) -> set[str]:
    found = set()
    for match in Template.pattern.finditer(body):
        if match.group("invalid") is not None:
            line = body[: match.start()].count("\n") + 1
            raise PromptError(f"prompt {name}: a lone $ on body line {line} (write $$ for a dollar)")
        variable = match.group("named") or match.group("braced")
        if variable:
            found.add(variable)
    return found


def parse_prompt(name: str, text: str, source: str, supplied: Iterable[str] | None = None) -> Prompt:
    """Check and parse a prompt file's text; `supplied` is what the calling code can fill in."""
    lines = text.splitlines()
    header: dict[str, str] = {}
    start = 0
    while start < len(lines) and lines[start].startswith("#"):
        match = _HEADER_LINE.match(lines[start])
        if match:
            key, value = match.groups()
            if key not in HEADER_KEYS:
                raise PromptError(f"prompt {name}: unknown header key {key!r} (known: {sorted(HEADER_KEYS)})")
            header[key] = value.strip()
        start += 1
    body = "\n".join(lines[start:]).strip("\n") + "\n"
    for key in ("purpose", "kind", "fields"):
        if key not in header:
            raise PromptError(f"prompt {name}: the header needs a '# {key}:' line")
    kind = header["kind"]
    if kind not in ("llm", "template"):
        raise PromptError(f"prompt {name}: kind must be llm or template, not {kind!r}")
    output = header.get("output", "text")
    if output not in ("json", "text"):
        raise PromptError(f"prompt {name}: output must be json or text, not {output!r}")
    fields = frozenset(_names(header["fields"]))
    person_fields = _names(header.get("person_fields", ""))
    if kind == "llm":
        leaking = (fields | set(person_fields)) & NEVER_SENT
        if leaking:
            raise PromptError(f"prompt {name}: fields {sorted(leaking)} are never sent to an LLM")
    if supplied is not None:
        unknown = (fields | set(person_fields)) - set(supplied)
        if unknown:
            raise PromptError(
                f"prompt {name}: the bot cannot supply {sorted(unknown)}; it offers {sorted(supplied)}"
            )
    undeclared = _body_variables(name, body) - fields
    if undeclared:
        raise PromptError(f"prompt {name}: the body uses {sorted(undeclared)}, not in its '# fields:' line")
    return Prompt(name, header["purpose"], kind, output, fields, person_fields, body, source)


def prompt_path(name: str, overrides: Mapping[str, str], base: Path | None = None) -> Path | Traversable:
    """Where prompt `name` comes from: an admin's override (relative to `base`), else prompts/."""
    if name in overrides:
        path = Path(overrides[name]).expanduser()
        return path if path.is_absolute() or base is None else base / path
    return PROMPTS_DIR / f"{name}.txt"


def load_prompt(
    name: str,
    overrides: Mapping[str, str] | None = None,
    supplied: Iterable[str] | None = None,
    base: Path | None = None,
) -> Prompt:
    """Load and check one prompt by name, so a broken override fails at start-up, not mid-round."""
    path = prompt_path(name, overrides or {}, base)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as problem:
        raise PromptError(f"prompt {name}: cannot read {path} ({problem.__class__.__name__})") from None
    return parse_prompt(name, text, str(path), supplied)
