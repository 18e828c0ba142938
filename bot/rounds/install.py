"""Installing the rounds feature into the core: its commands, job kinds, scheduled rounds and
share of personal data, all around one RoundService that the composition root keeps."""

from __future__ import annotations

from functools import partial

from bot.kernel.core import Core
from bot.kernel.similarity import Vectoriser
from bot.rounds.commands import RoundCommands
from bot.rounds.introductions import Introductions, IntroductionWriter
from bot.rounds.personal_data import RoundData
from bot.rounds.schedule import ROUND
from bot.rounds.scheduled import run_scheduled_round
from bot.rounds.service import RoundService


def install(core: Core, vectoriser: Vectoriser, writer: IntroductionWriter) -> RoundService:
    """Build the rounds service and register everything that uses it; returns the service.

    `vectoriser` turns challenges into vectors for matching; `writer` writes introductions
    (the LLM assistant, which falls back to a template), taken as an argument so rounds never
    reach into the assistant's feature.
    """
    service = RoundService(core.config, core.db, core.clock, vectoriser)
    core.dispatcher.add(RoundCommands(service).routes())
    Introductions(writer).register(core.jobs)
    core.jobs.register(ROUND, partial(run_scheduled_round, service))
    core.hooks.due_work.append(service.enqueue_due_rounds)
    core.hooks.personal_data.append(RoundData())
    return service
