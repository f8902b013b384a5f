"""``django.core.signing.dumps`` for the many small tokens of a fan-out, without its per-call setup.

Django's ``dumps`` builds a signer and derives the HMAC key from the salt and SECRET_KEY (a SHA-256)
for every token; a fan-out signs two links for each message it sends. ``signed_dumps`` derives the key
once per salt and secret, and the timestamp once a second, and writes the same token, byte for byte
(tests/core/test_signing.py), so ``signing.loads`` reads it as it reads Django's.
"""

import functools
import hashlib
import hmac
import json
import time

from django.conf import settings
from django.core.signing import b62_encode, b64_encode
from django.utils.encoding import force_bytes

# What json.dumps(obj, separators=(",", ":")) makes for every call, made once.
_JSON = json.JSONEncoder(separators=(",", ":"))
_stamps: dict[int, str] = {}


@functools.lru_cache(maxsize=16)
def _key(salt: str, secret: str | bytes) -> bytes:
    # As django.utils.crypto.salted_hmac derives it for a TimestampSigner with this salt.
    return hashlib.sha256(force_bytes(salt + "signer") + force_bytes(secret)).digest()


def _stamp() -> str:
    """The signer's timestamp (base 62 seconds), worked out once a second."""
    now = int(time.time())
    stamp = _stamps.get(now)
    if stamp is None:
        _stamps.clear()
        stamp = _stamps[now] = b62_encode(now)
    return stamp


def signed_dumps(obj, *, salt: str) -> str:
    """``signing.dumps(obj, salt=salt)``: timestamped, signed with SECRET_KEY, JSON, uncompressed."""
    value = f"{b64_encode(_JSON.encode(obj).encode('latin-1')).decode()}:{_stamp()}"
    signature = hmac.digest(_key(salt, settings.SECRET_KEY), value.encode(), "sha256")
    return f"{value}:{b64_encode(signature).decode()}"
