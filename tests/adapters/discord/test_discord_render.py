"""Translation without a network: custom ids, modal pages and limits, sharding choice."""

from __future__ import annotations

from adapters.discord.bot import PeerBot, ShardedPeerBot, build_bot
from adapters.discord.render import (
    build_modal,
    button_custom_id,
    form_pages,
    modal_values,
    parse_button_custom_id,
    render_text,
    split_text,
)
from bot.kernel.config import with_section
from bot.kernel.messages import Button, ChannelMention, Field, Form, Mention, Message, RoleMention
from bot.profiles.form import profile_form


def test_button_custom_ids_round_trip_and_respect_the_100_character_limit():
    button = Button("Answer", "relay.answer", ("q-12", "two words"))
    custom_id = button_custom_id("900000000000000001", button)
    press = parse_button_custom_id(custom_id)
    assert (press.community, press.command, press.args) == (
        "900000000000000001",
        "relay.answer",
        ("q-12", "two words"),
    )
    assert button_custom_id("9", Button("x", "a", ("y" * 120,))) is None
    assert parse_button_custom_id("p:9:not json") is None and parse_button_custom_id("fp:abc:0") is None


def test_long_forms_become_modal_pages_of_at_most_five_inputs():
    form = profile_form("join.submit")
    pages = form_pages(form)
    assert [len(p) for p in pages] == [5, 5, 1]
    modal = build_modal(form, "tok", 0, {}).to_dict()
    assert len(modal["components"]) == 5 and len(modal["title"]) <= 45
    kinds = [c["component"]["type"] for c in modal["components"]]
    assert kinds == [4, 4, 3, 3, 4]  # text, text, select (org type), select (region), text


def test_choices_beyond_a_select_menu_fall_back_to_typed_text():
    many = {f"k{i}": f"option {i}" for i in range(30)}
    form = Form("Pick", (Field("big", "Big choice", kind="choice", choices=many),), "x.submit")
    (label,) = build_modal(form, "t", 0, {}).to_dict()["components"]
    assert label["component"]["type"] == 4


def test_modal_values_read_labels_rows_and_selects():
    components = [
        {"type": 18, "component": {"type": 4, "custom_id": "name", "value": "Ann"}},
        {"type": 1, "components": [{"type": 4, "custom_id": "role", "value": "Lead"}]},
        {"type": 18, "component": {"type": 3, "custom_id": "areas", "values": ["health"]}},
    ]
    assert modal_values(components) == {"name": "Ann", "role": "Lead", "areas": ["health"]}


def test_text_is_split_at_discords_2000_character_limit():
    chunks = split_text("line\n" * 900)
    assert all(len(c) <= 2000 for c in chunks) and "".join(chunks).count("line") == 900


async def test_shards_setting_chooses_the_auto_sharded_bot(harness):
    config = with_section(harness.core.config, "discord", shards=2)
    harness.core.config = config
    bot = build_bot(harness.core)
    assert isinstance(bot, ShardedPeerBot) and bot.shard_count == 2
    harness.core.config = with_section(config, "discord", shards=0)
    assert type(build_bot(harness.core)) is PeerBot


def test_a_modal_that_opens_with_text_shows_it_and_keeps_five_components():
    from adapters.discord.render import build_modal, form_lead, form_pages
    from bot.kernel.messages import Field, Form

    form = Form("Many", tuple(Field(f"f{i}", f"Field {i}") for i in range(9)), "x.submit", intro="Read me")
    lead = form_lead(form, "You rated it 5.")
    assert lead == "You rated it 5.\n\nRead me"
    assert [len(page) for page in form_pages(form, lead)] == [4, 5]
    assert [len(page) for page in form_pages(form)] == [5, 4]
    first = build_modal(form, "t", 0, {}, lead).to_components()
    assert len(first) == 5 and first[0] == {"type": 10, "content": lead}
    second = build_modal(form, "t", 1, {}, lead).to_components()
    assert len(second) == 5 and all(c["type"] == 18 for c in second)


def test_mentions_are_discords_own_markup():
    message = Message(f"{Mention('42')} on Discord, members of {RoleMention('7')}, in {ChannelMention('9')}")
    assert render_text(message) == "<@42> on Discord, members of <@&7>, in <#9>"
