"""The console shows the labels people chose as what Enter keeps, not the internal keys."""

from adapters.console.adapter import _field_prompt
from bot.kernel.messages import Field


def test_enter_keeps_shows_labels_not_keys() -> None:
    region = Field("region", "Region", kind="choice", choices={"london": "London!"}, initial="london")
    areas = Field(
        "areas",
        "Areas",
        kind="multi_choice",
        choices={"social_care": "Social care", "health": "Health"},
        initial=("social_care", "health"),
    )
    assert "Enter keeps: London!" in _field_prompt(region)
    assert "Enter keeps: Social care, Health" in _field_prompt(areas)
    assert "Enter keeps: Europe/London" in _field_prompt(Field("tz", "Zone", initial="Europe/London"))
