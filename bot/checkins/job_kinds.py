"""The kinds of scheduled check-in work and the keys that make each job unique.

Job keys start with `p{profile_id}:` when the job is for one person, so erasing a person
cancels all of theirs, and carry the check-in's version, so a reschedule can cancel the
old time's jobs without touching the new ones.
"""

from __future__ import annotations

REMINDER, FOLLOWUP, CLOSE, CONTINUE, NOTICE = (
    "checkin.reminder",
    "checkin.followup",
    "checkin.close",
    "checkin.continue",
    "checkin.notice",
)
# Kinds sent to one person about one check-in: their batches are loaded in a few queries.
PER_PERSON = (REMINDER, FOLLOWUP)


def version_prefix(checkin_id: int, version: int, profile_id: int | None = None) -> str:
    """The start of every job key of one check-in version (for one person, or group-wide)."""
    key = f"checkin:{checkin_id}:v{version}:"
    return f"p{profile_id}:{key}" if profile_id is not None else key


def job_key(checkin_id: int, version: int, what: str, profile_id: int | None = None) -> str:
    """The idempotency key of a check-in job: one per check-in version, person and purpose."""
    return version_prefix(checkin_id, version, profile_id) + what


def notice_key(checkin_id: int, version: int, profile_id: int, what: str, stamp: float) -> str:
    """A change notice is keyed by the moment it was made: each change is told once."""
    return job_key(checkin_id, version, f"notice:{what}:{stamp:.0f}", profile_id)


def continue_key(profile_id: int, group_id: int) -> str:
    """One offer to continue together per person and group."""
    return f"p{profile_id}:continue:{group_id}"


def paused_key(profile_id: int, group_id: int) -> str:
    """One pause notice per person and the group whose silence paused them."""
    return f"p{profile_id}:paused-silent:{group_id}"
