"""The courses demo step."""

import pytest

from courses.demo import seed_courses
from courses.models import Course

pytestmark = pytest.mark.django_db


def test_the_demo_step_adds_an_online_course_with_two_sessions_and_a_tokyo_venue_course_once(counselor):
    lines: list[str] = []
    seed_courses({"counselor": counselor}, lines.append)
    seed_courses({"counselor": counselor}, lines.append)

    courses = Course.objects.order_by("format")
    assert [(c.format, c.status, c.sessions.count()) for c in courses] == [
        ("online", "published", 2),
        ("venue", "published", 1),
    ]
    assert "東京都" in courses.get(format="venue").location
    assert len(lines) == 4


def test_the_demo_step_is_registered_after_accounts():
    from core.demo import demo_steps

    assert seed_courses in demo_steps()
