"""Per-kind send checks: just before sending, the kind's owner says whether the email should still go.

A check takes the ``OutboundEmail`` row and returns True to send or False to skip (an unsubscribed
address, a cancelled booking). Kinds without a check are always sent. A check registered for a prefix
ending in "." (``"newsletter."``) covers every kind that starts with it.

A kind's owner may also give the same check as an SQL condition on the outbox row (aliased ``o``,
e.g. ``NOT EXISTS (SELECT 1 FROM … WHERE … = o.recipient)``). On PostgreSQL the batch sender asks it
for the whole batch in the query that reads the batch, and again before its next message whenever
the owner says that what the check reads has changed (``outbox.services.send_checks_changed``, which
the owner must call in every transaction that makes such a change) and each time it saves its
outcomes. So the check costs no query of its own per message; the Python check still answers
everywhere else (one-off sends, SQLite). The two must answer alike (the owner's tests compare them).

A kind's owner may also give values for a shared body's placeholders that are made when the message
is built rather than stored with the row (``register_values``): signed links, which then never sit in
the outbox, and which the fan-out's planner does not have to make in Python one row at a time.
"""

from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from outbox.models import OutboundEmail

SendCheck = Callable[["OutboundEmail"], bool]
# The row and the placeholder keys its message needs; returns values for (some of) those keys.
ValuesMaker = Callable[["OutboundEmail", frozenset[str]], dict[str, str]]
_checks: dict[str, SendCheck] = {}
_sql_checks: dict[str, str] = {}
_values_makers: dict[str, ValuesMaker] = {}


def register_send_check(kind: str, *, sql: str | None = None) -> Callable[[SendCheck], SendCheck]:
    def decorator(function: SendCheck) -> SendCheck:
        _checks[kind] = function
        if sql is not None:
            _sql_checks[kind] = sql
        else:
            _sql_checks.pop(kind, None)
        return function

    return decorator


def _covers(key: str, kind: str) -> bool:
    return key == kind or (key.endswith(".") and kind.startswith(key))


def checks_for(kind: str) -> list[SendCheck]:
    return [check for key, check in _checks.items() if _covers(key, kind)]


def sql_check_for(kind: str) -> str | None:
    """Every check of ``kind`` as one SQL condition on the row ``o``; None when one of them has no SQL
    form (then the Python checks answer)."""
    keys = [key for key in _checks if _covers(key, kind)]
    if any(key not in _sql_checks for key in keys):
        return None
    return " AND ".join(f"({_sql_checks[key]})" for key in keys) or "TRUE"


def register_values(kind: str) -> Callable[[ValuesMaker], ValuesMaker]:
    def decorator(function: ValuesMaker) -> ValuesMaker:
        _values_makers[kind] = function
        return function

    return decorator


def values_makers_for(kind: str) -> list[ValuesMaker]:
    return [maker for key, maker in _values_makers.items() if _covers(key, kind)]
