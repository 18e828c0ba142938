"""Whether the relay may run: its encryption key, checked against what earlier runs stored.

Without a working key nothing is stored or sent: every use of the relay goes through
`RelayKeys.require`, which says why the relay is off and what to do about it.
"""

from __future__ import annotations

from sqlalchemy import select

from bot.kernel.clock import Clock
from bot.kernel.config import Config
from bot.kernel.crypto import CannotDecrypt, KeyProblem, RelayCrypto
from bot.kernel.errors import UserError
from bot.kernel.storage.database import Database
from bot.relay.models import RelayKeyCheck, RelayParticipant
from bot.relay.parties import Identity

KEY_CHECK_TEXT = "peerbot relay key check v1"
WRONG_KEY = (
    "The anonymous relay is off: PEERBOT_ENCRYPTION_KEYS does not include the key "
    "the stored questions were encrypted with. Put the old key back (after the new "
    "one, then run `peerbot relay rotate-keys`), or, to abandon the stored questions, "
    "run `peerbot purge --everything`."
)


class RelayUnavailable(UserError):
    """The relay is off (no key, a wrong key, or switched off); str() says why and what to do."""


class RelayKeys:
    """The relay's crypto, or the reason there is none."""

    def __init__(self, config: Config, db: Database, clock: Clock):
        self._db, self._clock = db, clock
        self.crypto: RelayCrypto | None = None
        self.problem: str | None = None
        if not config.relay.enabled:
            self.problem = "Anonymous questions are switched off in this community."
            return
        try:
            self.crypto = RelayCrypto(config.secrets.encryption_keys)
        except KeyProblem as problem:
            self.problem = f"The anonymous relay is off: {problem}"

    def require(self) -> RelayCrypto:
        """The crypto, or RelayUnavailable: without a working key nothing is stored or sent."""
        if self.crypto is None or self.problem:
            raise RelayUnavailable(self.problem or "The anonymous relay is off.")
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

    def tags(self, identity: Identity) -> list[str]:
        """Every tag this person's participant rows may carry (one per configured key)."""
        return self.require().tags(identity.key)

    def owned_by(self, identity: Identity):
        """The SQL condition selecting this person's participant rows."""
        return RelayParticipant.tag.in_(self.tags(identity))

    def select_owned(self, identity: Identity):
        """A query for this person's participant rows, in any thread."""
        return select(RelayParticipant).where(self.owned_by(identity))
