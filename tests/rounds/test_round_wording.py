"""Round messages count things in correct English and leave out lines about nobody."""

from __future__ import annotations

from types import SimpleNamespace

from bot.kernel.wording import plural
from bot.rounds.messages import committed_message, participation_message
from bot.rounds.plans import Participation


def test_plural_helper():
    assert plural(1, "round") == "1 round"
    assert plural(0, "round") == "0 rounds"
    assert plural(2, "person", "people") == "2 people"
    assert plural(1, "person", "people") == "1 person"


def _planned(groups: int, unmatched: int):
    plan = SimpleNamespace(groups=[object()] * groups, unmatched=[object()] * unmatched)
    return SimpleNamespace(round_id=7, plan=plan)


def test_committed_message_says_one_group_and_leaves_out_nobody_unmatched():
    text = committed_message(_planned(1, 0)).text
    assert "1 group;" in text and "1 groups" not in text
    assert "told why" not in text


def test_committed_message_counts_one_unmatched_person():
    text = committed_message(_planned(3, 1)).text
    assert "3 groups" in text
    assert "1 person will be told why" in text


def test_participation_says_one_round():
    text = participation_message(Participation(1, 0, 0, "demo", 1)).text
    assert "1 round so far" in text and "1 rounds" not in text
