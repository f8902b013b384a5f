"""Course emails, written to the outbox inside the transaction of the change that causes them.

Each email carries in its outbox context the enrollment it is about and the statuses in which it
still makes sense, so that one queued before a cancellation is skipped instead of sent.
"""

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

from core.links import absolute_url
from courses.calendar import course_ics
from courses.models import ACTIVE_STATUSES, Course, CourseSession, Enrollment
from courses.selectors import enrollment_cancel_token_make
from outbox.registry import register_send_check
from outbox.services import Attachment, email_enqueue_template, emails_send_on_commit

CONFIRMED = "courses.enrollment_confirmed"
WAITLISTED = "courses.enrollment_waitlisted"
PROMOTED = "courses.enrollment_promoted"
ENROLLMENT_CANCELLED = "courses.enrollment_cancelled"
COURSE_CANCELLED = "courses.course_cancelled"
COURSE_CHANGED = "courses.course_changed"
REMINDER = "courses.session_reminder"


def enrollment_cancel_link(enrollment: Enrollment) -> str:
    token = enrollment_cancel_token_make(enrollment=enrollment)
    return absolute_url("course-enrollment-cancel-page", enrollment_id=enrollment.pk, query={"token": token})


def _context(enrollment: Enrollment, course: Course, sessions: list[CourseSession], **extra) -> dict:
    return {
        "name": enrollment.person_name,
        "course": course,
        "sessions": sessions,
        "is_online": course.format == Course.Format.ONLINE,
        "price": _("%(price)s円") % {"price": f"{course.price_jpy:,}"} if course.price_jpy else _("無料"),
        "payment": course.payment_guidance,
        "cancel_link": enrollment_cancel_link(enrollment),
        "practice_name": settings.PRACTICE_NAME,
        "contact_email": settings.PRACTICE_CONTACT_EMAIL,
        **extra,
    }


def _send_if(enrollment: Enrollment, *statuses: str, **extra) -> dict:
    return {"enrollment": enrollment.pk, "send_if": list(statuses), **extra}


def _ics(course: Course, sessions: list[CourseSession], cancelled_sessions=()) -> Attachment:
    return Attachment(
        filename=f"course-{course.pk}.ics",
        content=course_ics(course=course, sessions=sessions, cancelled_sessions=cancelled_sessions),
        mimetype="text/calendar; charset=utf-8; method=PUBLISH",
    )


def _enqueue(kind: str, enrollment: Enrollment, template: str, template_context: dict, **options):
    options.setdefault("key", f"enrollment:{enrollment.pk}")
    # Every course mail carries the enrollee's cancel link or the online course's meeting URL.
    options.setdefault("carries_secret", True)
    return email_enqueue_template(
        kind=kind,
        recipient=enrollment.person_email,
        template=f"courses/email/{template}",
        template_context=template_context,
        **options,
    )


def enrollment_notify_confirmed(
    *, enrollment: Enrollment, course: Course, sessions: list[CourseSession], promoted: bool = False
) -> None:
    """The seat is theirs: every session in an .ics; a promotion from the waitlist says so."""
    kind, template = (PROMOTED, "promoted") if promoted else (CONFIRMED, "confirmed")
    _enqueue(
        kind,
        enrollment,
        template,
        _context(enrollment, course, sessions),
        attachments=[_ics(course, sessions)],
        context=_send_if(enrollment, Enrollment.Status.CONFIRMED),
    )


def enrollment_notify_waitlisted(
    *, enrollment: Enrollment, course: Course, sessions: list[CourseSession], position: int | None
) -> None:
    _enqueue(
        WAITLISTED,
        enrollment,
        "waitlisted",
        _context(enrollment, course, sessions, position=position),
        # Once promoted, the promotion notice says all there is to say.
        context=_send_if(enrollment, Enrollment.Status.WAITLISTED),
    )


def enrollment_notify_cancelled(
    *, enrollment: Enrollment, course: Course, sessions: list[CourseSession], was_waitlisted: bool
) -> None:
    _enqueue(
        ENROLLMENT_CANCELLED,
        enrollment,
        "enrollment_cancelled",
        _context(enrollment, course, sessions, was_waitlisted=was_waitlisted),
    )


def course_notify_cancelled(
    *, course: Course, sessions: list[CourseSession], enrollments: list[Enrollment]
) -> None:
    """Tells everyone who held a seat or a waitlist place; sent in batches over one connection."""
    email_ids = []
    for enrollment in enrollments:
        email, created = _enqueue(
            COURSE_CANCELLED,
            enrollment,
            "course_cancelled",
            _context(enrollment, course, sessions),
            key=f"course:{course.pk}:enrollment:{enrollment.pk}",
            send=False,
        )
        if created:
            email_ids.append(email.pk)
    emails_send_on_commit(email_ids=email_ids)


def course_notify_changed(
    *,
    course: Course,
    sessions: list[CourseSession],
    removed_sessions: list[CourseSession],
    enrollments: list[Enrollment],
    version: str,
) -> None:
    """New dates or a new place: those holding a seat get the updated .ics (same UIDs, so their
    calendar moves the events), the waitlist gets the news. ``version`` names the change, so a
    retried transaction tells nobody twice."""
    email_ids = []
    for enrollment in enrollments:
        confirmed = enrollment.status == Enrollment.Status.CONFIRMED
        email, created = _enqueue(
            COURSE_CHANGED,
            enrollment,
            "course_changed",
            _context(enrollment, course, sessions, removed_sessions=removed_sessions, confirmed=confirmed),
            key=f"course:{course.pk}:schedule:{version}:enrollment:{enrollment.pk}",
            attachments=[_ics(course, sessions, removed_sessions)] if confirmed else [],
            context=_send_if(enrollment, *ACTIVE_STATUSES),
            send=False,
        )
        if created:
            email_ids.append(email.pk)
    emails_send_on_commit(email_ids=email_ids)


def session_reminder_enqueue(
    *, enrollment: Enrollment, course: Course, session: CourseSession, number: int, total: int
) -> tuple[int, bool]:
    """One reminder per enrollment and session, whatever the number of scans that find it."""
    email, created = _enqueue(
        REMINDER,
        enrollment,
        "reminder",
        _context(enrollment, course, [session], session=session, number=number, total=total),
        key=f"enrollment:{enrollment.pk}:session:{session.pk}",
        context=_send_if(enrollment, Enrollment.Status.CONFIRMED, session=session.pk),
        send=False,
    )
    return email.pk, created


@register_send_check("courses.")
def course_email_still_wanted(email) -> bool:
    """Skips a queued email whose enrollment has since changed (cancelled, promoted) or session begun."""
    context = email.context or {}
    statuses = context.get("send_if")
    if not statuses:
        return True
    enrollment = Enrollment.objects.filter(pk=context.get("enrollment")).only("status").first()
    if enrollment is None or enrollment.status not in statuses:
        return False
    session_id = context.get("session")
    if session_id is None:
        return True
    return CourseSession.objects.filter(
        pk=session_id, starts_at__gt=timezone.now(), course__status=Course.Status.PUBLISHED
    ).exists()
