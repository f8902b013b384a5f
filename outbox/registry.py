"""Per-kind send checks: just before sending, the kind's owner says whether the email should still go.

A check takes the ``OutboundEmail`` row and returns True to send or False to skip (an unsubscribed
address, a cancelled booking). Kinds without a check are always sent. A check registered for a prefix
ending in "." (``"newsletter."``) covers every kind that starts with it.
"""

from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from outbox.models import OutboundEmail

SendCheck = Callable[["OutboundEmail"], bool]
_checks: dict[str, SendCheck] = {}


def register_send_check(kind: str) -> Callable[[SendCheck], SendCheck]:
    def decorator(function: SendCheck) -> SendCheck:
        _checks[kind] = function
        return function

    return decorator


def checks_for(kind: str) -> list[SendCheck]:
    return [
        check for key, check in _checks.items() if key == kind or (key.endswith(".") and kind.startswith(key))
    ]
