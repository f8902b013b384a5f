"""The access log of sensitive records: every read and write of a note, an intake or a worksheet.

Call ``access_record`` wherever such a record is shown or changed — API views, HTML pages, admin
screens — in the same transaction as the read or the write, so that nothing is shown or stored
without its row. The write services of this app already record their own writes.
"""

from collections.abc import Iterable

from django.db import transaction

from core.ratelimit import client_ip
from counseling.models import AccessRecord, Intake, SessionNote, Worksheet

OBJECT_TYPES = {
    SessionNote: AccessRecord.ObjectType.SESSION_NOTE,
    Intake: AccessRecord.ObjectType.INTAKE,
    Worksheet: AccessRecord.ObjectType.WORKSHEET,
}


def request_ip(request) -> str | None:
    """The caller's address as the access log keeps it (the proxy-aware one the login lockout uses)."""
    return client_ip(request) or None


@transaction.atomic
def access_record(
    *,
    user,
    obj_or_objs: SessionNote | Intake | Worksheet | Iterable[SessionNote | Intake | Worksheet],
    action: str,
    ip: str | None,
) -> list[AccessRecord]:
    """Writes one access row per object: ``user`` did ``action`` to it from ``ip``.

    - ``obj_or_objs``: one ``SessionNote``, ``Intake`` or ``Worksheet``, or an iterable of them (a page
      of a list: pass exactly the objects shown, one row each, written in one query).
    - ``action``: an ``AccessRecord.Action`` — ``LIST`` for objects shown in a list, ``READ`` for a
      detail view; the write services use the others.
    - ``ip``: ``request_ip(request)`` in a view; ``None`` where there is no request.

    Run it inside the transaction that reads the objects (``with transaction.atomic(): objs = ...;
    access_record(...)``): if the row cannot be written, the read fails too.
    """
    objs = [obj_or_objs] if isinstance(obj_or_objs, tuple(OBJECT_TYPES)) else list(obj_or_objs)
    if action not in AccessRecord.Action.values:
        raise ValueError(f"Unknown access action {action!r}.")
    records = [
        AccessRecord(
            actor=user,
            client_id=obj.client_id,
            object_type=OBJECT_TYPES[obj._meta.concrete_model],
            object_id=obj.pk,
            action=action,
            ip_address=ip,
        )
        for obj in objs
    ]
    return AccessRecord.objects.bulk_create(records)
