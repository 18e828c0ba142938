"""Time zones as people write them: names in any case, cities, countries, abbreviations."""

import pytest

from bot.kernel.forms import FieldError, parse_field
from bot.kernel.messages import Field
from bot.kernel.time_zones import TimeZoneError, resolve_time_zone


@pytest.mark.parametrize(
    ("text", "zone"),
    [
        ("Europe/London", "Europe/London"),
        ("europe/london", "Europe/London"),
        ("London", "Europe/London"),
        ("  london ", "Europe/London"),
        ("UK", "Europe/London"),
        ("United Kingdom", "Europe/London"),
        ("Scotland", "Europe/London"),
        ("BST", "Europe/London"),
        ("GMT", "Europe/London"),
        ("new york", "America/New_York"),
        ("America/New_York", "America/New_York"),
        ("UTC", "UTC"),
    ],
)
def test_resolves(text: str, zone: str) -> None:
    assert resolve_time_zone(text) == zone


@pytest.mark.parametrize(
    ("text", "said"),
    [
        ("Europe/Lisbn", "did you mean Europe/Lisbon"),
        ("GMT+1", "Etc/GMT-1"),
        ("UTC-5", "Etc/GMT+5"),
        ("Nowhereland", "is not a time zone name"),
    ],
)
def test_refuses_with_a_suggestion(text: str, said: str) -> None:
    with pytest.raises(TimeZoneError) as refused:
        resolve_time_zone(text)
    assert said in str(refused.value)


def test_the_form_field_accepts_a_city_and_suggests_for_a_typo() -> None:
    field = Field("timezone", "Time zone", kind="timezone")
    assert parse_field(field, "London") == "Europe/London"
    with pytest.raises(FieldError, match="did you mean Europe/Lisbon"):
        parse_field(field, "Europe/Lisbn")
