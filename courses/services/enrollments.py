"""Enrollment under capacity, cancellation and the waitlist.

Capacity follows pretix: lock the course row, then count, then write, all in one transaction.
Every enrollment, cancellation and promotion of a course passes through that one lock, so two
requests can never both take the last seat, and the waitlist moves in the order people arrived.
"""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.emails import normalize_email
from core.exceptions import ApplicationError
from courses import notifications
from courses.models import ACTIVE_STATUSES, SEAT_STATUSES, Course, CourseSession, Enrollment
from courses.selectors import enrollment_is_open, enrollment_waitlist_position
from courses.services.common import course_lock, course_sessions
from payments.models import RefundReason
from payments.services.orders import payment_needs_hold, payment_open_for_enrollment
from payments.services.refunds import payment_refund_for_enrollment


def _seat_status(course: Course) -> str:
    """Paid in advance: the seat is held (and counted) until paid; otherwise it is confirmed."""
    if payment_needs_hold(method=course.payment_method, price_jpy=course.price_jpy):
        return Enrollment.Status.PENDING_PAYMENT
    return Enrollment.Status.CONFIRMED


def _seat_given(
    enrollment: Enrollment, course: Course, sessions: list[CourseSession], promoted: bool
) -> None:
    """The mail for a seat just taken: a payment request with its deadline, or the confirmation."""
    if enrollment.status == Enrollment.Status.CONFIRMED:
        notifications.enrollment_notify_confirmed(
            enrollment=enrollment, course=course, sessions=sessions, promoted=promoted
        )
    payment_open_for_enrollment(
        enrollment=enrollment, course=course, starts_at=sessions[0].starts_at if sessions else None
    )


@transaction.atomic
def enrollment_create(
    *, course: Course, user=None, guest_name: str = "", guest_email: str = ""
) -> tuple[Enrollment, bool]:
    """Confirms while seats remain, otherwise waitlists. Returns the enrollment and whether it is new.

    The same client, or the same guest address, gets their active enrollment back: a double click,
    a retry after a timeout or a second visit never takes a second seat.
    """
    course = course_lock(course.pk)
    active = Enrollment.objects.filter(course=course, status__in=ACTIVE_STATUSES)
    if user is not None:
        existing = active.filter(user=user).first()
    else:
        guest_name, guest_email = guest_name.strip(), normalize_email(guest_email)
        if not guest_name or not guest_email:
            raise ApplicationError(
                _("お名前とメールアドレスを入力してください。"),
                extra={"name": [_("必須です。")], "email": [_("必須です。")]},
            )
        existing = active.filter(user__isnull=True, guest_email__iexact=guest_email).first()
    if existing is not None:
        return existing, False

    sessions = course_sessions(course)
    if course.status == Course.Status.CANCELLED:
        raise ApplicationError(_("この講座は中止になりました。"))
    if course.status != Course.Status.PUBLISHED:
        raise ApplicationError(_("この講座は申込を受け付けていません。"))
    if not enrollment_is_open(course=course, sessions=sessions):
        raise ApplicationError(_("申込の受付は締め切りました。"))

    taken = active.filter(status__in=SEAT_STATUSES).count()
    now = timezone.now()
    enrollment = Enrollment(
        course=course,
        user=user,
        guest_name=guest_name if user is None else "",
        guest_email=guest_email if user is None else "",
        status=_seat_status(course) if taken < course.capacity else Enrollment.Status.WAITLISTED,
    )
    if enrollment.status == Enrollment.Status.CONFIRMED:
        enrollment.confirmed_at = now
    # Uniqueness is already settled under the lock (and by the database's constraints).
    enrollment.full_clean(validate_constraints=False)
    enrollment.save()
    if enrollment.status != Enrollment.Status.WAITLISTED:
        _seat_given(enrollment, course, sessions, promoted=False)
    else:
        notifications.enrollment_notify_waitlisted(
            enrollment=enrollment,
            course=course,
            sessions=sessions,
            position=enrollment_waitlist_position(enrollment=enrollment),
        )
    return enrollment, True


