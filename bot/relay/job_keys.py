"""The keys of the relay's jobs: every job about a thread starts with the thread's id.

A purge or an erasure can then find and delete every job row of a thread (when it was
asked, when each copy went, whose copy it was) from the thread id alone.
"""

from __future__ import annotations


def thread_jobs(thread_id: str) -> str:
    """The key prefix shared by every job of one thread."""
    return f"relay:t:{thread_id}:"


def question_job(thread_id: str, participant_id: str) -> str:
    """The job delivering a thread's question to one chosen peer."""
    return f"{thread_jobs(thread_id)}q:{participant_id}"


def message_job(thread_id: str, message_id: str) -> str:
    """The job delivering an answer, follow-up or thanks again after a failed delivery."""
    return f"{thread_jobs(thread_id)}m:{message_id}"


def report_jobs(thread_id: str, report_id: int) -> str:
    """The key prefix of the jobs telling a reported person about one report of theirs."""
    return f"{thread_jobs(thread_id)}r:{report_id}:"


def report_notice_job(thread_id: str, report_id: int, notice: str) -> str:
    """The job telling the reported person again about their report, warning or suspension."""
    return f"{report_jobs(thread_id, report_id)}{notice}"
