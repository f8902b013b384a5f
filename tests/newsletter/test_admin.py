import pytest
import time_machine
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from newsletter.models import Broadcast, Lesson, Workbook
from newsletter.tokens import workbook_token_make
from tests.newsletter.factories import BroadcastFactory, LessonFactory, SubscriberFactory
from tests.newsletter.test_planning import tokyo

pytestmark = pytest.mark.django_db


def test_the_lesson_page_in_admin_shows_a_preview_with_the_footer(admin_client):
    lesson = LessonFactory(
        subject="第1回", body_markdown="**大切な**お話 &lt;script&gt;alert(1)&lt;/script&gt;"
    )

    page = admin_client.get(f"/admin/newsletter/lesson/{lesson.pk}/change/")

    assert page.status_code == 200
    text = page.content.decode()
    assert "<iframe" in text and "srcdoc=" in text
    assert "&lt;strong&gt;大切な&lt;/strong&gt;" in text  # the HTML part, escaped into srcdoc
    assert "〒100-0005" in text
    assert "<script>alert" not in text  # neither part can inject markup into the admin page


def test_adding_a_lesson_in_admin_goes_through_the_service(admin_client):
    response = admin_client.post(
        "/admin/newsletter/lesson/add/",
        {"position": 4, "subject": "第4回", "body_markdown": "本文", "is_active": "on"},
    )

    assert response.status_code == 302
    assert Lesson.objects.get().subject == "第4回"


def test_the_send_test_action_mails_the_counselor(admin_client, django_capture_on_commit_callbacks):
    broadcast = BroadcastFactory(send_at=tokyo(2026, 3, 6, 7))
    SubscriberFactory()

    with django_capture_on_commit_callbacks(execute=True):
        admin_client.post(
            "/admin/newsletter/broadcast/", {"action": "send_test", "_selected_action": [broadcast.pk]}
        )

    assert [message.to for message in mail.outbox] == [["sensei@example.com"]]


def test_a_broadcast_for_a_time_that_is_no_slot_is_refused_in_admin(admin_client):
    with time_machine.travel(tokyo(2026, 3, 3, 10), tick=False):
        response = admin_client.post(
            "/admin/newsletter/broadcast/add/",
            {
                "subject": "x",
                "body_markdown": "y",
                "send_at_0": "2026-03-05",
                "send_at_1": "07:00:00",
                "status": "scheduled",
            },
        )

    assert response.status_code == 200
    assert "配信枠" in response.content.decode()
    assert not Broadcast.objects.exists()


def test_uploading_a_workbook_in_admin_replaces_it_for_new_downloads(admin_client, settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    subscriber = SubscriberFactory()
    upload = SimpleUploadedFile("workbook.pdf", b"%PDF-1.7 uploaded", content_type="application/pdf")

    response = admin_client.post("/admin/newsletter/workbook/add/", {"title": "第2版", "file": upload})

    assert response.status_code == 302
    assert Workbook.objects.get().title == "第2版"
    download = Client().get(f"/newsletter/workbook/{workbook_token_make(subscriber_id=subscriber.pk)}/")
    assert b"".join(download.streaming_content) == b"%PDF-1.7 uploaded"
