"""The fixed vocabularies of a practitioner profile, with the plain words shown to people.

They live in matching/ because matching reasons about them (stage order, organisation
types) and the core imports them from here, so there is one list of each.
"""

ORG_TYPES: dict[str, str] = {
    "council": "council",
    "nhs_trust": "NHS trust",
    "icb": "integrated care board",
    "primary_care": "primary care",
    "dwp": "DWP / jobcentre",
    "housing": "housing provider",
    "voluntary": "voluntary sector",
    "other": "other",
}

REGIONS: dict[str, str] = {
    "north_east": "North East",
    "north_west": "North West",
    "yorkshire_humber": "Yorkshire and the Humber",
    "east_midlands": "East Midlands",
    "west_midlands": "West Midlands",
    "east_of_england": "East of England",
    "london": "London",
    "south_east": "South East",
    "south_west": "South West",
    "scotland": "Scotland",
    "wales": "Wales",
    "northern_ireland": "Northern Ireland",
}

INTEGRATION_AREAS: dict[str, str] = {
    "social_care": "social care",
    "health": "health",
    "welfare": "welfare",
    "housing": "housing",
    "public_health": "public health",
    "childrens_services": "children's services",
    "other": "other",
}

# Ordered: matching uses the position to say who is "a stage ahead".
STAGES: dict[str, str] = {
    "exploring": "exploring",
    "planning": "planning",
    "implementing": "implementing",
    "embedding": "embedding",
}

CADENCES: dict[str, str] = {
    "weekly": "weekly",
    "fortnightly": "fortnightly",
    "monthly": "monthly",
}


def stage_index(stage: str) -> int:
    """Position of a stage in the journey, so rules can compare how far along people are."""
    return list(STAGES).index(stage)
