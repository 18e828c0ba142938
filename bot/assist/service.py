"""Optional LLM help: suggested tags on joining, introductions, check-in questions and the
identifying-detail check for relay questions.

Every method returns something usable: when [llm] is off, the server is unreachable, slow,
erroring or answers nonsense, the template in prompts/ (or "no suggestion") is used, within
timeout_seconds. Only the fields a prompt's header allows are sent; names and organisations
never are (people are "Person A", "Person B" and names are put back locally afterwards), and
relay text only when an admin has set allow_relay_content.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bot.assist.llm_client import LlmClient, LlmFailure, first_choice_text
from bot.assist.prompts import Prompt, PromptError, load_prompt
from bot.kernel.config import Config, ConfigError
from matching.vocabulary import INTEGRATION_AREAS, ORG_TYPES, REGIONS, STAGES

SUMMARY_MAX = 140
INTRO_MAX = 1500
ITEM_MAX = 240
PERSON_FIELDS = ("role", "org_type", "region", "stage", "areas", "challenge")

# What the code can fill in for each prompt; a header asking for anything else fails at start-up.
SUPPLIED: dict[str, tuple[str, ...]] = {
    "suggest_tags": ("challenge", "areas_vocabulary"),
    "introduction": ("people", "reasons", *PERSON_FIELDS),
    "introduction_template": ("names", "people", "reasons"),
    "checkin_questions": ("stage", "areas"),
    "checkin_questions_template": ("stage", "areas"),
    "identifying_details": ("question",),
}


@dataclass(frozen=True)
class TagSuggestion:
    """Integration areas (vocabulary keys) and a one-line summary suggested from a challenge."""

    areas: tuple[str, ...]
    summary: str


@dataclass(frozen=True)
class IntroMember:
    """One person in a matched group, as the introduction needs them."""

    display_name: str
    role: str
    organisation: str
    org_type: str
    region: str
    stage: str
    areas: Sequence[str]
    challenge: str


def person_label(index: int) -> str:
    """How the LLM sees the index-th member of a group: Person A, Person B, …"""
    return f"Person {chr(ord('A') + index)}"


def redact(text: str, secrets: Sequence[tuple[str, str]]) -> str:
    """Replace each (private text, stand-in) pair, case-insensitively, before anything is sent.

    Names are also replaced word by word (a challenge may say "Alice" for "Alice Smith");
    organisation names only whole, since their words ("City", "Council") are common.
    """
    for private, stand_in in secrets:
        private = private.strip()
        if len(private) >= 2:
            text = re.sub(rf"(?<!\w){re.escape(private)}(?!\w)", stand_in, text, flags=re.IGNORECASE)
    return text


def _name_secrets(name: str, stand_in: str) -> list[tuple[str, str]]:
    if not name.strip():
        return []
    words = [w for w in re.split(r"\s+", name.strip()) if len(w) >= 3]
    return [(name, stand_in)] + [(w, stand_in) for w in words if w != name]


def _labels(keys: Sequence[str], vocabulary: Mapping[str, str]) -> str:
    return ", ".join(vocabulary.get(k, k) for k in keys)


def _parse_json_object(text: str | None, what: str) -> dict[str, Any]:
    if not text:
        raise LlmClient.malformed(what, "empty answer")
    cleaned = text.strip()
    fenced = re.fullmatch(r"```(?:json)?\s*(.*?)\s*```", cleaned, flags=re.DOTALL)
    if fenced:
        cleaned = fenced.group(1)
    try:
        value = json.loads(cleaned)
    except ValueError:
        raise LlmClient.malformed(what, "not JSON") from None
    if not isinstance(value, dict):
        raise LlmClient.malformed(what, "not a JSON object")
    return value


def _string_list(value: Any, what: str, key: str, low: int, high: int) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise LlmClient.malformed(what, f"{key} is not a list of strings")
    items = [v.strip() for v in value if v.strip()]
    if not low <= len(items) <= high or any(len(v) > ITEM_MAX for v in items):
        raise LlmClient.malformed(what, f"{key} has the wrong number or length of items")
    return items


def _shorten(text: str, limit: int) -> str:
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[: limit - 1].rsplit(" ", 1)[0]
    return cut.rstrip(",;:.") + "…"


class Assistant:
    """The LLM features, each with its fallback; built by `bot.assist.install` and handed to features."""

    def __init__(self, config: Config, prompts: Mapping[str, Prompt], client: LlmClient):
        self._llm = config.llm
        self._prompts = dict(prompts)
        self.client = client

    @property
    def enabled(self) -> bool:
        return self._llm.enabled

    async def _complete(self, name: str, available: Mapping[str, str]) -> str | None:
        """Ask the model with prompt `name`; only the header's fields of `available` are sent."""
        prompt = self._prompts[name]
        text = prompt.render(prompt.allowed(available))
        extra: dict[str, Any] = {}
        if prompt.output == "json":
            extra["response_format"] = {"type": "json_object"}
        response = await self.client.bounded(
            self.client.client.chat.completions.create(
                model=self._llm.model,
                messages=[{"role": "user", "content": text}],
                temperature=0.3,
                **extra,
            ),
            name,
        )
        return first_choice_text(response)

    async def suggest_tags(
        self, challenge: str, *, name: str = "", organisation: str = ""
    ) -> TagSuggestion | None:
        """Areas and a summary suggested from a challenge, or None when there is no usable one.

        The person's own name and organisation are replaced in the text before it is sent.
        """
        if not self.enabled:
            return None
        secrets = _name_secrets(name, "the practitioner") + [(organisation, "their organisation")]
        vocabulary = "\n".join(f"- {key}: {label}" for key, label in INTEGRATION_AREAS.items())
        available = {"challenge": redact(challenge, secrets), "areas_vocabulary": vocabulary}
        try:
            answer = _parse_json_object(await self._complete("suggest_tags", available), "suggest_tags")
            return self._tag_suggestion(answer)
        except LlmFailure:
            return None

    @staticmethod
    def _tag_suggestion(answer: dict[str, Any]) -> TagSuggestion:
        by_label = {label.casefold(): key for key, label in INTEGRATION_AREAS.items()}
        raw_areas = answer.get("areas")
        summary = answer.get("summary")
        if not isinstance(raw_areas, list) or not isinstance(summary, str) or not summary.strip():
            raise LlmClient.malformed("suggest_tags", "areas or summary missing")
        areas: list[str] = []
        for item in raw_areas:
            key = item if item in INTEGRATION_AREAS else by_label.get(str(item).strip().casefold())
            if key and key not in areas:
                areas.append(key)
        if not areas:
            raise LlmClient.malformed("suggest_tags", "no known integration area")
        return TagSuggestion(tuple(areas), _shorten(summary, SUMMARY_MAX))

    async def introduction(self, members: Sequence[IntroMember], reasons: Sequence[str]) -> str:
        """An introduction with a first-conversation agenda: the LLM's if it can, else the template."""
        if self.enabled:
            try:
                return await self._llm_introduction(members, reasons)
            except LlmFailure:
                pass
        return self._template_introduction(members, reasons)

    async def _llm_introduction(self, members: Sequence[IntroMember], reasons: Sequence[str]) -> str:
        prompt = self._prompts["introduction"]
        labels = [person_label(i) for i in range(len(members))]
        secrets: list[tuple[str, str]] = []
        for member, label in zip(members, labels, strict=True):
            secrets += _name_secrets(member.display_name, label)
            secrets.append((member.organisation, "their organisation"))
        people = []
        for member, label in zip(members, labels, strict=True):
            described = self._person_values(member)
            parts = [f"{field}: {redact(described[field], secrets)}" for field in prompt.person_fields]
            people.append(f"{label}: " + "; ".join(parts))
        available = {
            "people": "\n".join(people),
            "reasons": "\n".join(f"- {redact(r, secrets)}" for r in reasons) or "- (none given)",
        }
        answer = _parse_json_object(await self._complete("introduction", available), "introduction")
        intro = answer.get("introduction")
        if not isinstance(intro, str) or not intro.strip() or len(intro) > INTRO_MAX:
            raise LlmClient.malformed("introduction", "introduction missing or too long")
        if any(not re.search(rf"\b{label}\b", intro) for label in labels):
            raise LlmClient.malformed("introduction", "not everyone is introduced")
        agenda = _string_list(answer.get("agenda"), "introduction", "agenda", 1, 6)
        text = intro.strip() + "\n\n*A first-conversation agenda*\n"
        text += "\n".join(f"{n}. {item}" for n, item in enumerate(agenda, 1))
        for member, label in zip(members, labels, strict=True):
            text = re.sub(rf"\b{label}\b", lambda _, name=member.display_name: name, text)
        return text

    @staticmethod
    def _person_values(member: IntroMember) -> dict[str, str]:
        return {
            "role": member.role,
            "org_type": ORG_TYPES.get(member.org_type, member.org_type),
            "region": REGIONS.get(member.region, member.region),
            "stage": STAGES.get(member.stage, member.stage),
            "areas": _labels(member.areas, INTEGRATION_AREAS),
            "challenge": " ".join(member.challenge.split()),
        }

    def _template_introduction(self, members: Sequence[IntroMember], reasons: Sequence[str]) -> str:
        people = []
        for member in members:
            v = self._person_values(member)
            people.append(
                f"*{member.display_name}*: {v['role']}, {member.organisation} ({v['org_type']}, "
                f"{v['region']}). Stage: {v['stage']}; areas: {v['areas']}.\n  Challenge: {v['challenge']}"
            )
        names = [m.display_name for m in members]
        joined = names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]
        return self._prompts["introduction_template"].render(
            {
                "names": joined,
                "people": "\n".join(people),
                "reasons": "\n".join(f"• {r}" for r in reasons) or "• You share an integration area.",
            }
        )

    async def checkin_questions(self, stage: str, areas: Sequence[str]) -> list[str]:
        """Follow-up questions for a check-in: the LLM's if it can, else the template's."""
        available = {"stage": STAGES.get(stage, stage), "areas": _labels(areas, INTEGRATION_AREAS)}
        if self.enabled:
            try:
                answer = await self._complete("checkin_questions", available)
                return _string_list(
                    _parse_json_object(answer, "checkin_questions").get("questions"),
                    "checkin_questions",
                    "questions",
                    1,
                    5,
                )
            except LlmFailure:
                pass
        return self._prompts["checkin_questions_template"].render_lines(available)

    async def identifying_details(self, text: str) -> list[str]:
        """Phrases in a relay question that could identify someone; [] when the check is off.

        Relay text leaves the bot only if [llm] enabled and allow_relay_content are both set.
        Phrases the model invents (not found in the text) are dropped.
        """
        if not (self.enabled and self._llm.allow_relay_content):
            return []
        try:
            answer = await self._complete("identifying_details", {"question": text})
            details = _string_list(
                _parse_json_object(answer, "identifying_details").get("details"),
                "identifying_details",
                "details",
                0,
                20,
            )
        except LlmFailure:
            return []
        folded = text.casefold()
        return [d for d in dict.fromkeys(details) if d.casefold() in folded]

    async def close(self) -> None:
        """Close the client's connections (the composition root's owner calls this at shutdown)."""
        await self.client.close()


def config_base(config: Config) -> Path | None:
    """Prompt override paths are relative to the config file's folder, when there is one."""
    source = Path(config.source)
    return source.resolve().parent if source.is_file() else None


def load_prompts(config: Config) -> dict[str, Prompt]:
    """Load and check every prompt, so a broken override stops start-up with a clear line."""
    overrides = config.llm.prompt_overrides
    unknown = set(overrides) - set(SUPPLIED)
    if unknown:
        raise ConfigError(
            "[llm] prompt_overrides", sorted(unknown), "prompt names among " + ", ".join(SUPPLIED)
        )
    prompts = {}
    for name, supplied in SUPPLIED.items():
        try:
            prompts[name] = load_prompt(name, overrides, supplied, config_base(config))
        except PromptError as problem:
            raise ConfigError(
                f"[llm] prompt_overrides {name}", overrides.get(name, "(built in)"), str(problem)
            ) from None
    return prompts


def assistant_from_config(config: Config) -> Assistant:
    """The Assistant with its prompts and the shared client (created on first use only)."""
    return Assistant(config, load_prompts(config), LlmClient(config.llm, config.secrets.llm_api_key))