def enrollment_promote_waitlisted(*, course: Course) -> list[Enrollment]:
    """Gives free seats to the waitlist in order of arrival. The caller holds the course lock."""
    free = course.capacity - Enrollment.objects.filter(course=course, status__in=SEAT_STATUSES).count()
    if free <= 0 or course.status != Course.Status.PUBLISHED:
        return []
    promoted = list(
        Enrollment.objects.select_for_update(of=("self",))
        .filter(course=course, status=Enrollment.Status.WAITLISTED)
        .select_related("user")
        .order_by("id")[:free]
    )
    if not promoted:
        return []
    now = timezone.now()
    sessions = course_sessions(course)
    status = _seat_status(course)
    for enrollment in promoted:
        # A seat paid in advance is held with a payment link of its own deadline (as pretix's
        # waiting-list vouchers), and confirmed once paid.
        enrollment.status = status
        enrollment.promoted_at = now
        enrollment.confirmed_at = now if status == Enrollment.Status.CONFIRMED else None
        enrollment.save(update_fields=["status", "confirmed_at", "promoted_at", "updated_at"])
        _seat_given(enrollment, course, sessions, promoted=True)
    return promoted


@transaction.atomic
def course_promote_waitlisted(*, course: Course) -> list[Enrollment]:
    """For changes made outside course_update (the admin): takes the lock, then fills free seats."""
    return enrollment_promote_waitlisted(course=course_lock(course.pk))


@transaction.atomic
def enrollment_cancel(*, enrollment: Enrollment) -> Enrollment:
    """Frees the seat and gives it to the first waitlisted person in the same transaction.

    Cancelling an enrollment that is already cancelled changes nothing and sends nothing.
    """
    # The course first, as every writer of seats does: one lock order means no deadlock.
    course = course_lock(enrollment.course_id)
    enrollment = (
        Enrollment.objects.select_for_update(of=("self",)).select_related("user").get(pk=enrollment.pk)
    )
    if enrollment.status == Enrollment.Status.CANCELLED:
        return enrollment
    sessions = course_sessions(course)
    if sessions and sessions[-1].ends_at <= timezone.now():
        raise ApplicationError(_("終了した講座の申込は取り消せません。"))
    was_confirmed = enrollment.status in SEAT_STATUSES
    enrollment.status = Enrollment.Status.CANCELLED
    enrollment.cancelled_at = timezone.now()
    enrollment.save(update_fields=["status", "cancelled_at", "updated_at"])
    notifications.enrollment_notify_cancelled(
        enrollment=enrollment, course=course, sessions=sessions, was_waitlisted=not was_confirmed
    )
    payment_refund_for_enrollment(enrollment=enrollment, reason=RefundReason.CLIENT_CANCEL)
    if was_confirmed:
        enrollment_promote_waitlisted(course=course)
    return enrollment


def _lock_enrollment(enrollment: Enrollment) -> tuple[Course, Enrollment]:
    # The course first, as every writer of seats does.
    course = course_lock(enrollment.course_id)
    locked = Enrollment.objects.select_for_update(of=("self",)).select_related("user").get(pk=enrollment.pk)
    return course, locked


@transaction.atomic
def enrollment_confirm_paid(*, enrollment: Enrollment) -> Enrollment:
    """The held seat was paid (payments says so): confirmed, and the confirmation mailed."""
    course, enrollment = _lock_enrollment(enrollment)
    if enrollment.status != Enrollment.Status.PENDING_PAYMENT:
        return enrollment
    enrollment.status = Enrollment.Status.CONFIRMED
    enrollment.confirmed_at = timezone.now()
    enrollment.save(update_fields=["status", "confirmed_at", "updated_at"])
    notifications.enrollment_notify_confirmed(
        enrollment=enrollment,
        course=course,
        sessions=course_sessions(course),
        promoted=enrollment.promoted_at is not None,
    )
    return enrollment


@transaction.atomic
def enrollment_release_unpaid(*, enrollment: Enrollment) -> Enrollment:
    """The held seat's payment deadline passed: it is let go and given to the next on the waitlist."""
    course, enrollment = _lock_enrollment(enrollment)
    if enrollment.status != Enrollment.Status.PENDING_PAYMENT:
        return enrollment
    enrollment.status = Enrollment.Status.CANCELLED
    enrollment.cancelled_at = timezone.now()
    enrollment.save(update_fields=["status", "cancelled_at", "updated_at"])
    enrollment_promote_waitlisted(course=course)
    return enrollment
