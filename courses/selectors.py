"""Reads for courses: who may see which course, seats left, rosters, and who may cancel what."""

from datetime import datetime

from django.conf import settings
from django.core import signing
from django.db import connection
from django.db.models import (
    Count,
    Exists,
    IntegerField,
    Max,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Value,
)
from django.db.models.functions import Coalesce
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone
from psycopg.types.datetime import TimestamptzLoader

from courses.models import SEAT_STATUSES, Course, CourseSession, Enrollment

CANCEL_TOKEN_SALT = "courses.enrollment-cancel"  # noqa: S105  (a signing salt, not a secret)


def _count_of(*statuses: str) -> Coalesce:
    # A subquery per count, not a JOIN: joining sessions and enrollments together would multiply rows.
    counted = (
        Enrollment.objects.filter(course=OuterRef("pk"), status__in=statuses)
        .order_by()
        .values("course")
        .annotate(total=Count("pk"))
        .values("total")
    )
    return Coalesce(Subquery(counted, output_field=IntegerField()), Value(0))


def course_queryset() -> QuerySet[Course]:
    """Courses with their sessions and enrollment counts: a constant number of queries for any page."""
    return (
        Course.objects.select_related("counselor")
        .annotate(
            # Seats taken: held seats awaiting payment count, so seats_left never oversells.
            confirmed_count=_count_of(*SEAT_STATUSES),
            waitlist_count=_count_of(Enrollment.Status.WAITLISTED),
            first_starts_at=Subquery(
                CourseSession.objects.filter(course=OuterRef("pk"))
                .order_by("starts_at")
                .values("starts_at")[:1]
            ),
        )
        .prefetch_related(Prefetch("sessions", queryset=CourseSession.objects.order_by("starts_at", "id")))
    )


def enrollment_closes_at(*, course: Course, sessions: list[CourseSession]) -> datetime | None:
    """The deadline, or without one the start of the first session."""
    if course.enrollment_deadline is not None:
        return course.enrollment_deadline
    return sessions[0].starts_at if sessions else None


def enrollment_is_open(*, course: Course, sessions: list[CourseSession], now: datetime | None = None) -> bool:
    closes_at = enrollment_closes_at(course=course, sessions=sessions)
    now = now or timezone.now()
    return course.status == Course.Status.PUBLISHED and closes_at is not None and now < closes_at


def _visible_to(user) -> Q:
    visible = Q(status__in=[Course.Status.PUBLISHED, Course.Status.CANCELLED])
    if user is not None and user.is_authenticated and user.is_counselor:
        visible |= Q(counselor=user)
    return visible


def course_list(*, user) -> QuerySet[Course]:
    """Published courses not yet over, soonest first; a counselor also sees every course of their own."""
    upcoming = Exists(CourseSession.objects.filter(course=OuterRef("pk"), ends_at__gt=timezone.now()))
    listed = Q(upcoming, status=Course.Status.PUBLISHED)
    if user is not None and user.is_authenticated and user.is_counselor:
        listed |= Q(counselor=user)
    # first_starts_at is annotated by course_queryset(), which the type checker cannot follow.
    return course_queryset().filter(listed).order_by("first_starts_at", "id")  # type: ignore[misc]


# The columns of a course row (``course_list_page``), besides its ``sessions``.
COURSE_ROW_FIELDS = (
    "id", "counselor_id", "title", "description", "format", "location", "capacity", "price_jpy",
    "payment_instructions", "status", "enrollment_deadline", "confirmed_count", "waitlist_count",
)  # fmt: skip

