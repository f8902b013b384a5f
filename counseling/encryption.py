"""Encryption at rest for session-note text (要配慮個人情報): a raw dump of the tables holds no plaintext.

Keys come from ``NOTES_ENCRYPTION_KEYS`` (Fernet keys, newest first). New text is encrypted under the
newest key; every listed key can decrypt, so an old key stays listed until ``manage.py rotate_note_keys``
has re-encrypted every row under the newest. With no key configured (the embedded mode only:
production refuses to start without keys) a key is created once under ``var/`` and kept there.
"""

import os
import tempfile
from functools import lru_cache
from pathlib import Path

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.db import models


class NoteKeyError(Exception):
    """No configured key decrypts the stored value: the keys are wrong or one was removed too early.

    Raised instead of returning the ciphertext, which would pass silently for the note's text.
    """


def _embedded_key(path: Path) -> str:
    """The key kept under ``var/``, created on first use; concurrent first uses agree on one key."""
    try:
        return path.read_text().strip()
    except FileNotFoundError:
        pass
    path.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.NamedTemporaryFile("w", dir=path.parent, delete=False) as draft:
        draft.write(Fernet.generate_key().decode())
    os.chmod(draft.name, 0o600)
    try:
        # link() fails when another process got there first: its key wins and ours is dropped.
        os.link(draft.name, path)
    except FileExistsError:
        pass
    finally:
        os.unlink(draft.name)
    return path.read_text().strip()


def note_keys() -> list[str]:
    keys = [key.strip() for key in settings.NOTES_ENCRYPTION_KEYS if key.strip()]
    return keys or [_embedded_key(Path(settings.NOTES_ENCRYPTION_KEY_FILE))]


@lru_cache(maxsize=8)
def _cipher(keys: tuple[str, ...]) -> MultiFernet:
    return MultiFernet([Fernet(key.encode()) for key in keys])


def note_cipher() -> MultiFernet:
    # Read on every call so that a changed key list (rotation, tests) takes effect at once.
    return _cipher(tuple(note_keys()))


def note_encrypt(plaintext: str) -> str:
    return note_cipher().encrypt(plaintext.encode()).decode("ascii")


def note_decrypt(token: str) -> str:
    try:
        return note_cipher().decrypt(token.encode("ascii")).decode()
    except (InvalidToken, UnicodeEncodeError) as error:
        raise NoteKeyError(
            "No key in NOTES_ENCRYPTION_KEYS decrypts this value; add the key it was written with."
        ) from error


class EncryptedTextField(models.TextField):
    """Text stored as a Fernet token and decrypted on load; it cannot be searched or filtered on."""

    description = "Text encrypted at rest under the note keys"

    def from_db_value(self, value, expression, connection):
        if value is None:
            return value
        return note_decrypt(value)

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        if value is None:
            return value
        return note_encrypt(value)
