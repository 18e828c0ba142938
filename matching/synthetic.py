"""Seeded synthetic communities for tests and benchmarks; no real person's data."""

from __future__ import annotations

import numpy as np

from matching.model import Person
from matching.text_vectors import challenge_vector
from matching.vocabulary import STAGES

# theme -> (key phrases, integration areas)
THEMES: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "hospital_discharge": (
        ("hospital discharge", "delayed discharges", "discharge to assess"),
        ("health", "social_care"),
    ),
    "care_home_placements": (
        ("care home placements", "care home beds", "residential placements"),
        ("social_care",),
    ),
    "uc_housing_arrears": (
        ("universal credit", "rent arrears", "housing costs element"),
        ("welfare", "housing"),
    ),
    "homelessness_health": (
        ("homelessness prevention", "rough sleepers", "temporary accommodation"),
        ("housing", "health"),
    ),
    "safeguarding_schools": (
        ("children's safeguarding", "schools", "designated safeguarding leads"),
        ("childrens_services",),
    ),
    "mh_crisis": (("mental health crisis", "crisis pathway", "section 136"), ("health", "public_health")),
    "drug_alcohol": (
        ("drug and alcohol", "substance misuse", "treatment services"),
        ("public_health", "health"),
    ),
    "ld_supported_living": (
        ("learning disability", "supported living", "transforming care"),
        ("social_care", "housing"),
    ),
    "falls_prevention": (
        ("falls prevention", "strength and balance", "falls response"),
        ("public_health", "health"),
    ),
    "frailty_wards": (("frailty virtual wards", "virtual ward", "remote monitoring"), ("health",)),
    "data_sharing": (
        ("data sharing agreements", "information governance", "shared care record"),
        ("health", "social_care"),
    ),
    "pooled_budgets": (("pooled budgets", "section 75", "better care fund"), ("health", "social_care")),
    "joint_commissioning": (
        ("joint commissioning", "commissioning strategy", "procurement"),
        ("health", "social_care"),
    ),
    "carers_support": (("unpaid carers", "carers assessments", "respite breaks"), ("social_care",)),
    "domiciliary_workforce": (
        ("domiciliary care workforce", "home care recruitment", "care worker retention"),
        ("social_care",),
    ),
    "employment_health": (("employment support", "work coaches", "fit notes"), ("welfare", "health")),
    "debt_advice": (("debt advice", "cost of living", "benefit take-up"), ("welfare",)),
    "adaptations": (
        ("disabled facilities grants", "home adaptations", "occupational therapy"),
        ("housing", "social_care"),
    ),
    "damp_mould": (
        ("damp and mould", "housing conditions", "respiratory illness"),
        ("housing", "public_health"),
    ),
    "domestic_abuse": (
        ("domestic abuse", "refuge spaces", "marac referrals"),
        ("housing", "childrens_services"),
    ),
    "send_transitions": (
        ("send transitions", "preparing for adulthood", "ehc plans"),
        ("childrens_services", "social_care"),
    ),
    "care_leavers": (
        ("care leavers", "leaving care", "personal advisers"),
        ("childrens_services", "housing"),
    ),
    "social_prescribing": (
        ("social prescribing", "link workers", "community groups"),
        ("health", "public_health"),
    ),
    "neighbourhood_teams": (
        ("neighbourhood teams", "multidisciplinary teams", "integrated neighbourhood"),
        ("health", "social_care"),
    ),
    "prison_release": (("prison release", "probation", "accommodation on release"), ("housing", "welfare")),
}

OPENERS = (
    "We are trying to join up {p0} with {p1}",
    "Our biggest problem is {p0}, especially {p1}",
    "I lead a project on {p0} and we keep hitting issues with {p1}",
    "Looking for someone who has sorted out {p0} alongside {p1}",
    "We are redesigning {p0} and need to get {p1} right",
    "Struggling to make {p0} work across organisations, particularly {p1}",
)
CLAUSES = (
    "Partners have different IT systems and nobody owns the whole pathway.",
    "Staff turnover means relationships keep having to be rebuilt.",
    "We have a small budget and a tight deadline from the board.",
    "The voluntary sector is keen but feels left out of decisions.",
    "Governance is slow and sign-off takes months.",
    "We want to measure outcomes rather than activity.",
    "Frontline staff are positive but managers are cautious.",
    "There is pressure from elected members to show results quickly.",
    "We are also thinking about {p2}.",
    "Any advice on {p2} would be welcome.",
)

