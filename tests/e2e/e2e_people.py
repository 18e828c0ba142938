"""People for end-to-end journeys, written as the CSV an organiser would give `peerbot import`
(consent recorded, user ids the fake Slack or Discord knows)."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

COLUMNS = (
    "platform",
    "community",
    "user_id",
    "display_name",
    "organisation",
    "org_type",
    "region",
    "role",
    "areas",
    "challenge",
    "stage",
    "timezone",
    "cadence",
    "accepts_questions",
    "consent",
)


@dataclass(frozen=True)
class Person:
    user_id: str
    display_name: str
    organisation: str
    org_type: str
    challenge: str
    accepts_questions: bool = True


# Two natural pairs (discharge funding; rent arrears), each across two organisations.
FOUR = (
    Person(
        "U1",
        "Ann Archer",
        "Leeds City Council",
        "council",
        "Hospital discharge delays: the council and the trust argue over who funds the first weeks "
        "of home care after discharge.",
    ),
    Person(
        "U2",
        "Ben Barker",
        "Leeds Teaching Hospitals",
        "nhs_trust",
        "Discharge to assess keeps stalling because home care funding after hospital discharge is "
        "disputed with the council.",
    ),
    Person(
        "U3",
        "Cat Carter",
        "Bolton Jobcentre",
        "dwp",
        "Universal credit claimants fall into rent arrears during the five week wait and housing "
        "officers never hear until eviction.",
    ),
    Person(
        "U4",
        "Dan Dyer",
        "Shelter Bolton",
        "voluntary",
        "Rent arrears from universal credit deductions push families towards eviction; we want a "
        "referral route with the jobcentre.",
    ),
)

TOPICS = (
    "Sharing hospital discharge data between the council and the acute trust before winter.",
    "Aligning housing adaptations with occupational therapy waiting lists across two boroughs.",
    "Joining up welfare advice with GP social prescribing so people are not referred twice.",
    "Housing first for people leaving hospital with nowhere safe to go and no tenancy.",
)


def crowd(count: int, prefix: str = "U") -> list[Person]:
    """`count` people from as many organisations, on a few shared topics (so everyone pairs)."""
    return [
        Person(
            f"{prefix}{index:03d}",
            f"Person {index:03d}",
            f"Organisation {index:03d}",
            "council" if index % 2 else "nhs_trust",
            TOPICS[index % len(TOPICS)],
        )
        for index in range(count)
    ]


def with_ids(people: list[Person] | tuple[Person, ...], ids: list[str]) -> list[Person]:
    """The same people under other user ids (Discord snowflakes the fake handed out)."""
    return [
        Person(user_id, p.display_name, p.organisation, p.org_type, p.challenge, p.accepts_questions)
        for p, user_id in zip(people, ids, strict=True)
    ]


def write_csv(path: Path, people: list[Person] | tuple[Person, ...], platform: str, community: str) -> Path:
    """The import file: every profile column, consent given, areas separated by ';'."""
    with path.open("w", encoding="utf-8", newline="") as out:
        writer = csv.DictWriter(out, fieldnames=COLUMNS)
        writer.writeheader()
        for person in people:
            writer.writerow(
                {
                    "platform": platform,
                    "community": community,
                    "user_id": person.user_id,
                    "display_name": person.display_name,
                    "organisation": person.organisation,
                    "org_type": person.org_type,
                    "region": "yorkshire_humber",
                    "role": "Integration lead",
                    "areas": "social_care; health",
                    "challenge": person.challenge,
                    "stage": "implementing",
                    "timezone": "Europe/London",
                    "cadence": "fortnightly",
                    "accepts_questions": "yes" if person.accepts_questions else "no",
                    "consent": "yes",
                }
            )
    return path


async def import_people(bots, people, platform: str, community: str) -> str:
    """Load people with `peerbot import FILE` in its own process, as an organiser would."""
    path = write_csv(bots.folder / f"people-{platform}.csv", people, platform, community)
    out = await bots.cli("import", str(path))
    assert f"Loaded {len(people)} profile(s)" in out, out
    return out
