from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext

from newsletter.models import Broadcast, Lesson
from newsletter.services.planning import slot_plan
from tests.conftest import authenticated_client
from tests.newsletter.factories import BroadcastFactory, LessonFactory, SubscriberFactory
from tests.newsletter.test_planning import tokyo

pytestmark = pytest.mark.django_db

LESSONS = "/api/v1/newsletter/lessons/"
BROADCASTS = "/api/v1/newsletter/broadcasts/"
NOW = tokyo(2026, 3, 3, 10)  # a Tuesday


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(NOW, tick=False):
        yield


def test_the_counselor_creates_lists_updates_and_deletes_lessons(counselor_api):
    created = counselor_api.post(LESSONS, {"subject": "第1回", "body_markdown": "**本文**"}, format="json")
    assert created.status_code == 201
    body = created.json()
    assert (body["position"], body["subject"], body["is_active"]) == (1, "第1回", True)
    second = counselor_api.post(LESSONS, {"subject": "第2回", "body_markdown": "本文"}, format="json").json()
    assert second["position"] == 2

    listed = counselor_api.get(LESSONS)
    assert listed.status_code == 200
    assert [row["subject"] for row in listed.json()["results"]] == ["第1回", "第2回"]

    patched = counselor_api.patch(f"{LESSONS}{body['id']}/", {"subject": "第1回（改）"}, format="json")
    assert (patched.status_code, patched.json()["subject"]) == (200, "第1回（改）")

    assert counselor_api.delete(f"{LESSONS}{second['id']}/").status_code == 204
    assert list(Lesson.objects.values_list("subject", flat=True)) == ["第1回（改）"]


def test_a_lesson_position_already_taken_is_a_400_naming_the_field(counselor_api):
    LessonFactory(position=3)

    response = counselor_api.post(
        LESSONS, {"position": 3, "subject": "x", "body_markdown": "y"}, format="json"
    )

    assert response.status_code == 400
    assert "position" in response.json()
    assert Lesson.objects.count() == 1


def test_a_lesson_that_was_sent_cannot_be_deleted_only_deactivated(counselor_api):
    lesson = LessonFactory()
    SubscriberFactory(confirmed_at=NOW - timedelta(days=3))
    slot_plan(starts_at=tokyo(2026, 3, 2, 7))

    response = counselor_api.delete(f"{LESSONS}{lesson.pk}/")

    assert response.status_code == 409
    assert "配信する" in response.json()["detail"]
    assert (
        counselor_api.patch(f"{LESSONS}{lesson.pk}/", {"is_active": False}, format="json").status_code == 200
    )


@pytest.mark.parametrize(
    "client_fixture, status", [("api_client", 401), ("client_api", 403)], ids=["anonymous", "client"]
)
def test_only_the_counselor_reaches_content_stats_and_export(request, client_fixture, status):
    client = request.getfixturevalue(client_fixture)
    lesson = LessonFactory()
    for method, path in [
        ("get", LESSONS),
        ("post", LESSONS),
        ("get", f"{LESSONS}{lesson.pk}/"),
        ("get", BROADCASTS),
        ("get", f"{LESSONS}{lesson.pk}/preview/"),
        ("post", f"{LESSONS}{lesson.pk}/send-test/"),
        ("get", "/api/v1/newsletter/stats/"),
        ("get", "/api/v1/newsletter/subscribers/export/"),
    ]:
        assert getattr(client, method)(path).status_code == status, path
    assert mail.outbox == []


def test_a_missing_lesson_or_broadcast_is_404(counselor_api):
    assert counselor_api.get(f"{LESSONS}999/").status_code == 404
    assert counselor_api.post(f"{BROADCASTS}999/send-test/").status_code == 404
    assert counselor_api.get("/api/v1/newsletter/broadcasts/999/preview/").status_code == 404


def test_a_broadcast_is_scheduled_for_a_future_slot(counselor_api):
    response = counselor_api.post(
        BROADCASTS,
        {
            "subject": "講座のお知らせ",
            "body_markdown": "本文",
            "send_at": "2026-03-06T07:00:00+09:00",
            "status": "scheduled",
        },
        format="json",
    )

    assert response.status_code == 201
    body = response.json()
    assert (body["status"], body["send_at"], body["locked"]) == (
        "scheduled",
        "2026-03-06T07:00:00+09:00",
        False,
    )


