"""Each lesson carries the pattern codes it teaches and its workbook exercise, in the admin and the API."""

from datetime import timedelta

import pytest
from django.utils import timezone

from counseling.models import Pattern
from newsletter import selectors
from newsletter.models import Delivery, Lesson, SendSlot
from newsletter.services.content import lesson_deletable
from newsletter.services.course import email_course_load, shipped_course
from tests.newsletter.factories import LessonFactory, SubscriberFactory

pytestmark = pytest.mark.django_db
LESSONS = "/api/v1/newsletter/lessons/"


def test_the_api_lists_each_shipped_lesson_with_its_codes_and_exercise(counselor_api):
    email_course_load()

    rows = counselor_api.get(f"{LESSONS}?page_size=50").json()["results"]

    assert [(row["code"], row["patterns"], row["exercise"]) for row in rows] == [
        (lesson.code, list(lesson.patterns), lesson.exercise) for lesson in shipped_course()
    ]


def test_the_counselor_tags_a_lesson_with_codes_and_an_exercise_through_the_api(counselor_api):
    created = counselor_api.post(
        LESSONS,
        {
            "subject": "特別編",
            "body_markdown": "本文",
            "patterns": ["step.4", "reason.self_sacrifice"],
            "exercise": "step4.saying_no",
        },
        format="json",
    )

    assert created.status_code == 201
    body = created.json()
    assert (body["patterns"], body["exercise"], body["code"]) == (
        ["reason.self_sacrifice", "step.4"],  # in the method's order
        "step4.saying_no",
        None,
    )
    patched = counselor_api.patch(f"{LESSONS}{body['id']}/", {"patterns": ["pain.strain"]}, format="json")
    assert (patched.status_code, patched.json()["patterns"]) == (200, ["pain.strain"])
    assert patched.json()["exercise"] == "step4.saying_no"


@pytest.mark.parametrize(
    ("field", "value"), [("patterns", ["reason.unknown"]), ("exercise", "step9.nothing"), ("patterns", "x")]
)
def test_an_unknown_code_or_exercise_is_a_400_naming_the_field_and_changes_nothing(
    counselor_api, field, value
):
    lesson = LessonFactory()
    lesson.patterns.set([Pattern.objects.get(code="step.1")])

    response = counselor_api.patch(f"{LESSONS}{lesson.pk}/", {field: value}, format="json")

    assert response.status_code == 400
    assert field in response.json()
    assert [pattern.code for pattern in lesson.patterns.all()] == ["step.1"]
    assert Lesson.objects.get(pk=lesson.pk).exercise == ""


def test_a_shipped_lesson_cannot_be_deleted_only_switched_off(counselor_api, admin_client):
    email_course_load()
    lesson = Lesson.objects.get(code=shipped_course()[0].code)

    assert counselor_api.delete(f"{LESSONS}{lesson.pk}/").status_code == 409
    page = admin_client.get(f"/admin/newsletter/lesson/{lesson.pk}/change/").content.decode()
    assert f"/admin/newsletter/lesson/{lesson.pk}/delete/" not in page
    assert Lesson.objects.filter(pk=lesson.pk).exists()


@pytest.mark.parametrize("kind", ["shipped", "sent", "written"])
def test_the_admin_offers_deleting_a_lesson_exactly_when_the_service_allows_it(admin_client, kind):
    if kind == "shipped":
        email_course_load()
        lesson = Lesson.objects.get(code=shipped_course()[0].code)
    else:
        lesson = LessonFactory()
    if kind == "sent":
        slot = SendSlot.objects.create(starts_at=timezone.now(), planning_started_at=timezone.now())
        Delivery.objects.create(subscriber=SubscriberFactory(), slot=slot, kind="lesson", lesson=lesson)

    page = admin_client.get(f"/admin/newsletter/lesson/{lesson.pk}/change/").content.decode()

    offered = f"/admin/newsletter/lesson/{lesson.pk}/delete/" in page
    assert offered is lesson_deletable(lesson) is (kind == "written")


def test_the_admin_lists_the_lessons_with_their_codes(admin_client):
    email_course_load()

    page = admin_client.get("/admin/newsletter/lesson/").content.decode()

    assert "scene.romance scene.friends" in page
    assert "reason.childhood reason.childhood.praised_when_good" in page


def test_the_counselor_sets_codes_and_the_exercise_of_a_lesson_in_the_admin(admin_client):
    lesson = LessonFactory(subject="第1回", body_markdown="本文")

    response = admin_client.post(
        f"/admin/newsletter/lesson/{lesson.pk}/change/",
        {
            "position": lesson.position,
            "subject": "第1回",
            "body_markdown": "本文",
            "is_active": "on",
            "patterns": [Pattern.objects.get(code="pain.emptiness").pk],
            "exercise": "step4.time_for_myself",
        },
    )

    assert response.status_code == 302
    lesson.refresh_from_db()
    assert [pattern.code for pattern in lesson.patterns.all()] == ["pain.emptiness"]
    assert lesson.exercise == "step4.time_for_myself"
    preview = admin_client.get(f"/admin/newsletter/lesson/{lesson.pk}/change/").content.decode()
    assert "ワーク4-3" in preview  # the preview shows the exercise block


def test_the_counselor_finds_the_lessons_a_client_received_that_teach_the_patterns_of_their_notes():
    email_course_load()
    subscriber = SubscriberFactory(email="Client@Example.com")
    lessons = list(Lesson.objects.order_by("position"))
    slot = SendSlot.objects.create(starts_at=timezone.now(), planning_started_at=timezone.now())
    for lesson in lessons[:10]:  # reasons taught up to the childhood lessons; no pains or steps yet
        Delivery.objects.create(subscriber=subscriber, slot=slot, kind="lesson", lesson=lesson)
        slot = SendSlot.objects.create(
            starts_at=slot.starts_at + timedelta(days=2), planning_started_at=timezone.now()
        )

    received = selectors.lesson_list_received(email="client@example.com")
    matching = selectors.lesson_list_received(
        email="client@example.com", pattern_codes=["reason.childhood", "step.4"]
    )

    assert [lesson.pk for lesson in received] == [lesson.pk for lesson in lessons[:10]]
    assert [lesson.code for lesson in matching] == [
        "course.09.reason-childhood-feelings",
        "course.10.reason-childhood-family",
    ]
    assert not selectors.lesson_list_received(email="someone@example.com").exists()
