"""Whether the relay may run: its encryption key, checked against what earlier runs stored.

Without a working key nothing is stored or sent: every use of the relay goes through
`RelayKeys.require`. The person refused is told only that anonymous questions are
unavailable; why, and what to do about it, is for the operator (standard error at start,
and the log).

The key comes from PEERBOT_ENCRYPTION_KEYS. Only for trying the bot in the console on this
machine (no Slack or Discord credentials, SQLite in the data folder) is a key kept in a file
in the data folder, so that a second run can still read what the first one stored.
"""

from __future__ import annotations

import logging
from dataclasses import replace
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.kernel.clock import Clock
from bot.kernel.config import Config
from bot.kernel.crypto import KEY_ENV, CannotDecrypt, KeyProblem, RelayCrypto, TokenBox, key_from_file
from bot.kernel.errors import UserError
from bot.kernel.storage.data_keys import DataKey, KeyedRow
from bot.kernel.storage.data_lock import sqlite_file
from bot.kernel.storage.database import Database
from bot.relay import texts
from bot.relay.models import RelayKeyCheck, RelayParticipant
from bot.relay.parties import Identity

log = logging.getLogger(__name__)
CONSOLE_KEY_FILE = "relay-console.key"  # in data_dir: the console's own key, for local use only

KEY_CHECK_TEXT = "peerbot relay key check v1"
WRONG_KEY = (
    "The anonymous relay is off: PEERBOT_ENCRYPTION_KEYS does not include the key "
    "the stored questions were encrypted with. Put the old key back (after the new "
    "one, then run `peerbot relay rotate-keys`), or, to abandon the stored questions, "
    "run `peerbot purge --everything`."
)


SWITCHED_OFF = "Anonymous questions are switched off in this community."


class RelayUnavailable(UserError):
    """The relay is off (no key, a wrong key, or switched off).

    str() is what the person refused is shown; `reason` says why and what to do, for the
    operator only.
    """

    def __init__(self, reason: str):
        super().__init__(SWITCHED_OFF if reason == SWITCHED_OFF else texts.RELAY_UNAVAILABLE)
        self.reason = reason


def console_key_file(config: Config) -> Path | None:
    """Where the console's local key is kept, or None when this run must not use one.

    Only with no key in the environment, no Slack or Discord credentials and the SQLite
    database in the data folder: a deployment never gets a key it did not set.
    """
    secrets = config.secrets
    platform_credentials = (
        secrets.slack_bot_token,
        secrets.slack_app_token,
        secrets.slack_signing_secret,
        secrets.discord_bot_token,
    )
    if secrets.encryption_keys or not config.relay.enabled or any(platform_credentials):
        return None
    database = sqlite_file(config.database_url())
    data_dir = Path(config.bot.data_dir)
    if database is None or database.resolve().parent != data_dir.resolve():
        return None
    return data_dir / CONSOLE_KEY_FILE


def with_console_key(config: Config) -> tuple[Config, str | None]:
    """The config with the console's local key (made on the first run), and a line for the
    operator saying so; the config unchanged and None when the local key does not apply."""
    path = console_key_file(config)
    if path is None:
        return config, None
    try:
        key, made = key_from_file(path)
    except KeyProblem as problem:
        return config, f"warning: the console's local relay key was not used: {problem}"
    secrets = replace(config.secrets, encryption_keys=(key,))
    return replace(config, secrets=secrets), (
        f"warning: no {KEY_ENV} set, so anonymous questions use the key in {path} "
        f"({'made now' if made else 'made on the first run'}). That file is for trying the bot "
        f"locally in the console only; real deployments set {KEY_ENV}."
    )


class RelayKeys:
    """The relay's crypto, or the reason there is none."""

    def __init__(self, config: Config, db: Database, clock: Clock):
        self._db, self._clock = db, clock
        self.crypto: RelayCrypto | None = None
        self.problem: str | None = None
        self._refusal_logged = False
        if not config.relay.enabled:
            self.problem = SWITCHED_OFF
            return
        try:
            self.crypto = RelayCrypto(config.secrets.encryption_keys)
        except KeyProblem as problem:
            self.problem = f"The anonymous relay is off: {problem}"

    def require(self) -> RelayCrypto:
        """The crypto, or RelayUnavailable: without a working key nothing is stored or sent."""
        if self.crypto is None or self.problem:
            reason = self.problem or "The anonymous relay is off."
            if not self._refusal_logged and reason != SWITCHED_OFF:
                self._refusal_logged = True  # once a run: the operator has it, and at start too
                log.warning("%s (Something needing the relay was refused.)", reason)
            raise RelayUnavailable(reason)
        return self.crypto

    @property
    def available(self) -> bool:
        """Whether the relay can open and store content now."""
        return self.crypto is not None and not self.problem

    async def check(self) -> None:
        """Refuse to run when the key cannot open what an earlier run stored (a wrong key)."""
        if self.crypto is None:
            return
        async with self._db.session() as session, session.begin():
            row = await session.get(RelayKeyCheck, 1)
            if row is None:
                token = self.crypto.encrypt(KEY_CHECK_TEXT)
                session.add(RelayKeyCheck(id=1, token=token, created_at=self._clock.now()))
                return
            try:
                ok = self.crypto.decrypt(row.token) == KEY_CHECK_TEXT
            except CannotDecrypt:
                ok = False
        if not ok:
            self.crypto = None
            self.problem = WRONG_KEY

    def content(self, row: KeyedRow) -> TokenBox:
        """The cipher of a thread's content: its own data key (RelayUnavailable when off)."""
        return self.content_of_key(row.data_key)

    def content_of_key(self, key: DataKey) -> TokenBox:
        """The cipher of one data key (RelayUnavailable when the relay is off)."""
        self.require()
        return TokenBox(self._db.data_keys.box(key))

    def new_thread_key(self, session: AsyncSession) -> DataKey:
        """A data key for a new thread, added to the session; shredding it erases the thread."""
        self.require()
        key = self._db.data_keys.new(self._clock.now())
        session.add(key)
        return key

    def tags(self, identity: Identity) -> list[str]:
        """Every tag this person's participant rows may carry (one per configured key)."""
        return self.require().tags(identity.key)

    def owned_by(self, identity: Identity):
        """The SQL condition selecting this person's participant rows."""
        return RelayParticipant.tag.in_(self.tags(identity))

    def select_owned(self, identity: Identity):
        """A query for this person's participant rows, in any thread."""
        return select(RelayParticipant).where(self.owned_by(identity))
