"""Bulk import and export of profiles (CSV or JSON), e.g. from a sign-up form export.

An import checks every row first and reports each bad one with its line and reason; it
loads nothing from a file with errors unless told to skip the bad rows. Export writes
the same columns, so an export can be imported again.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bot.kernel.errors import file_problem
from bot.kernel.forms import FieldError, parse_field
from bot.profiles.form import PROFILE_FIELD_NAMES, PROFILE_FIELDS

ID_COLUMNS = ("platform", "community", "user_id")
CONSENT_COLUMNS = ("consent", "consented_at")
EXPORT_COLUMNS = (*ID_COLUMNS, *PROFILE_FIELD_NAMES, "status", "consented_at")
KNOWN_COLUMNS = {*EXPORT_COLUMNS, *CONSENT_COLUMNS, "paused_until"}
PLATFORMS = ("console", "slack", "discord")


class ImportFileError(Exception):
    """The file as a whole cannot be read; str() says what to fix."""


@dataclass(frozen=True)
class RowProblem:
    """One bad row: where it is and what is wrong."""

    line: int
    reason: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.reason}"


@dataclass
class ImportPlan:
    """The checked rows: good records ready to store, and problems found."""

    records: list[dict[str, Any]] = field(default_factory=list)
    problems: list[RowProblem] = field(default_factory=list)
    ignored_columns: list[str] = field(default_factory=list)


def read_rows(path: Path) -> list[tuple[int, dict[str, Any]]]:
    """Rows with the line number a person would look for in the file."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except OSError as problem:
        raise ImportFileError(file_problem("read", path, problem)) from None
    except UnicodeDecodeError:
        raise ImportFileError(f"{path}: not UTF-8 text; save it as UTF-8 CSV or JSON") from None
    if path.suffix.lower() == ".json":
        return _json_rows(path, text)
    if path.suffix.lower() == ".csv":
        return _csv_rows(path, text)
    raise ImportFileError(f"{path}: expected a .csv or .json file")


def _json_rows(path: Path, text: str) -> list[tuple[int, dict[str, Any]]]:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as problem:
        raise ImportFileError(f"{path}: not valid JSON (line {problem.lineno}: {problem.msg})") from None
    if not isinstance(data, list):
        raise ImportFileError(f"{path}: expected a JSON array of profile objects")
    starts = _json_object_lines(text)
    rows = []
    for index, item in enumerate(data):
        line = starts[index] if index < len(starts) else index + 1
        rows.append((line, item if isinstance(item, dict) else {"__not_object__": item}))
    return rows


def _json_object_lines(text: str) -> list[int]:
    """Line numbers where each top-level array element starts, for messages."""
    lines, depth, line, in_string, escaped = [], 0, 1, False, False
    for char in text:
        if char == "\n":
            line += 1
        if in_string:
            escaped = char == "\\" and not escaped
            if char == '"' and not escaped:
                in_string = False
            continue
        if char == '"':
            in_string = True
            if depth == 1:
                lines.append(line)
        elif char in "[{":
            if depth == 1:
                lines.append(line)
            depth += 1
        elif char in "]}":
            depth -= 1
    return lines


def _csv_rows(path: Path, text: str) -> list[tuple[int, dict[str, Any]]]:
    reader = csv.DictReader(io.StringIO(text))
    if not reader.fieldnames:
        raise ImportFileError(f"{path}: the file is empty; expected a header row")
    rows, line = [], 1
    try:
        for row in reader:
            start = line + 1
            line = reader.line_num
            if None in row:
                rows.append((start, {"__extra_cells__": True}))
                continue
            rows.append((start, {k.strip(): v for k, v in row.items() if k}))
    except csv.Error as problem:
        raise ImportFileError(f"{path}: line {reader.line_num}: {problem}") from None
    return rows


