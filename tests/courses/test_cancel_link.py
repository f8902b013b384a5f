"""The cancel link in course emails: signed for one enrollment, and a GET never cancels."""

import re
from datetime import timedelta
from urllib.parse import urlsplit

import pytest
import time_machine
from django.core import mail, signing
from django.utils import timezone

from courses import services
from courses.models import Enrollment
from courses.notifications import enrollment_cancel_link
from courses.selectors import CANCEL_TOKEN_SALT, enrollment_cancel_token_make
from tests.courses.factories import CourseFactory

pytestmark = pytest.mark.django_db


def guest(course, n: int = 0) -> Enrollment:
    return services.enrollment_create(
        course_id=course.pk, guest_name=f"ゲスト{n}", guest_email=f"g{n}@example.com"
    )[0]


def status_of(enrollment) -> str:
    return Enrollment.objects.get(pk=enrollment.pk).status


def page_path(link: str) -> str:
    parts = urlsplit(link)
    return f"{parts.path}?{parts.query}"


def test_the_confirmation_email_carries_a_link_that_cancels_through_the_page(
    client, django_capture_on_commit_callbacks
):
    course = CourseFactory()
    with django_capture_on_commit_callbacks(execute=True):
        enrollment = guest(course)
    link = re.search(r"https?://\S+/courses/enrollments/\d+/cancel/\?token=\S+", mail.outbox[0].body).group(0)

    page = client.get(page_path(link))

    assert page.status_code == 200
    assert "取り消しますか" in page.content.decode()
    assert status_of(enrollment) == "confirmed"  # a link scanner's GET cancels nothing

    token = link.split("token=", 1)[1]
    done = client.post(f"/courses/enrollments/{enrollment.pk}/cancel/", {"token": token})

    assert done.status_code == 200
    assert "取り消しました" in done.content.decode()
    assert status_of(enrollment) == "cancelled"
    again = client.get(page_path(link))
    assert "既に取り消されています" in again.content.decode()


def test_the_page_is_japanese_and_extends_the_site_layout(client):
    enrollment = guest(CourseFactory())

    page = client.get(
        f"/courses/enrollments/{enrollment.pk}/cancel/",
        {"token": enrollment_cancel_token_make(enrollment=enrollment)},
    )

    html = page.content.decode()
    assert '<html lang="ja">' in html
    assert "site-header" in html
    # Other sites never see the token; the page's own form still carries its origin (CSRF).
    assert page["Referrer-Policy"] == "same-origin"
    assert "no-store" in page["Cache-Control"] or "max-age=0" in page["Cache-Control"]


def test_a_token_for_one_enrollment_does_not_cancel_another(client, api_client):
    course = CourseFactory()
    mine, theirs = guest(course, 1), guest(course, 2)
    my_token = enrollment_cancel_token_make(enrollment=mine)

    api = api_client.post(f"/api/v1/enrollments/{theirs.pk}/cancel/", {"token": my_token}, format="json")
    page_get = client.get(f"/courses/enrollments/{theirs.pk}/cancel/", {"token": my_token})
    page_post = client.post(f"/courses/enrollments/{theirs.pk}/cancel/", {"token": my_token})

    assert api.status_code == 404
    assert (page_get.status_code, page_post.status_code) == (404, 404)
    assert "リンクが無効です" in page_post.content.decode()
    assert status_of(theirs) == "confirmed"
    assert status_of(mine) == "confirmed"


