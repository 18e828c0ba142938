"""The identifying-details check on what practitioners actually type (pure: no database).

The sentences are written the way people in councils, trusts and welfare services write,
with directory entries as a community would hold them; none is built from the check's lists.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot.relay.identifying_details import find_identifying_details, nhs_check_digit_ok
from bot.relay.rules import CHECK_WINDOW, next_allowed, recent, sent_kind

ORGANISATIONS = (
    "NHS Westmoor Integrated Care Board",
    "Westmoor County Council",
    "Northvale Teaching Hospitals NHS Foundation Trust",
    "Eastbrook Jobcentre Plus",
    "Riverside Housing",
)
PEOPLE = ("Tom Baker", "Chloe Adams", "Priya Raman")


def found(text: str) -> dict[str, str]:
    """What the check found in `text`, as {words as written: kind}."""
    return {f.text: f.kind for f in find_identifying_details(text, ORGANISATIONS, PEOPLE)}


def test_an_nhs_number_with_a_valid_check_digit_is_caught():
    text = "Her NHS no. is 943 476 5919 and the discharge letter went to the wrong ward."
    assert found(text) == {"943 476 5919": "nhs_number"}
    assert found("Referral 9434765919 came back today.") == {"9434765919": "nhs_number"}


def test_ten_digits_whose_check_digit_is_wrong_are_not_an_nhs_number():
    assert found("Case ref 943 476 5918 is still open on Mosaic.") == {}
    assert found("We logged 1234567890 contacts last year.") == {}
    assert nhs_check_digit_ok("9434765919") and not nhs_check_digit_ok("9434765918")


def test_a_national_insurance_number_is_caught():
    assert found("His NI number QQ 12 34 56 C was on the UC claim.") == {"QQ 12 34 56 C": "ni_number"}
    assert found("claimant NINO jg103759a, sanctioned twice") == {"jg103759a": "ni_number"}


def test_letters_never_used_in_a_national_insurance_number_are_not_one():
    assert found("Form DF 12 34 56 A is the old housing benefit one.") == {}


@pytest.mark.parametrize("name", ["Dr Sarah O'Connor", "Mrs Patel", "Cllr Jones", "Councillor McAllister"])
def test_a_titled_name_nobody_in_the_directory_has_is_caught(name):
    assert found(f"I raised it with {name} after the safeguarding board and got nowhere.") == {name: "person"}


@pytest.mark.parametrize(
    "written",
    ["Westmoor ICB", "ICB in Westmoor", "Westmoor CCG", "Westmoor CC", "Northvale NHS FT", "Eastbrook JCP"],
)
def test_a_directory_organisation_abbreviated_or_reordered_is_caught(written):
    text = f"Honestly {written} have been dragging their feet on the data sharing agreement."
    assert found(text) == {written: "organisation"}


def test_the_full_name_of_an_organisation_is_one_finding():
    assert found("We sit under NHS Westmoor Integrated Care Board now.") == {
        "NHS Westmoor Integrated Care Board": "organisation"
    }


def test_a_first_name_alone_is_caught_however_short():
    # "Chloe" was caught and "Tom" was not: parts under four letters were skipped.
    assert found("Tom said the panel would never sign it off, Chloe disagreed.") == {
        "Tom": "person",
        "Chloe": "person",
    }


def test_the_answer_that_went_straight_through_is_caught():
    answer = (
        "I'm Priya, discharge lead at Northvale Teaching Hospitals. We solved it with a trusted "
        "assessor model - email me on priya.raman@nhs.net and I'll send our SOP."
    )
    result = found(answer)
    assert result.get("Priya") == "person"
    assert result.get("priya.raman@nhs.net") == "email"


def test_ordinary_practitioner_text_is_left_alone():
    for text in (
        "How did you get the acute trust to agree a discharge to assess pathway before winter?",
        "Our ICB wants a single front door but the local council is worried about the budget.",
        "Will the trust share data if there is no DPIA yet? We keep going round in circles.",
        "Mark the referral as urgent if the carer has been waiting more than six weeks.",
    ):
        assert found(text) == {}, text


def test_what_it_says_does_not_tell_whether_a_name_is_in_the_directory():
    in_directory = find_identifying_details("Chat to Cllr Adams about it.", ORGANISATIONS, PEOPLE)
    not_in = find_identifying_details("Chat to Cllr Okafor about it.", ORGANISATIONS, PEOPLE)
    assert [f.describe().split("” ")[1] for f in in_directory] == ["(looks like a person's name)"]
    assert [f.describe().split("” ")[1] for f in not_in] == ["(looks like a person's name)"]
    for body in ("Westmoor ICB", "Southfen ICB"):  # one in the directory, one not
        text = f"{body} are slow to reply to anything about continuing healthcare."
        described = [f.describe() for f in find_identifying_details(text, ORGANISATIONS, PEOPLE)]
        assert described == [f"“{body}” (looks like an organisation's name)"]
        assert "directory" not in described[0] and "member" not in described[0]


def test_the_draft_limit_rule():
    now = datetime(2025, 3, 3, 10, 0, tzinfo=UTC)
    times = [now - timedelta(minutes=m) for m in (70, 50, 20)]
    within = recent(times, now, CHECK_WINDOW)
    assert within == [now - timedelta(minutes=50), now - timedelta(minutes=20)]
    assert next_allowed(within, 3, CHECK_WINDOW) is None
    assert next_allowed(within, 2, CHECK_WINDOW) == now + timedelta(minutes=10)


def test_a_held_draft_becomes_what_its_writer_wrote():
    assert sent_kind("peer") == "answer" and sent_kind("asker") == "followup"
