"""``django.core.signing.dumps`` for the many small tokens of a fan-out, without its per-call setup.

Django's ``dumps`` builds a signer and derives the HMAC key from the salt and SECRET_KEY (a SHA-256)
for every token; a fan-out signs two links for each message it sends. ``signed_dumps`` derives the key
once per salt and secret and writes the same token, byte for byte (tests/core/test_signing.py), so
``signing.loads`` reads it as it reads Django's.
"""

import functools
import hashlib
import hmac
import json
import time

from django.conf import settings
from django.core.signing import b62_encode, b64_encode
from django.utils.encoding import force_bytes


@functools.lru_cache(maxsize=16)
def _key(salt: str, secret: str | bytes) -> bytes:
    # As django.utils.crypto.salted_hmac derives it for a TimestampSigner with this salt.
    return hashlib.sha256(force_bytes(salt + "signer") + force_bytes(secret)).digest()


def signed_dumps(obj, *, salt: str) -> str:
    """``signing.dumps(obj, salt=salt)``: timestamped, signed with SECRET_KEY, JSON, uncompressed."""
    value = (
        f"{b64_encode(json.dumps(obj, separators=(',', ':')).encode('latin-1')).decode()}"
        f":{b62_encode(int(time.time()))}"
    )
    signature = hmac.digest(_key(salt, settings.SECRET_KEY), value.encode(), "sha256")
    return f"{value}:{b64_encode(signature).decode()}"
