"""Prompt files: loading by name, header checks, rendering only allowed fields, overrides."""

import pytest
from fake_openai import llm_settings

from bot.assist.prompts import NEVER_SENT, PromptError, load_prompt, parse_prompt
from bot.assist.service import SUPPLIED, IntroMember, assistant_from_config, load_prompts
from bot.kernel.config import ConfigError, load_config, parse_config

HEADER = "# purpose: test\n# kind: llm\n# output: json\n"


def test_every_built_in_prompt_loads_and_llm_prompts_never_ask_for_names():
    prompts = load_prompts(parse_config({}, {}, "tests"))
    assert set(prompts) == set(SUPPLIED)
    for prompt in prompts.values():
        assert prompt.purpose
        if prompt.kind == "llm":
            assert not (prompt.fields | set(prompt.person_fields)) & NEVER_SENT
    assert prompts["introduction"].person_fields == (
        "role",
        "org_type",
        "region",
        "stage",
        "areas",
        "challenge",
    )
    assert prompts["introduction_template"].kind == "template"


def test_a_body_variable_missing_from_the_header_is_refused_at_load():
    with pytest.raises(PromptError, match=r"uses \['region'\]"):
        parse_prompt("x", HEADER + "# fields: stage\nAt $stage in ${region}.\n", "test")


def test_an_llm_prompt_may_not_declare_a_name_or_organisation():
    for leaking in ("display_name", "organisation"):
        with pytest.raises(PromptError, match="never sent to an LLM"):
            parse_prompt("x", HEADER + f"# fields: stage, {leaking}\n$stage\n", "test")
    template = parse_prompt("x", "# purpose: t\n# kind: template\n# fields: names\nHi $names\n", "test")
    assert template.render({"names": "Alice"}) == "Hi Alice\n"


def test_header_mistakes_are_clear():
    with pytest.raises(PromptError, match="unknown header key 'feilds'"):
        parse_prompt("x", HEADER + "# feilds: stage\n$stage\n", "test")
    with pytest.raises(PromptError, match="needs a '# fields:' line"):
        parse_prompt("x", HEADER + "body\n", "test")
    with pytest.raises(PromptError, match="lone \\$ on body line 2"):
        parse_prompt("x", HEADER + "# fields: stage\n$stage\ncosts $ 5\n", "test")
    with pytest.raises(PromptError, match="cannot supply \\['salary'\\]"):
        parse_prompt("x", HEADER + "# fields: salary\n$salary\n", "test", supplied=("stage",))


def test_rendering_refuses_fields_the_header_does_not_allow():
    prompt = load_prompt("checkin_questions")
    available = {"stage": "planning", "areas": "housing", "display_name": "Alice Smith"}
    with pytest.raises(PromptError, match="does not allow: \\['display_name'\\]"):
        prompt.render(available)
    assert prompt.allowed(available) == {"stage": "planning", "areas": "housing"}
    assert "Alice" not in prompt.render(prompt.allowed(available))


async def test_an_override_replaces_a_prompt_and_its_header_limits_what_is_sent(fake, tmp_path):
    override = tmp_path / "intro.txt"
    override.write_text(
        "# purpose: shorter intro\n# kind: llm\n# output: json\n# fields: people\n"
        "# person_fields: stage, areas\nOVERRIDE-PROMPT introduce:\n$people\n",
        encoding="utf-8",
    )
    config_file = tmp_path / "peerbot.toml"
    config_file.write_text(
        f'[llm]\nenabled = true\nbase_url = "{fake.base_url}"\ntimeout_seconds = 0.5\n'
        'prompt_overrides = { introduction = "intro.txt" }\n',
        encoding="utf-8",
    )
    assistant = assistant_from_config(load_config(config_file, {}))
    member = IntroMember(
        "Ann", "Lead", "Org", "council", "london", "planning", ["housing"], "SECRET-CHALLENGE text"
    )
    try:
        await assistant.introduction([member, member], ["reason-text"])
    finally:
        await assistant.close()
    sent = fake.sent_text()
    assert "OVERRIDE-PROMPT" in sent and "stage: planning" in sent
    assert "SECRET-CHALLENGE" not in sent and "Lead" not in sent and "reason-text" not in sent


def test_bad_overrides_stop_start_up_with_a_config_error(tmp_path):
    def config(overrides):
        return parse_config(
            {"llm": llm_settings("http://127.0.0.1:9/v1", prompt_overrides=overrides)}, {}, "t"
        )

    with pytest.raises(ConfigError, match="prompt names among"):
        load_prompts(config({"introductions": "x.txt"}))
    with pytest.raises(ConfigError, match="cannot read"):
        load_prompts(config({"introduction": str(tmp_path / "missing.txt")}))
    asks_for_names = tmp_path / "names.txt"
    asks_for_names.write_text(HEADER + "# fields: people\n# person_fields: display_name\n$people\n")
    with pytest.raises(ConfigError, match="never sent to an LLM"):
        load_prompts(config({"introduction": str(asks_for_names)}))
