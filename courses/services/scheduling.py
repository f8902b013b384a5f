"""Scheduling courses: create, change (telling the enrollees what moved) and cancel."""

from datetime import datetime
from itertools import pairwise

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.exceptions import ApplicationError
from courses import notifications
from courses.models import ACTIVE_STATUSES, SEAT_STATUSES, Course, CourseSession, Enrollment
from courses.services.common import course_lock, course_sessions
from courses.services.enrollments import enrollment_promote_waitlisted
from payments.methods import PaymentMethod
from payments.models import RefundReason
from payments.services.refunds import payment_refund_for_enrollment

EDITABLE_FIELDS = (
    "title",
    "description",
    "format",
    "location",
    "capacity",
    "price_jpy",
    "payment_instructions",
    "payment_method",
    "status",
    "enrollment_deadline",
)


def _validate_sessions(sessions: list[dict]) -> None:
    if not sessions:
        raise ApplicationError(
            _("講座には少なくとも1回の日程が必要です。"), extra={"sessions": [_("日程を入力してください。")]}
        )
    for item in sessions:
        if item["ends_at"] <= item["starts_at"]:
            raise ApplicationError(
                _("終了日時は開始日時より後にしてください。"),
                extra={"sessions": [_("終了日時は開始日時より後にしてください。")]},
            )
    ordered = sorted(sessions, key=lambda item: item["starts_at"])
    for earlier, later in pairwise(ordered):
        if later["starts_at"] < earlier["ends_at"]:
            raise ApplicationError(
                _("日程が重なっています。"), extra={"sessions": [_("日程が重なっています。")]}
            )


def _sessions_replace(*, course: Course, sessions: list[dict]) -> None:
    """Keeps the sessions named by id (their ids stay, so reminders and calendar UIDs do too)."""
    existing = {session.pk: session for session in CourseSession.objects.filter(course=course)}
    kept: set[int] = set()
    for item in sessions:
        session_id = item.get("id")
        if session_id is not None:
            session = existing.get(session_id)
            if session is None:
                raise ApplicationError(
                    _("この講座にない日程が指定されました。"),
                    extra={"sessions": [_("日程が見つかりません。")]},
                )
            kept.add(session_id)
            if (session.starts_at, session.ends_at) != (item["starts_at"], item["ends_at"]):
                session.starts_at, session.ends_at = item["starts_at"], item["ends_at"]
                session.full_clean()
                session.save(update_fields=["starts_at", "ends_at", "updated_at"])
        else:
            session = CourseSession(course=course, starts_at=item["starts_at"], ends_at=item["ends_at"])
            session.full_clean()
            session.save()
    CourseSession.objects.filter(pk__in=set(existing) - kept).delete()


def _plan_of(course: Course, sessions: list[CourseSession]) -> tuple:
    """What enrollees plan their days around: when and where."""
    return (
        course.format,
        course.location,
        tuple(
            (session.pk, session.starts_at.isoformat(), session.ends_at.isoformat()) for session in sessions
        ),
    )


def _course_validate(course: Course) -> None:
    course.full_clean(exclude=["counselor"])
    if course.payment_method == PaymentMethod.VENUE and course.format != Course.Format.VENUE:
        raise ApplicationError(
            _("当日会場でのお支払いは会場で開く講座のみです。"),
            extra={"payment_method": [_("会場の講座でのみ選べます。")]},
        )
    if course.format == Course.Format.ONLINE:
        try:
            URLValidator(schemes=["https", "http"])(course.location)
        except ValidationError:
            raise ApplicationError(
                _("オンライン講座には参加URLを入力してください。"),
                extra={"location": [_("URLを入力してください。")]},
            ) from None


