"""Session-note reads: a note is reached by its author alone; anything else is 404.

These reads write no access row: the view that shows the notes calls
``counseling.services.access.access_record`` for what it shows.
"""

from datetime import date, timedelta

from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet
from django.shortcuts import get_object_or_404

from counseling.models import Pattern, SessionNote, SessionNoteAddendum


def session_note_list(
    *,
    counselor,
    client=None,
    tag: str | None = None,
    date_from: date | None = None,
    date_to: date | None = None,
) -> QuerySet[SessionNote]:
    """The notes ``counselor`` wrote, newest session first, with tags and addenda loaded.

    ``client`` is a user or an id; ``tag`` a pattern code, which also finds notes tagged with its
    sub-patterns (``reason.childhood`` finds ``reason.childhood.feelings_denied``); the dates are
    inclusive.
    """
    queryset = SessionNote.objects.filter(counselor=counselor)
    if client is not None:
        queryset = queryset.filter(client_id=getattr(client, "pk", client))
    if tag:
        tagged = SessionNote.tags.through.objects.filter(sessionnote_id=OuterRef("pk")).filter(
            Q(pattern__code=tag) | Q(pattern__parent__code=tag)
        )
        queryset = queryset.filter(Exists(tagged))
    if date_from:
        queryset = queryset.filter(date__gte=date_from)
    if date_to:
        queryset = queryset.filter(date__lte=date_to)
    return (
        queryset.select_related("client", "counselor", "booking")
        .prefetch_related(
            Prefetch("tags", queryset=Pattern.objects.order_by("position")),
            Prefetch(
                "addenda",
                queryset=SessionNoteAddendum.objects.select_related("author").order_by("created_at", "id"),
            ),
        )
        .order_by("-date", "-id")
    )


def session_note_get(*, counselor, note_id: int) -> SessionNote:
    """One note of ``counselor``'s own; anything else is 404, whether or not it exists."""
    return get_object_or_404(session_note_list(counselor=counselor), pk=note_id)


def session_note_previous(*, counselor, client, before: date) -> SessionNote | None:
    """``counselor``'s latest note on ``client`` from a session before the day ``before``."""
    return session_note_list(counselor=counselor, client=client, date_to=before - timedelta(days=1)).first()


def session_note_of_booking(*, counselor, booking) -> SessionNote | None:
    """The note ``counselor`` wrote for ``booking``, without its text (only id, status, booking)."""
    return (
        SessionNote.objects.filter(counselor=counselor, booking=booking)
        .only("pk", "status", "booking_id")
        .first()
    )