_COURSE = Course._meta.db_table
_SESSION = CourseSession._meta.db_table
_ENROLLMENT = Enrollment._meta.db_table
# course_list()'s rows, one page of them, as one statement: the listed courses are numbered in order
# (with the length of the whole list beside each), and only the page's are joined with their seats and
# sessions. Written in SQL because building and compiling the same read with the ORM (three queries:
# count, page, sessions) cost four times the CPU of the statement itself, on the most-read endpoint.
_COURSE_PAGE = f"""
WITH listed AS (
    SELECT c.id,
           (SELECT min(s.starts_at) FROM {_SESSION} s WHERE s.course_id = c.id) AS first_starts_at
    FROM {_COURSE} c
    WHERE (c.status = %(published)s
           AND EXISTS (SELECT 1 FROM {_SESSION} s WHERE s.course_id = c.id AND s.ends_at > %(now)s))
       OR c.counselor_id = %(counselor_id)s
), page AS (
    SELECT id, first_starts_at, count(*) OVER () AS total
    FROM listed
    ORDER BY first_starts_at, id
    LIMIT %(limit)s OFFSET %(offset)s
)
SELECT page.total, c.id, c.counselor_id, c.title, c.description, c.format, c.location, c.capacity,
       c.price_jpy, c.payment_instructions, c.status, c.enrollment_deadline, seats.taken, seats.waiting,
       sessions.ids, sessions.starts, sessions.ends
FROM page
JOIN {_COURSE} c ON c.id = page.id
CROSS JOIN LATERAL (
    SELECT count(*) FILTER (WHERE e.status = ANY(%(seat_statuses)s)) AS taken,
           count(*) FILTER (WHERE e.status = %(waitlisted)s) AS waiting
    FROM {_ENROLLMENT} e WHERE e.course_id = c.id
) seats
CROSS JOIN LATERAL (
    SELECT array_agg(s.id ORDER BY s.starts_at, s.id) AS ids,
           array_agg(s.starts_at ORDER BY s.starts_at, s.id) AS starts,
           array_agg(s.ends_at ORDER BY s.starts_at, s.id) AS ends
    FROM {_SESSION} s WHERE s.course_id = c.id
) sessions
ORDER BY page.first_starts_at, page.id
"""  # noqa: S608 (the models' own tables; every value is a parameter)


def course_list_page(*, user, offset: int, limit: int) -> tuple[int, list[dict]]:
    """Courses ``offset`` to ``offset + limit`` of ``course_list(user=user)``, in its order, as rows of
    ``COURSE_ROW_FIELDS`` plus ``sessions`` (``id``, ``starts_at``, ``ends_at``, in order), and the length
    of the whole list; 0 for it when the page is empty (past the end, or nothing listed). One query on
    PostgreSQL; the ORM's queries on the embedded SQLite.

    The same courses, counts and sessions as ``course_list`` (a test compares the two on every kind of
    course and reader); the rule of which courses are listed is kept in both.
    """
    if connection.vendor != "postgresql":
        return _course_list_page_orm(user=user, offset=offset, limit=limit)
    counselor_id = user.pk if user is not None and user.is_authenticated and user.is_counselor else None
    with connection.cursor() as cursor:
        # psycopg's own loader, in C: Django's (the same instants, tagged UTC in Python) took a fifth of
        # the request's CPU over a page's 120 session times.
        cursor.cursor.adapters.register_loader("timestamptz", TimestamptzLoader)
        cursor.execute(
            _COURSE_PAGE,
            {
                "published": Course.Status.PUBLISHED.value,
                "now": timezone.now(),
                "counselor_id": counselor_id,
                "seat_statuses": [status.value for status in SEAT_STATUSES],
                "waitlisted": Enrollment.Status.WAITLISTED.value,
                "limit": limit,
                "offset": offset,
            },
        )
        fetched = cursor.fetchall()
    rows = []
    for _length, *columns, session_ids, starts, ends in fetched:
        row = dict(zip(COURSE_ROW_FIELDS, columns, strict=True))
        # A course without sessions aggregates to NULL arrays.
        sessions = zip(session_ids or (), starts or (), ends or (), strict=True)
        row["sessions"] = [
            {"id": session_id, "starts_at": starts_at, "ends_at": ends_at}
            for session_id, starts_at, ends_at in sessions
        ]
        rows.append(row)
    return (fetched[0][0] if fetched else 0), rows


