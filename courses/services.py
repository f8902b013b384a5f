"""Every write to courses: scheduling, enrollment under capacity, cancellation and the waitlist.

Capacity follows pretix: lock the course row, then count, then write, all in one transaction.
Every enrollment, cancellation and promotion of a course passes through that one lock, so two
requests can never both take the last seat, and the waitlist moves in the order people arrived.
"""

from datetime import datetime, time, timedelta
from itertools import pairwise

from django.conf import settings
from django.contrib.auth.base_user import BaseUserManager
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import transaction
from django.db.models import Prefetch
from django.utils import timezone
from django.utils.translation import gettext as _

from core.exceptions import ApplicationError
from courses import notifications
from courses.models import ACTIVE_STATUSES, Course, CourseSession, Enrollment
from courses.selectors import enrollment_is_open, enrollment_waitlist_position
from outbox.models import OutboundEmail

EDITABLE_FIELDS = (
    "title",
    "description",
    "format",
    "location",
    "capacity",
    "price_jpy",
    "payment_instructions",
    "status",
    "enrollment_deadline",
)


def _lock_course(course_id: int) -> Course:
    # Every change to a course's seats starts here; without the lock two enrollments could both
    # count nine confirmed and both take the tenth seat.
    return Course.objects.select_for_update().get(pk=course_id)


def _sessions_of(course: Course) -> list[CourseSession]:
    return list(CourseSession.objects.filter(course=course).order_by("starts_at", "id"))


# --- Scheduling ---------------------------------------------------------------------------------


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
        status=status,
        enrollment_deadline=enrollment_deadline,
    )
    _course_validate(course)
    _validate_sessions(sessions)
    course.save()
    _sessions_replace(course=course, sessions=sessions)
    return course


@transaction.atomic
def course_update(*, course_id: int, sessions: list[dict] | None = None, **fields) -> Course:
    unknown = set(fields) - set(EDITABLE_FIELDS)
    if unknown:
        raise TypeError(f"course_update() got unexpected fields: {sorted(unknown)}")
    course = _lock_course(course_id)
    if course.status == Course.Status.CANCELLED:
        raise ApplicationError(_("中止した講座は変更できません。"))
    sessions_before = _sessions_of(course)
    plan_before = _plan_of(course, sessions_before)
    if fields.get("status") == Course.Status.CANCELLED:
        raise ApplicationError(
            _("講座の中止は中止の操作で行ってください。"), extra={"status": [_("選べません。")]}
        )
    confirmed = course.enrollments.filter(status=Enrollment.Status.CONFIRMED).count()
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
        sessions_after = _sessions_of(course)
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
def course_cancel(*, course_id: int) -> Course:
    """Cancels the course and every enrollment in it; everyone who held a place is emailed."""
    course = _lock_course(course_id)
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
    notifications.course_notify_cancelled(course=course, sessions=_sessions_of(course), enrollments=affected)
    return course


# --- Enrollment ---------------------------------------------------------------------------------


def _normalize_email(email: str) -> str:
    return BaseUserManager.normalize_email(email.strip()).lower()


@transaction.atomic
def enrollment_create(
    *, course_id: int, user=None, guest_name: str = "", guest_email: str = ""
) -> tuple[Enrollment, bool]:
    """Confirms while seats remain, otherwise waitlists. Returns the enrollment and whether it is new.

    The same client, or the same guest address, gets their active enrollment back: a double click,
    a retry after a timeout or a second visit never takes a second seat.
    """
    course = _lock_course(course_id)
    active = Enrollment.objects.filter(course=course, status__in=ACTIVE_STATUSES)
    if user is not None:
        existing = active.filter(user=user).first()
    else:
        guest_name, guest_email = guest_name.strip(), _normalize_email(guest_email)
        if not guest_name or not guest_email:
            raise ApplicationError(
                _("お名前とメールアドレスを入力してください。"),
                extra={"name": [_("必須です。")], "email": [_("必須です。")]},
            )
        existing = active.filter(user__isnull=True, guest_email__iexact=guest_email).first()
    if existing is not None:
        return existing, False

    sessions = _sessions_of(course)
    if course.status == Course.Status.CANCELLED:
        raise ApplicationError(_("この講座は中止になりました。"))
    if course.status != Course.Status.PUBLISHED:
        raise ApplicationError(_("この講座は申込を受け付けていません。"))
    if not enrollment_is_open(course=course, sessions=sessions):
        raise ApplicationError(_("申込の受付は締め切りました。"))

    confirmed = active.filter(status=Enrollment.Status.CONFIRMED).count()
    now = timezone.now()
    enrollment = Enrollment(
        course=course,
        user=user,
        guest_name=guest_name if user is None else "",
        guest_email=guest_email if user is None else "",
        status=Enrollment.Status.CONFIRMED if confirmed < course.capacity else Enrollment.Status.WAITLISTED,
    )
    if enrollment.status == Enrollment.Status.CONFIRMED:
        enrollment.confirmed_at = now
    # Uniqueness is already settled under the lock (and by the database's constraints).
    enrollment.full_clean(validate_constraints=False)
    enrollment.save()
    if enrollment.status == Enrollment.Status.CONFIRMED:
        notifications.enrollment_notify_confirmed(enrollment=enrollment, course=course, sessions=sessions)
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
    free = (
        course.capacity - Enrollment.objects.filter(course=course, status=Enrollment.Status.CONFIRMED).count()
    )
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
    sessions = _sessions_of(course)
    for enrollment in promoted:
        enrollment.status = Enrollment.Status.CONFIRMED
        enrollment.confirmed_at = enrollment.promoted_at = now
        enrollment.save(update_fields=["status", "confirmed_at", "promoted_at", "updated_at"])
        notifications.enrollment_notify_confirmed(
            enrollment=enrollment, course=course, sessions=sessions, promoted=True
        )
    return promoted


