import pytest
from django.core import mail

from courses.models import Course, Enrollment
from courses.services import enrollment_create
from tests.accounts.factories import ClientFactory, CounselorFactory
from tests.courses.factories import CourseFactory

pytestmark = pytest.mark.django_db


def guest_enrolls(client, course, name="来場 花子", email="guest@example.com"):
    return client.post(f"/courses/{course.pk}/", {"name": name, "email": email})


def test_the_list_shows_published_courses_with_seats_left_and_hides_drafts(client):
    course = CourseFactory(title="自分の価値を内側で認める", capacity=3)
    CourseFactory(title="下書きの講座", status=Course.Status.DRAFT)
    enrollment_create(course_id=course.pk, guest_name="a", guest_email="a@example.com")

    body = client.get("/courses/").content.decode()

    assert "自分の価値を内側で認める" in body
    assert "残り2席" in body
    assert "下書きの講座" not in body


def test_the_detail_shows_sessions_seats_and_the_guest_form(client):
    course = CourseFactory(capacity=8)

    body = client.get(f"/courses/{course.pk}/").content.decode()

    assert course.location in body
    assert "8名（残り8席）" in body
    assert 'name="name"' in body and 'name="email"' in body


def test_an_online_courses_meeting_url_is_not_shown_on_the_public_page(client):
    course = CourseFactory(format=Course.Format.ONLINE, location="https://meet.example.jp/secret-room")

    assert "secret-room" not in client.get(f"/courses/{course.pk}/").content.decode()


def test_a_guest_enrolls_with_name_and_email_and_gets_the_confirmation(
    client, django_capture_on_commit_callbacks
):
    course = CourseFactory()

    with django_capture_on_commit_callbacks(execute=True):
        response = guest_enrolls(client, course)

    assert response.status_code == 200
    assert "お申込みを受け付けました" in response.content.decode()
    enrollment = Enrollment.objects.get()
    assert (enrollment.guest_name, enrollment.guest_email, enrollment.status) == (
        "来場 花子",
        "guest@example.com",
        "confirmed",
    )
    assert [message.to for message in mail.outbox] == [["guest@example.com"]]


def test_a_guest_is_waitlisted_when_the_course_is_full_and_told_their_place(client):
    course = CourseFactory(capacity=1)
    guest_enrolls(client, course, email="first@example.com")

    response = guest_enrolls(client, course, email="second@example.com")

    body = response.content.decode()
    assert "キャンセル待ちに登録しました" in body
    assert "現在1番目です" in body


def test_a_guest_form_with_errors_shows_them_beside_the_field_and_keeps_the_name(client):
    course = CourseFactory()

    response = guest_enrolls(client, course, email="not-an-address")

    body = response.content.decode()
    assert response.status_code == 400
    assert 'id="id_email_error"' in body
    assert 'value="来場 花子"' in body
    assert not Enrollment.objects.exists()


def test_enrolling_after_the_course_was_cancelled_is_a_400_with_the_reason(client):
    course = CourseFactory()
    Course.objects.filter(pk=course.pk).update(status=Course.Status.CANCELLED, cancelled_at=course.created_at)

    response = guest_enrolls(client, course)

    assert response.status_code == 400
    assert "中止" in response.content.decode()
    assert not Enrollment.objects.exists()


def test_a_logged_in_client_enrolls_with_one_button_and_the_page_then_says_so(client):
    course = CourseFactory()
    user = ClientFactory()
    client.force_login(user)

    before = client.get(f"/courses/{course.pk}/").content.decode()
    client.post(f"/courses/{course.pk}/")
    after = client.get(f"/courses/{course.pk}/").content.decode()

    assert "この講座に申し込む" in before and 'name="email"' not in before
    assert Enrollment.objects.get().user == user
    assert "お申込み済みです（確定）" in after


def test_a_counselor_cannot_enroll(client):
    course = CourseFactory()
    client.force_login(CounselorFactory())

    assert client.post(f"/courses/{course.pk}/").status_code == 403
    assert not Enrollment.objects.exists()


def test_a_draft_or_unknown_course_is_404(client):
    draft = CourseFactory(status=Course.Status.DRAFT)

    assert client.get(f"/courses/{draft.pk}/").status_code == 404
    assert client.post(f"/courses/{draft.pk}/", {"name": "a", "email": "a@example.com"}).status_code == 404
    assert client.get("/courses/999999/").status_code == 404


def test_the_client_cancels_from_the_portal_and_the_first_waitlisted_gets_the_seat(client):
    course = CourseFactory(capacity=1)
    user = ClientFactory()
    mine, _ = enrollment_create(course_id=course.pk, user=user)
    waiting, _ = enrollment_create(course_id=course.pk, guest_name="待つ", guest_email="wait@example.com")
    client.force_login(user)

    listed = client.get("/portal/courses/").content.decode()
    response = client.post(f"/portal/enrollments/{mine.pk}/cancel/")

    assert course.title in listed
    assert response.status_code == 302
    mine.refresh_from_db()
    waiting.refresh_from_db()
    assert (mine.status, waiting.status) == ("cancelled", "confirmed")
    assert "お申込みを取り消しました" in client.get(response["Location"]).content.decode()


def test_guests_are_throttled_on_the_page_as_in_the_api(client, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "anon_write": "2/hour"}
    course = CourseFactory(capacity=10)
    for number in range(2):
        guest_enrolls(client, course, email=f"g{number}@example.com")

    response = guest_enrolls(client, course, email="third@example.com")

    assert response.status_code == 429
    assert Enrollment.objects.count() == 2