@transaction.atomic
def course_create(
    *,
    counselor,
    title: str,
    format: str,
    location: str,
    capacity: int,
    sessions: list[dict],
    description: str = "",
    price_jpy: int = 0,
    payment_instructions: str = "",
    payment_method: str = PaymentMethod.ARRANGED,
    status: str = Course.Status.DRAFT,
    enrollment_deadline: datetime | None = None,
) -> Course:
    if status not in (Course.Status.DRAFT, Course.Status.PUBLISHED):
        raise ApplicationError(
            _("講座の中止は中止の操作で行ってください。"), extra={"status": [_("選べません。")]}
        )
    course = Course(
        counselor=counselor,
        title=title.strip(),
        description=description,
        format=format,
        location=location.strip(),
        capacity=capacity,
        price_jpy=price_jpy,
        payment_instructions=payment_instructions.strip(),
        payment_method=payment_method,
        status=status,
        enrollment_deadline=enrollment_deadline,
    )
    _course_validate(course)
    _validate_sessions(sessions)
    course.save()
    _sessions_replace(course=course, sessions=sessions)
    return course


@transaction.atomic
def course_update(*, course: Course, sessions: list[dict] | None = None, **fields) -> Course:
    unknown = set(fields) - set(EDITABLE_FIELDS)
    if unknown:
        raise TypeError(f"course_update() got unexpected fields: {sorted(unknown)}")
    course = course_lock(course.pk)
    if course.status == Course.Status.CANCELLED:
        raise ApplicationError(_("中止した講座は変更できません。"))
    sessions_before = course_sessions(course)
    plan_before = _plan_of(course, sessions_before)
    if fields.get("status") == Course.Status.CANCELLED:
        raise ApplicationError(
            _("講座の中止は中止の操作で行ってください。"), extra={"status": [_("選べません。")]}
        )
    confirmed = course.enrollments.filter(status__in=SEAT_STATUSES).count()
    if "capacity" in fields and fields["capacity"] < confirmed:
        raise ApplicationError(
            _("定員を確定済みの申込数（%(count)d名）より少なくはできません。") % {"count": confirmed},
            extra={"capacity": [_("確定済みの申込数以上にしてください。")]},
        )
    unpublishing = fields.get("status") == Course.Status.DRAFT and course.status == Course.Status.PUBLISHED
    if unpublishing and course.enrollments.filter(status__in=ACTIVE_STATUSES).exists():
        raise ApplicationError(
            _("申込のある講座は下書きに戻せません。"), extra={"status": [_("申込があります。")]}
        )
    for name, value in fields.items():
        setattr(course, name, value.strip() if name in ("title", "location") else value)
    _course_validate(course)
    course.save()
    if sessions is not None:
        _validate_sessions(sessions)
        _sessions_replace(course=course, sessions=sessions)
    if course.status == Course.Status.PUBLISHED:
        sessions_after = course_sessions(course)
        plan_after = _plan_of(course, sessions_after)
        if plan_after != plan_before:
            kept = {session.pk for session in sessions_after}
            notifications.course_notify_changed(
                course=course,
                sessions=sessions_after,
                removed_sessions=[session for session in sessions_before if session.pk not in kept],
                enrollments=list(
                    course.enrollments.filter(status__in=ACTIVE_STATUSES)
                    .select_related("user")
                    .order_by("id")
                ),
                # Each saved change is its own notice: moving a date back and forth tells people each time.
                version=course.updated_at.isoformat(),
            )
        # A larger capacity frees seats: they go to the waitlist at once, in order.
        enrollment_promote_waitlisted(course=course)
    return course


@transaction.atomic
def course_cancel(*, course: Course) -> Course:
    """Cancels the course and every enrollment in it; everyone who held a place is emailed."""
    course = course_lock(course.pk)
    if course.status == Course.Status.CANCELLED:
        return course
    now = timezone.now()
    course.status = Course.Status.CANCELLED
    course.cancelled_at = now
    course.save(update_fields=["status", "cancelled_at", "updated_at"])
    affected = list(
        Enrollment.objects.select_for_update(of=("self",))
        .filter(course=course, status__in=ACTIVE_STATUSES)
        .select_related("user")
        .order_by("id")
    )
    Enrollment.objects.filter(pk__in=[e.pk for e in affected]).update(
        status=Enrollment.Status.CANCELLED, cancelled_at=now, updated_at=now
    )
    notifications.course_notify_cancelled(
        course=course, sessions=course_sessions(course), enrollments=affected
    )
    # The practice cancelled: whoever paid is refunded in full, and unpaid payments close.
    for enrollment in affected:
        payment_refund_for_enrollment(enrollment=enrollment, reason=RefundReason.COUNSELOR_CANCEL)
    return course
