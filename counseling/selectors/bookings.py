from datetime import date, datetime, time, timedelta

from django.db.models import Exists, OuterRef, QuerySet
from django.shortcuts import get_object_or_404

from counseling.localtime import local_datetime
from counseling.models import Booking, SessionNote


def booking_list(
    *, user, status: str | None = None, date_from: date | None = None, date_to: date | None = None
) -> QuerySet[Booking]:
    """A client's own bookings, or a counselor's; ``date_from``/``date_to`` are Asia/Tokyo days, inclusive."""
    if user.is_client:
        queryset = Booking.objects.filter(client=user)
    elif user.is_counselor:
        queryset = Booking.objects.filter(counselor=user)
    else:
        queryset = Booking.objects.none()
    if status:
        queryset = queryset.filter(status=status)
    if date_from:
        queryset = queryset.filter(start__gte=local_datetime(date_from, time.min))
    if date_to:
        queryset = queryset.filter(start__lt=local_datetime(date_to + timedelta(days=1), time.min))
    return queryset.select_related("client", "counselor", "session_type").order_by("start", "id")


def booking_get(*, user, booking_id: int) -> Booking:
    """One booking of ``user``'s; anything else is 404, whether or not it exists."""
    return get_object_or_404(booking_list(user=user), pk=booking_id)


def booking_list_awaiting_note(*, counselor, now: datetime) -> QuerySet[Booking]:
    """Sessions of ``counselor`` held (or past and not yet marked) with no signed note, oldest first."""
    signed = SessionNote.objects.filter(booking_id=OuterRef("pk"), status=SessionNote.Status.SIGNED)
    return (
        booking_list(user=counselor)
        .filter(end__lte=now, status__in=(Booking.Status.CONFIRMED, Booking.Status.COMPLETED))
        .exclude(Exists(signed))
    )
