"""Encryption for the relay: every question, answer and handle-to-person mapping is a Fernet token.

The keys come only from the environment (PEERBOT_ENCRYPTION_KEYS, comma-separated, the
first one current), never from the database, so a copy of the database alone reads as
noise. MultiFernet decrypts with any listed key and encrypts with the first, which is how
keys are rotated. Lookups that must not decrypt every row (the caller's threads, the
daily ask limit) use a keyed HMAC of the person, with a key derived from each encryption
key: without the keys a tag links nobody to anything.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
from pathlib import Path
from typing import Any

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from bot.kernel.errors import file_problem

KEY_ENV = "PEERBOT_ENCRYPTION_KEYS"
HOW_TO_MAKE_A_KEY = (
    f"Make a key with `peerbot relay new-key` and set it in the environment as {KEY_ENV} "
    "(keep it secret and keep a copy: without it stored questions cannot be read). "
    "Or set [relay] enabled = false to run without anonymous questions."
)
_TAG_INFO = b"peerbot relay participant tag v1"


class KeyProblem(Exception):
    """The relay cannot run with the keys it was given; str() says what to do."""


class CannotDecrypt(Exception):
    """A stored token does not open with any configured key: fail closed, send nothing."""


def new_key() -> str:
    """A fresh random Fernet key, as text to put in PEERBOT_ENCRYPTION_KEYS."""
    return Fernet.generate_key().decode("ascii")


def key_from_file(path: Path) -> tuple[str, bool]:
    """The key kept in `path`, and whether it was made just now (on the first use).

    A new file is created readable and writable by its owner only (0600) before the key is
    written to it. KeyProblem when the file cannot be made or read or holds no valid key.
    """
    try:
        handle = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return _read_key_file(path), False
    except OSError as problem:
        raise KeyProblem(file_problem("create", path, problem)) from None
    key = new_key()
    with os.fdopen(handle, "w", encoding="ascii") as file:
        if hasattr(os, "fchmod"):  # the mode given to open() is narrowed by the umask only
            os.fchmod(file.fileno(), 0o600)
        file.write(key + "\n")
    return key, True


def _read_key_file(path: Path) -> str:
    try:
        key = path.read_text(encoding="ascii").strip()
        Fernet(key.encode("ascii"))
    except OSError as problem:
        raise KeyProblem(file_problem("read", path, problem)) from None
    except (ValueError, UnicodeError):
        raise KeyProblem(
            f"{path} does not hold a valid Fernet key; delete it to have a new one made "
            "(questions stored with the old key can then no longer be read)."
        ) from None
    return key


def operator_fernets(keys: tuple[str, ...] | list[str]) -> list[Fernet]:
    """The operator's keys as ciphers, first one current; KeyProblem naming a bad one's place."""
    fernets = []
    for position, key in enumerate((k.strip() for k in keys if k.strip()), 1):
        try:
            fernets.append(Fernet(key.encode("ascii")))
        except (ValueError, UnicodeEncodeError):
            raise KeyProblem(
                f"key number {position} in {KEY_ENV} is not a valid Fernet key (32 url-safe "
                f"base64-encoded bytes). {HOW_TO_MAKE_A_KEY}"
            ) from None
    return fernets


def _tag_key(fernet_key: str) -> bytes:
    raw = base64.urlsafe_b64decode(fernet_key.encode("ascii"))
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=_TAG_INFO).derive(raw)


class TokenBox:
    """Text and JSON in and out of Fernet tokens under one cipher (a data key, or the keys)."""

    def __init__(self, cipher: Fernet | MultiFernet):
        self._cipher = cipher

    def encrypt(self, text: str) -> str:
        """A token for `text`."""
        return self._cipher.encrypt(text.encode("utf-8")).decode("ascii")

    def decrypt(self, token: str) -> str:
        """The text of a token, or CannotDecrypt when this cipher does not open it."""
        try:
            return self._cipher.decrypt(token.encode("ascii")).decode("utf-8")
        except (InvalidToken, UnicodeError):
            raise CannotDecrypt(
                "stored relay data does not open with its key: the key it was written with is "
                "missing or was deleted. Nothing was sent."
            ) from None

    def encrypt_json(self, value: Any) -> str:
        """A token for a JSON-able value."""
        return self.encrypt(json.dumps(value, separators=(",", ":"), sort_keys=True))

    def decrypt_json(self, token: str) -> Any:
        """The value of a token made by `encrypt_json`."""
        return json.loads(self.decrypt(token))


class RelayCrypto:
    """Encrypts and decrypts relay data and tags participants; built from the configured keys."""

    def __init__(self, keys: tuple[str, ...] | list[str]):
        keys = [k.strip() for k in keys if k.strip()]
        if not keys:
            raise KeyProblem(f"no encryption key is set. {HOW_TO_MAKE_A_KEY}")
        fernets = operator_fernets(keys)
        self._multi = MultiFernet(fernets)
        self._box = TokenBox(self._multi)
        self._tag_keys = [_tag_key(k) for k in keys]

    def encrypt(self, text: str) -> str:
        """A token for `text`, with the current (first) key."""
        return self._box.encrypt(text)

    def decrypt(self, token: str) -> str:
        """The text of a token, or CannotDecrypt when no configured key opens it."""
        return self._box.decrypt(token)

    def rotate(self, token: str) -> str:
        """The same plaintext re-encrypted with the first key (CannotDecrypt if no key opens it)."""
        try:
            return self._multi.rotate(token.encode("ascii")).decode("ascii")
        except InvalidToken:
            raise CannotDecrypt(
                f"a stored token does not open with any key in {KEY_ENV}; rotation stopped and "
                "changed nothing."
            ) from None

    def tag(self, identity: str) -> str:
        """The lookup tag of a person under the current key (stored with new rows)."""
        return self._tag_with(self._tag_keys[0], identity)

    def tags(self, identity: str) -> list[str]:
        """The person's tag under every configured key, so lookups work mid-rotation."""
        return [self._tag_with(key, identity) for key in self._tag_keys]

    @staticmethod
    def _tag_with(key: bytes, identity: str) -> str:
        return hmac.new(key, identity.encode("utf-8"), hashlib.sha256).hexdigest()