@pytest.mark.parametrize(
    "send_at",
    ["2026-03-05T07:00:00+09:00", "2026-03-06T08:00:00+09:00", "2026-03-02T07:00:00+09:00", None],
    ids=["not-a-slot-day", "not-the-slot-time", "past-slot", "none"],
)
def test_a_broadcast_outside_a_future_slot_is_refused(counselor_api, send_at):
    response = counselor_api.post(
        BROADCASTS,
        {"subject": "x", "body_markdown": "y", "send_at": send_at, "status": "scheduled"},
        format="json",
    )

    assert response.status_code == 400
    assert "send_at" in response.json()
    assert not Broadcast.objects.exists()


def test_two_broadcasts_for_one_slot_conflict(counselor_api):
    BroadcastFactory(send_at=tokyo(2026, 3, 6, 7))

    response = counselor_api.post(
        BROADCASTS,
        {"subject": "x", "body_markdown": "y", "send_at": "2026-03-06T07:00:00+09:00", "status": "scheduled"},
        format="json",
    )

    assert response.status_code == 409
    assert Broadcast.objects.count() == 1
    draft = counselor_api.post(
        BROADCASTS,
        {"subject": "x", "body_markdown": "y", "send_at": "2026-03-06T07:00:00+09:00"},
        format="json",
    )
    assert (draft.status_code, draft.json()["status"]) == (201, "draft")  # a draft holds no slot


def test_a_broadcast_whose_slot_was_planned_can_no_longer_change(counselor_api):
    broadcast = BroadcastFactory(send_at=tokyo(2026, 3, 6, 7))
    with time_machine.travel(tokyo(2026, 3, 6, 7), tick=False):
        slot_plan(starts_at=tokyo(2026, 3, 6, 7))

    edit = counselor_api.patch(f"{BROADCASTS}{broadcast.pk}/", {"subject": "変更"}, format="json")
    delete = counselor_api.delete(f"{BROADCASTS}{broadcast.pk}/")

    assert (edit.status_code, delete.status_code) == (409, 409)
    assert counselor_api.get(f"{BROADCASTS}{broadcast.pk}/").json()["locked"] is True
    broadcast.refresh_from_db()
    assert broadcast.subject == "講座のお知らせ"


def test_preview_renders_both_parts_with_the_footer(counselor_api):
    lesson = LessonFactory(subject="第1回", body_markdown="# 見出し\n\n**太字**")

    response = counselor_api.get(f"{LESSONS}{lesson.pk}/preview/")

    assert response.status_code == 200
    body = response.json()
    assert body["subject"] == "第1回"
    assert "<strong>太字</strong>" in body["html"]
    assert "〒100-0005" in body["html"] and "〒100-0005" in body["text"]


def test_send_test_goes_to_the_counselor_s_own_address_only(counselor, django_capture_on_commit_callbacks):
    SubscriberFactory.create_batch(2)
    broadcast = BroadcastFactory(send_at=tokyo(2026, 3, 6, 7))
    api = authenticated_client(counselor)

    with django_capture_on_commit_callbacks(execute=True):
        first = api.post(f"{BROADCASTS}{broadcast.pk}/send-test/")
    with (
        time_machine.travel(NOW + timedelta(seconds=30), tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        second = api.post(f"{BROADCASTS}{broadcast.pk}/send-test/")

    assert (first.status_code, first.json()["recipient"]) == (202, counselor.email)
    assert second.status_code == 202
    assert [message.to for message in mail.outbox] == [[counselor.email], [counselor.email]]
    assert mail.outbox[0].subject == "[テスト送信] 講座のお知らせ"
    assert mail.outbox[0].alternatives[0][1] == "text/html"
    assert mail.outbox[0].extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"


@pytest.mark.parametrize("path", [LESSONS, BROADCASTS])
def test_content_lists_take_the_same_queries_for_one_row_and_fifty(counselor_api, path):
    factory = LessonFactory if path == LESSONS else BroadcastFactory
    factory(**({} if path == LESSONS else {"status": "draft"}))
    with CaptureQueriesContext(connection) as one:
        assert counselor_api.get(path).status_code == 200
    factory.create_batch(49, **({} if path == LESSONS else {"status": "draft"}))
    with CaptureQueriesContext(connection) as fifty:
        response = counselor_api.get(f"{path}?page_size=50")
    assert len(response.json()["results"]) == 50
    assert len(fifty) == len(one)