def _course_list_page_orm(*, user, offset: int, limit: int) -> tuple[int, list[dict]]:
    listed = course_list(user=user)
    courses = list(listed[offset : offset + limit])
    rows = [
        {
            **{field: getattr(course, field) for field in COURSE_ROW_FIELDS},
            "sessions": [
                {"id": session.pk, "starts_at": session.starts_at, "ends_at": session.ends_at}
                for session in course.sessions.all()
            ],
        }
        for course in courses
    ]
    return (listed.count() if courses else 0), rows


def course_get(*, course_id: int, user) -> Course:
    """A published or cancelled course (an old link still says what happened), or the counselor's own;
    Http404 for any other."""
    return get_object_or_404(course_queryset().filter(_visible_to(user)), pk=course_id)


def course_get_owned(*, course_id: int, counselor) -> Course:
    """The counselor's own course; Http404 for another's."""
    return get_object_or_404(course_queryset().filter(counselor=counselor), pk=course_id)


def enrollment_list_for_client(*, client) -> QuerySet[Enrollment]:
    """The client's course enrollments, newest first, with each course's sessions."""
    return (
        Enrollment.objects.filter(user=client)
        .select_related("course")
        .prefetch_related(
            Prefetch("course__sessions", queryset=CourseSession.objects.order_by("starts_at", "id"))
        )
        .order_by("-created_at", "-id")
    )


def enrollment_roster(*, course: Course) -> QuerySet[Enrollment]:
    """Who comes: confirmed first, then the waitlist, each in order of arrival."""
    return (
        Enrollment.objects.filter(
            course=course, status__in=[Enrollment.Status.CONFIRMED, Enrollment.Status.WAITLISTED]
        )
        .select_related("user")
        .order_by("status", "id")  # "confirmed" sorts before "waitlisted"
    )


def enrollment_waitlist_position(*, enrollment: Enrollment) -> int | None:
    if enrollment.status != Enrollment.Status.WAITLISTED:
        return None
    return Enrollment.objects.filter(
        course_id=enrollment.course_id, status=Enrollment.Status.WAITLISTED, pk__lte=enrollment.pk
    ).count()


def enrollment_cancel_token_make(*, enrollment: Enrollment) -> str:
    return signing.dumps({"enrollment": enrollment.pk}, salt=CANCEL_TOKEN_SALT)


def enrollment_cancel_link_expires_at(*, enrollment: Enrollment):
    """The cancel link works until the course's last session ends (there is nothing left to cancel
    then), and never longer than COURSE_CANCEL_LINK_MAX_AGE after the enrollment."""
    ceiling = enrollment.created_at + settings.COURSE_CANCEL_LINK_MAX_AGE
    last_end = CourseSession.objects.filter(course_id=enrollment.course_id).aggregate(last=Max("ends_at"))[
        "last"
    ]
    return min(last_end, ceiling) if last_end else ceiling


def enrollment_cancel_token_is_valid(*, enrollment: Enrollment, token: str) -> bool:
    """True only for a token this site signed for exactly this enrollment, before the link expires."""
    if not token:
        return False
    try:
        payload = signing.loads(token, salt=CANCEL_TOKEN_SALT, max_age=settings.COURSE_CANCEL_LINK_MAX_AGE)
    except (signing.BadSignature, TypeError, ValueError):
        return False
    if not (isinstance(payload, dict) and payload.get("enrollment") == enrollment.pk):
        return False
    return timezone.now() < enrollment_cancel_link_expires_at(enrollment=enrollment)


def enrollment_get_cancellable(*, enrollment_id: int, user, token: str = "") -> Enrollment:
    """The enrollment when the caller may cancel it: the enrollee, the course's counselor, a link holder;
    Http404 for anyone else."""
    enrollment = get_object_or_404(Enrollment.objects.select_related("course", "user"), pk=enrollment_id)
    if enrollment_cancel_token_is_valid(enrollment=enrollment, token=token):
        return enrollment
    is_signed_in = user is not None and user.is_authenticated
    if is_signed_in and user.pk in (enrollment.user_id, enrollment.course.counselor_id):
        return enrollment
    raise Http404