@transaction.atomic
def course_promote_waitlisted(*, course_id: int) -> list[Enrollment]:
    """For changes made outside course_update (the admin): takes the lock, then fills free seats."""
    return enrollment_promote_waitlisted(course=_lock_course(course_id))


@transaction.atomic
def enrollment_cancel(*, enrollment_id: int) -> Enrollment:
    """Frees the seat and gives it to the first waitlisted person in the same transaction.

    Cancelling an enrollment that is already cancelled changes nothing and sends nothing.
    """
    course_id = Enrollment.objects.values_list("course_id", flat=True).get(pk=enrollment_id)
    # The course first, as every writer of seats does: one lock order means no deadlock.
    course = _lock_course(course_id)
    enrollment = (
        Enrollment.objects.select_for_update(of=("self",)).select_related("user").get(pk=enrollment_id)
    )
    if enrollment.status == Enrollment.Status.CANCELLED:
        return enrollment
    sessions = _sessions_of(course)
    if sessions and sessions[-1].ends_at <= timezone.now():
        raise ApplicationError(_("終了した講座の申込は取り消せません。"))
    was_confirmed = enrollment.status == Enrollment.Status.CONFIRMED
    enrollment.status = Enrollment.Status.CANCELLED
    enrollment.cancelled_at = timezone.now()
    enrollment.save(update_fields=["status", "cancelled_at", "updated_at"])
    notifications.enrollment_notify_cancelled(
        enrollment=enrollment, course=course, sessions=sessions, was_waitlisted=not was_confirmed
    )
    if was_confirmed:
        enrollment_promote_waitlisted(course=course)
    return enrollment


# --- Reminders ----------------------------------------------------------------------------------


def reminder_horizon(*, now: datetime) -> datetime:
    """Sessions starting before this are due their reminder, sent "the day before" at COURSES_REMINDER_HOUR.

    Before that hour (Asia/Tokyo) only today's remaining sessions are due; from it on, tomorrow's too.
    """
    zone = timezone.get_default_timezone()
    local_now = timezone.localtime(now, zone)
    days_ahead = 2 if local_now.hour >= settings.COURSES_REMINDER_HOUR else 1
    return datetime.combine(local_now.date() + timedelta(days=days_ahead), time.min, tzinfo=zone)


def course_reminders_send(*, now: datetime | None = None) -> int:
    """Queues the reminder for every confirmed enrollee of each session that is due one.

    Run by beat every few minutes; the outbox key (enrollment, session) makes every run after the
    first a no-op for the same pair, so a missed or doubled run neither loses nor repeats a reminder.
    Returns how many reminders were newly queued.
    """
    now = now or timezone.now()
    sessions = list(
        CourseSession.objects.filter(
            course__status=Course.Status.PUBLISHED, starts_at__gt=now, starts_at__lt=reminder_horizon(now=now)
        )
        .select_related("course")
        .prefetch_related(
            Prefetch("course__sessions", queryset=CourseSession.objects.order_by("starts_at", "id")),
            Prefetch(
                "course__enrollments",
                queryset=Enrollment.objects.filter(status=Enrollment.Status.CONFIRMED).select_related("user"),
                to_attr="confirmed_enrollments",
            ),
        )
        .order_by("starts_at", "id")
    )
    # Pairs already reminded are skipped up front, so scans after the first cost one query, not one
    # failed insert per enrollee.
    already = set(
        OutboundEmail.objects.filter(
            kind=notifications.REMINDER, context__session__in=[session.pk for session in sessions]
        ).values_list("context__session", "context__enrollment")
    )
    created_ids: list[int] = []
    with transaction.atomic():
        for session in sessions:
            course = session.course
            course_sessions = list(course.sessions.all())
            number = next(i for i, s in enumerate(course_sessions, start=1) if s.pk == session.pk)
            for enrollment in course.confirmed_enrollments:
                if (session.pk, enrollment.pk) in already:
                    continue
                email_id, created = notifications.session_reminder_enqueue(
                    enrollment=enrollment,
                    course=course,
                    session=session,
                    number=number,
                    total=len(course_sessions),
                )
                if created:
                    created_ids.append(email_id)
        notifications.enqueue_batches(created_ids)
    return len(created_ids)
