"""Signed tokens in emailed links. Each purpose has its own salt, so one cannot stand in for another."""

from django.conf import settings
from django.core import signing

from core.signing import signed_dumps

CONFIRM_SALT = "newsletter.confirm"
WORKBOOK_SALT = "newsletter.workbook"
UNSUBSCRIBE_SALT = "newsletter.unsubscribe"


class InvalidToken(Exception):
    """Forged, expired or meant for something else."""


def _load(token: str, *, salt: str, max_age=None) -> dict:
    try:
        payload = signing.loads(token, salt=salt, max_age=max_age)
    except (signing.BadSignature, TypeError, ValueError):
        raise InvalidToken from None
    if not isinstance(payload, dict) or not isinstance(payload.get("s"), int):
        raise InvalidToken
    return payload


def confirm_token_make(*, subscriber_id: int, consent_id: int) -> str:
    return signing.dumps({"s": subscriber_id, "c": consent_id}, salt=CONFIRM_SALT)


def confirm_token_read(token: str) -> tuple[int, int]:
    payload = _load(token, salt=CONFIRM_SALT, max_age=settings.NEWSLETTER_CONFIRM_MAX_AGE)
    if not isinstance(payload.get("c"), int):
        raise InvalidToken
    return payload["s"], payload["c"]


# The workbook and unsubscribe tokens are made for every message of a fan-out: signed_dumps makes
# Django's token without its per-call setup.
def workbook_token_make(*, subscriber_id: int) -> str:
    return signed_dumps({"s": subscriber_id}, salt=WORKBOOK_SALT)


def workbook_token_read(token: str) -> int:
    return _load(token, salt=WORKBOOK_SALT, max_age=settings.NEWSLETTER_WORKBOOK_LINK_MAX_AGE)["s"]


def unsubscribe_token_make(*, subscriber_id: int) -> str:
    # No expiry: a link in a months-old email must still unsubscribe.
    return signed_dumps({"s": subscriber_id}, salt=UNSUBSCRIBE_SALT)


def unsubscribe_token_read(token: str) -> int:
    return _load(token, salt=UNSUBSCRIBE_SALT)["s"]
