"""Rendering core messages and forms as Block Kit, and reading submitted modals back."""

from __future__ import annotations

from fake_slack import submission_payload

from adapters.slack.render import (
    decode_button,
    fallback_text,
    form_values,
    to_blocks,
    to_modal,
)
from bot.kernel.messages import (
    Attachment,
    Button,
    ChannelMention,
    Field,
    Form,
    Mention,
    Message,
    RoleMention,
)

FORM = Form(
    "A very long title that Slack would refuse",
    (
        Field("name", "Name", initial="Ann"),
        Field("story", "Story", kind="long_text", required=False, hint="No names."),
        Field("kind", "Kind", kind="choice", choices={"a": "Alpha", "b": "Beta"}, initial="b"),
        Field("tags", "Tags", kind="multi_choice", choices={"x": "X", "y": "Y"}, initial=("y",)),
        Field("ok", "OK?", kind="yes_no", initial="yes"),
        Field("until", "Until", kind="date", required=False),
        Field("tz", "Time zone", kind="timezone", initial="Europe/London"),
    ),
    "thing.submit",
    args=("7",),
)


def test_form_fields_map_to_slack_inputs_with_initial_values():
    modal = to_modal(FORM, intro="Tell us")
    assert len(modal["title"]["text"]) <= 24
    assert modal["blocks"][0]["text"]["text"] == "Tell us"
    inputs = {b["block_id"]: b for b in modal["blocks"] if b["type"] == "input"}
    element = {name: block["element"] for name, block in inputs.items()}
    assert element["name"] == {
        "type": "plain_text_input",
        "action_id": "name",
        "multiline": False,
        "initial_value": "Ann",
    }
    assert element["story"]["multiline"] and inputs["story"]["optional"] and inputs["story"]["hint"]
    assert element["kind"]["type"] == "static_select" and element["kind"]["initial_option"]["value"] == "b"
    assert element["tags"]["type"] == "multi_static_select"
    assert [o["value"] for o in element["tags"]["initial_options"]] == ["y"]
    assert element["ok"]["type"] == "radio_buttons" and element["ok"]["initial_option"]["value"] == "yes"
    assert element["until"]["type"] == "datepicker"
    assert element["tz"]["initial_value"] == "Europe/London"


def test_a_submitted_modal_reads_back_as_the_cores_form_values():
    modal = {**to_modal(FORM), "id": "V1"}
    values = {"name": "Bo", "kind": "a", "tags": ["x", "y"], "ok": "no", "until": "2027-01-31"}
    payload = submission_payload("U1", modal, values)
    assert form_values(payload["view"]) == {
        "name": "Bo",
        "story": "",
        "kind": "a",
        "tags": ["x", "y"],
        "ok": "no",
        "until": "2027-01-31",
        "tz": "Europe/London",
    }
    assert decode_button(modal["private_metadata"]) == ("thing.submit", ("7",))


def test_buttons_carry_their_command_and_long_text_is_split():
    message = Message("line\n" * 1000, buttons=tuple(Button(f"B{i}", "cmd", (str(i),)) for i in range(30)))
    blocks = to_blocks(message)
    sections = [b for b in blocks if b["type"] == "section"]
    assert len(sections) == 2 and all(len(b["text"]["text"]) <= 3000 for b in sections)
    actions = [b for b in blocks if b["type"] == "actions"]
    assert [len(b["elements"]) for b in actions] == [25, 5]
    ids = [e["action_id"] for b in actions for e in b["elements"]]
    assert len(set(ids)) == 30
    assert decode_button(actions[1]["elements"][0]["value"]) == ("cmd", ("25",))
    assert decode_button("not ours") == ("", ())


def test_attachments_fall_back_to_text():
    message = Message("Your data", attachments=(Attachment("mydata.json", "application/json", b"{}"),))
    assert len(to_blocks(Message("Data: {}", attachments=message.attachments))) == 1  # already shown
    assert "mydata.json" in fallback_text(message)
    blocks = to_blocks(message)
    assert "mydata.json" in blocks[-1]["text"]["text"] and "```{}```" in blocks[-1]["text"]["text"]
    big = Message("x", attachments=(Attachment("big.bin", "application/octet-stream", b"0" * 5000),))
    assert to_blocks(big)[-1]["type"] == "context"


def test_mentions_are_slacks_own_markup_while_typed_text_stays_as_typed():
    message = Message(f"{Mention('U42')} on Slack <b> & {RoleMention('S1')} in {ChannelMention('C7')}")
    [block] = to_blocks(message)
    assert block["text"]["text"] == "<@U42> on Slack &lt;b&gt; &amp; <!subteam^S1> in <#C7>"
    assert fallback_text(message).startswith("<@U42> on Slack <b>")
