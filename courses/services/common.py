"""The one lock every writer of a course's seats takes, and the course's sessions in order."""

from courses.models import Course, CourseSession


def course_lock(course_id: int) -> Course:
    # Every change to a course's seats starts here; without the lock two enrollments could both
    # count nine confirmed and both take the tenth seat.
    return Course.objects.select_for_update().get(pk=course_id)


def course_sessions(course: Course) -> list[CourseSession]:
    return list(CourseSession.objects.filter(course=course).order_by("starts_at", "id"))