def _slug(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", ".", name.casefold()).strip(".") or "person"


def _consent_time(row: dict[str, Any], now: datetime) -> datetime:
    raw = row.get("consented_at")
    if raw not in (None, ""):
        try:
            moment = datetime.fromisoformat(str(raw))
        except ValueError:
            raise FieldError(f"consented_at “{raw}” is not a date and time (ISO 8601)") from None
        return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    consent = row.get("consent")
    if isinstance(consent, bool):
        consent = "yes" if consent else "no"
    if str(consent or "").strip().casefold() in ("yes", "y", "true", "1"):
        return now
    raise FieldError(
        "no consent recorded: add a consent column saying yes (or consented_at with the time "
        "they agreed to the privacy notice)"
    )


def _check_row(
    row: dict[str, Any], default_platform: str, default_community: str, now: datetime
) -> dict[str, Any]:
    if "__extra_cells__" in row:
        raise FieldError("more cells than there are columns in the header")
    if "__not_object__" in row:
        raise FieldError("expected an object with profile fields")
    record: dict[str, Any] = {}
    for spec in PROFILE_FIELDS:
        raw = row.get(spec.name)
        if isinstance(raw, str) and spec.kind == "multi_choice" and ";" in raw:
            raw = raw.split(";")
        try:
            record[spec.name] = parse_field(spec, raw if raw is not None else spec.initial)
        except FieldError as problem:
            raise FieldError(f"{spec.name}: {problem}") from None
    platform = str(row.get("platform") or default_platform).strip()
    if platform not in PLATFORMS:
        raise FieldError(f"platform: “{platform}” is not one of {', '.join(PLATFORMS)}")
    user_id = str(row.get("user_id") or "").strip()
    if not user_id:
        if platform != "console":
            raise FieldError(f"user_id: required for {platform} profiles (their {platform} user id)")
        user_id = _slug(record["display_name"])
    record["platform"] = platform
    record["community"] = str(row.get("community") or default_community).strip()
    record["user_id"] = user_id[:64]
    record["consented_at"] = _consent_time(row, now)
    return record


def check_rows(
    rows: Iterable[tuple[int, dict[str, Any]]],
    *,
    platform: str,
    community: str,
    now: datetime,
    existing: set[tuple[str, str, str]],
) -> ImportPlan:
    """Check every row; each problem is kept with its line so all can be reported at once."""
    plan = ImportPlan()
    seen: dict[tuple[str, str, str], int] = {}
    ignored: set[str] = set()
    for line, row in rows:
        ignored |= {k for k in row if k not in KNOWN_COLUMNS and not k.startswith("__")}
        try:
            record = _check_row(row, platform, community, now)
        except FieldError as problem:
            plan.problems.append(RowProblem(line, str(problem)))
            continue
        key = (record["platform"], record["community"], record["user_id"])
        if key in seen:
            plan.problems.append(
                RowProblem(line, f"user_id “{key[2]}” appears twice (first on line {seen[key]})")
            )
            continue
        if key in existing:
            plan.problems.append(RowProblem(line, f"user_id “{key[2]}” already has a profile"))
            continue
        seen[key] = line
        plan.records.append(record)
    plan.ignored_columns = sorted(ignored)
    return plan


def export_rows(profiles: Iterable[Any]) -> list[dict[str, Any]]:
    """Profiles as rows with the import columns (lists as JSON lists)."""
    rows = []
    for profile in profiles:
        row = {}
        for column in EXPORT_COLUMNS:
            value = getattr(profile, column)
            row[column] = value.isoformat() if isinstance(value, datetime) else value
        rows.append(row)
    return rows


def render_export(rows: list[dict[str, Any]], fmt: str) -> str:
    """CSV (several areas joined by "; ") or JSON text."""
    if fmt == "json":
        return json.dumps(rows, indent=2, ensure_ascii=False) + "\n"
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(EXPORT_COLUMNS), lineterminator="\n")
    writer.writeheader()
    for row in rows:
        flat = dict(row)
        flat["areas"] = "; ".join(row["areas"])
        flat["accepts_questions"] = "yes" if row["accepts_questions"] else "no"
        writer.writerow(flat)
    return out.getvalue()