PLACES = (
    ("Leeds", "yorkshire_humber"),
    ("Manchester", "north_west"),
    ("Bolton", "north_west"),
    ("Birmingham", "west_midlands"),
    ("Newcastle", "north_east"),
    ("Bristol", "south_west"),
    ("Nottingham", "east_midlands"),
    ("Norwich", "east_of_england"),
    ("Brighton", "south_east"),
    ("Camden", "london"),
    ("Croydon", "london"),
    ("Cardiff", "wales"),
    ("Glasgow", "scotland"),
    ("Belfast", "northern_ireland"),
    ("Sheffield", "yorkshire_humber"),
    ("Liverpool", "north_west"),
)
ORG_PATTERNS = (
    ("council", "{place} City Council"),
    ("nhs_trust", "{place} University NHS FT"),
    ("icb", "NHS {place} ICB"),
    ("primary_care", "{place} Central Primary Care Network"),
    ("dwp", "DWP Jobcentre Plus {place}"),
    ("housing", "{place} Homes"),
    ("voluntary", "Shelter {place}"),
    ("voluntary", "Age UK {place}"),
)
FIRST_NAMES = (
    "Sam",
    "Priya",
    "Tom",
    "Aisha",
    "Gareth",
    "Niamh",
    "Oluwaseun",
    "Hannah",
    "Raj",
    "Megan",
    "Callum",
    "Fatima",
    "Dylan",
    "Siobhan",
    "Ben",
    "Zara",
    "Imran",
    "Chloe",
)


def synthetic_people(
    n: int, seed: int, themes: list[str] | None = None, scope: str = "community"
) -> tuple[list[Person], dict[str, str]]:
    """n synthetic practitioners and each one's theme id (person id -> theme).

    Texts vary by template, phrase order and extra clauses; several people share each
    organisation so the same-organisation rule is exercised.
    """
    rng = np.random.default_rng(seed)
    theme_ids = themes or list(THEMES)
    org_count = max(2, n // 4)
    orgs = []
    for k in range(org_count):
        place, region = PLACES[int(rng.integers(len(PLACES)))]
        org_type, pattern = ORG_PATTERNS[int(rng.integers(len(ORG_PATTERNS)))]
        name = pattern.format(place=place)
        if k >= len(PLACES) * len(ORG_PATTERNS):
            name = f"{name} {k}"
        orgs.append((name, org_type, region))
    people, theme_of = [], {}
    stages = list(STAGES)
    for i in range(n):
        theme = theme_ids[int(rng.integers(len(theme_ids)))]
        phrases, areas = THEMES[theme]
        order = rng.permutation(len(phrases))
        p0, p1, p2 = (phrases[j] for j in order)
        text = OPENERS[int(rng.integers(len(OPENERS)))].format(p0=p0, p1=p1) + "."
        for c in rng.choice(len(CLAUSES), size=int(rng.integers(1, 3)), replace=False):
            text += " " + CLAUSES[int(c)].format(p2=p2)
        name, org_type, region = orgs[int(rng.integers(org_count))]
        if rng.random() < 0.1:
            name = name.upper() if rng.random() < 0.5 else name.replace(" ", "  ")
        extra = {"other"} if rng.random() < 0.1 else set()
        pid = f"p{i:06d}"
        people.append(
            Person(
                id=pid,
                name=f"{FIRST_NAMES[i % len(FIRST_NAMES)]} {i}",
                organisation=name,
                org_type=org_type,
                region=region,
                areas=frozenset(set(areas) | extra),
                stage=stages[int(rng.integers(len(stages)))],
                challenge=text,
                vector=challenge_vector(text),
                scope=scope,
            )
        )
        theme_of[pid] = theme
    return people, theme_of