@pytest.mark.parametrize(
    "forge",
    [
        lambda e: "",
        lambda e: "garbage",
        lambda e: signing.dumps({"enrollment": e.pk}, salt="another.purpose"),
        lambda e: signing.dumps({"enrollment": e.pk}, salt=CANCEL_TOKEN_SALT, key="not-the-site-key" * 4),
        lambda e: enrollment_cancel_token_make(enrollment=e)[:-2] + "xx",
        lambda e: signing.dumps(e.pk, salt=CANCEL_TOKEN_SALT),
    ],
    ids=["empty", "garbage", "other-salt", "other-key", "tampered", "wrong-shape"],
)
def test_a_forged_token_cancels_nothing(api_client, client, forge):
    enrollment = guest(CourseFactory())
    token = forge(enrollment)

    by_query = api_client.post(f"/api/v1/enrollments/{enrollment.pk}/cancel/?token={token}")
    by_body = api_client.post(f"/api/v1/enrollments/{enrollment.pk}/cancel/", {"token": token}, format="json")
    by_page = client.post(f"/courses/enrollments/{enrollment.pk}/cancel/", {"token": token})

    assert (by_query.status_code, by_body.status_code, by_page.status_code) == (404, 404, 404)
    assert status_of(enrollment) == "confirmed"


def test_the_api_accepts_the_token_in_the_query_or_the_body(api_client):
    course = CourseFactory()
    first, second = guest(course, 1), guest(course, 2)

    by_query = api_client.post(
        f"/api/v1/enrollments/{first.pk}/cancel/?token={enrollment_cancel_token_make(enrollment=first)}"
    )
    by_body = api_client.post(
        f"/api/v1/enrollments/{second.pk}/cancel/",
        {"token": enrollment_cancel_token_make(enrollment=second)},
        format="json",
    )

    assert (by_query.status_code, by_body.status_code) == (200, 200)
    assert (by_query.json()["status"], by_body.json()["status"]) == ("cancelled", "cancelled")


def test_the_link_points_at_the_page_for_that_enrollment(settings):
    enrollment = guest(CourseFactory())

    link = enrollment_cancel_link(enrollment)

    assert link.startswith(f"{settings.SITE_URL}/courses/enrollments/{enrollment.pk}/cancel/?token=")


def test_the_page_form_posts_with_its_csrf_token_as_a_browser_would():
    from django.test import Client

    enrollment = guest(CourseFactory())
    token = enrollment_cancel_token_make(enrollment=enrollment)
    browser = Client(enforce_csrf_checks=True)

    page = browser.get(f"/courses/enrollments/{enrollment.pk}/cancel/", {"token": token})
    csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.content.decode()).group(1)
    done = browser.post(
        f"/courses/enrollments/{enrollment.pk}/cancel/", {"token": token, "csrfmiddlewaretoken": csrf}
    )

    assert done.status_code == 200
    assert status_of(enrollment) == "cancelled"


def test_the_cancel_link_expires_when_the_courses_last_session_ends(api_client, client):
    course = CourseFactory(sessions=2)
    enrollment = guest(course)
    token = enrollment_cancel_token_make(enrollment=enrollment)
    last_end = course.sessions.order_by("-ends_at").first().ends_at

    with time_machine.travel(last_end + timedelta(minutes=1)):
        page_get = client.get(f"/courses/enrollments/{enrollment.pk}/cancel/", {"token": token})
        page_post = client.post(f"/courses/enrollments/{enrollment.pk}/cancel/", {"token": token})
        api = api_client.post(f"/api/v1/enrollments/{enrollment.pk}/cancel/", {"token": token}, format="json")

    assert (page_get.status_code, page_post.status_code, api.status_code) == (404, 404, 404)
    assert status_of(enrollment) == "confirmed"
    with time_machine.travel(last_end - timedelta(minutes=1)):
        assert (
            client.post(f"/courses/enrollments/{enrollment.pk}/cancel/", {"token": token}).status_code == 200
        )
    assert status_of(enrollment) == "cancelled"


def test_a_cancel_link_never_outlives_its_maximum_age(client, settings):
    settings.COURSE_CANCEL_LINK_MAX_AGE = timedelta(days=3)
    enrollment = guest(CourseFactory())  # its session is a week away
    token = enrollment_cancel_token_make(enrollment=enrollment)

    with time_machine.travel(timezone.now() + timedelta(days=4)):
        response = client.post(f"/courses/enrollments/{enrollment.pk}/cancel/", {"token": token})

    assert response.status_code == 404
    assert status_of(enrollment) == "confirmed"
