"""Every email to a confirmed subscriber: both parts, both unsubscribe headers, the full legal footer."""

import re

import pytest
import time_machine
from django.core import mail
from django.test import Client

from newsletter.models import Subscriber
from newsletter.services.planning import slot_plan
from newsletter.services.subscribers import subscriber_confirm, subscriber_subscribe, workbook_link_resend
from newsletter.tokens import confirm_token_make
from tests.newsletter.factories import BroadcastFactory, LessonFactory
from tests.newsletter.test_planning import tokyo

pytestmark = pytest.mark.django_db

FOOTER = [
    "こころの相談室",  # PRACTICE_NAME
    "〒100-0005 東京都千代田区丸の内1-1-1",  # PRACTICE_POSTAL_ADDRESS
    "hello@counsel.example.jp",  # PRACTICE_CONTACT_EMAIL
    "受信を希望されない場合は",  # the reader may refuse further mail…
    "配信を停止",  # …by the link
]


def _every_kind_of_email_to_a_confirmed_subscriber(capture) -> list:
    LessonFactory(
        subject="第1回 **大切な**こと",
        body_markdown="本文 [記事](https://example.jp/a) と <script>x</script>",
    )
    BroadcastFactory(send_at=tokyo(2026, 3, 6, 7), subject="お知らせ & ご案内")
    with time_machine.travel(tokyo(2026, 3, 3, 12), tick=False), capture(execute=True):
        subscriber = subscriber_subscribe(
            email="hanako@example.com",
            name="花子",
            source="test",
            wording_version="2026-01",
            ip_address=None,
            user_agent="",
        )
        token = confirm_token_make(subscriber_id=subscriber.pk, consent_id=subscriber.consents.get().pk)
        subscriber_confirm(token=token, ip_address=None)  # welcome
    with time_machine.travel(tokyo(2026, 3, 3, 13), tick=False), capture(execute=True):
        workbook_link_resend(email="hanako@example.com")  # a new workbook link
    for day in (4, 6):  # a lesson, then a broadcast
        with time_machine.travel(tokyo(2026, 3, day, 7), tick=False), capture(execute=True):
            slot_plan(starts_at=tokyo(2026, 3, day, 7))
    return [message for message in mail.outbox if "ご登録確認" not in message.subject]


def test_every_email_to_a_confirmed_subscriber_has_both_parts_both_headers_and_the_full_footer(
    django_capture_on_commit_callbacks,
):
    messages = _every_kind_of_email_to_a_confirmed_subscriber(django_capture_on_commit_callbacks)

    assert [message.subject for message in messages] == [
        "【こころの相談室】ご登録ありがとうございます：ワークブックをお届けします",
        "【こころの相談室】ワークブックのダウンロードリンク",
        "第1回 大切なこと",
        "お知らせ & ご案内",
    ]
    subscriber = Subscriber.objects.get()
    for message in messages:
        html, mimetype = message.alternatives[0]
        assert mimetype == "text/html"
        for part in (message.body, html):
            for text in FOOTER:
                assert text in part, (message.subject, text)
        unsubscribe = re.search(
            r"<(http://127\.0\.0\.1:8000/newsletter/unsubscribe/[^>]+/)>",
            message.extra_headers["List-Unsubscribe"],
        )
        assert unsubscribe, message.extra_headers
        assert "<mailto:hello@counsel.example.jp?subject=" in message.extra_headers["List-Unsubscribe"]
        assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
        assert unsubscribe.group(1) in message.body
        assert unsubscribe.group(1) in html
        # The link in the header really unsubscribes this subscriber with one POST.
        path = unsubscribe.group(1).removeprefix("http://127.0.0.1:8000")
        assert Client().get(path).status_code == 200
    assert subscriber.status == Subscriber.Status.ACTIVE


def test_lesson_markdown_becomes_sanitised_html_and_readable_text(django_capture_on_commit_callbacks):
    lesson = _every_kind_of_email_to_a_confirmed_subscriber(django_capture_on_commit_callbacks)[2]

    html = lesson.alternatives[0][0]
    assert '<a href="https://example.jp/a" rel="noopener noreferrer">記事</a>' in html
    assert "<script>" not in html and "<script>" not in lesson.body
    assert "記事（https://example.jp/a）" in lesson.body
    assert "花子 様" in lesson.body


def test_the_confirmation_email_names_the_sender_and_carries_no_unsubscribe_header(
    django_capture_on_commit_callbacks,
):
    with django_capture_on_commit_callbacks(execute=True):
        subscriber_subscribe(
            email="new@example.com", source="test", wording_version="2026-01", ip_address=None, user_agent=""
        )

    (message,) = mail.outbox
    assert message.alternatives[0][1] == "text/html"
    for text in FOOTER[:3]:
        assert text in message.body
    assert "List-Unsubscribe" not in message.extra_headers  # not subscribed yet: nothing to leave
    assert "7日間有効" in message.body
