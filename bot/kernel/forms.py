"""Checking what people typed into forms, field by field, with messages that say what to fix.

Adapters only render forms; every rule about a valid value lives here, so Slack modals,
Discord modals, the console and CSV imports all accept and refuse exactly the same input.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from bot.kernel.messages import Field, Form
from bot.kernel.time_zones import TimeZoneError, resolve_time_zone

YES = {"yes", "y", "true", "1"}
NO = {"no", "n", "false", "0"}


class FieldError(ValueError):
    """A value that does not fit its field; str() is the message for the person."""


def _choice_key(field: Field, text: str) -> str:
    wanted = text.strip().casefold()
    for key, label in field.choices.items():
        if wanted in (key.casefold(), label.casefold()):
            return key
    if wanted.isdigit() and 1 <= int(wanted) <= len(field.choices):
        return list(field.choices)[int(wanted) - 1]
    options = ", ".join(field.choices.values())
    raise FieldError(f"“{text.strip()}” is not one of the options: {options}.")


def _as_items(raw: str | list[str] | tuple[str, ...]) -> list[str]:
    items = raw if isinstance(raw, list | tuple) else raw.replace(";", ",").split(",")
    return [item for item in (i.strip() for i in items) if item]


def parse_field(field: Field, raw: Any) -> Any:
    """Turn one submitted value into its stored form, or raise FieldError saying what to fix."""
    if isinstance(raw, bool) and field.kind == "yes_no":
        return raw
    if raw is None:
        raw = ""
    if field.kind == "multi_choice":
        items = _as_items(raw if not isinstance(raw, str) else raw)
        if not items:
            if field.required:
                raise FieldError("Choose at least one.")
            return []
        return list(dict.fromkeys(_choice_key(field, item) for item in items))
    if not isinstance(raw, str):
        raise FieldError("Expected text.")
    text = raw.strip()
    if not text:
        if field.required:
            raise FieldError("This is required.")
        return None if field.kind in ("date",) else ""
    if field.kind == "choice":
        return _choice_key(field, text)
    if field.kind == "yes_no":
        if text.casefold() in YES:
            return True
        if text.casefold() in NO:
            return False
        raise FieldError("Answer yes or no.")
    if field.kind == "timezone":
        try:
            return resolve_time_zone(text)
        except TimeZoneError as problem:
            raise FieldError(str(problem)) from None
    if field.kind == "date":
        try:
            return date.fromisoformat(text)
        except ValueError:
            raise FieldError(f"“{text}” is not a date; use YYYY-MM-DD, e.g. 2027-01-31.") from None
    if len(text) < field.min_length:
        raise FieldError(f"Too short: {len(text)} characters; write at least {field.min_length}.")
    if len(text) > field.max_length:
        raise FieldError(f"Too long: {len(text)} characters; keep it to {field.max_length} or fewer.")
    return text


def parse_form(form: Form, raw: Mapping[str, Any]) -> tuple[dict[str, Any], dict[str, str]]:
    """Check every field of a submitted form; return the values and an error per bad field."""
    values: dict[str, Any] = {}
    errors: dict[str, str] = {}
    for field in form.fields:
        try:
            values[field.name] = parse_field(field, raw.get(field.name))
        except FieldError as problem:
            errors[field.name] = str(problem)
    return values, errors
