"""A fan-out's copies filled in as bytes are the messages a full Django build gives."""

import email
import email.policy
import re
from datetime import timedelta

import pytest
from django.core.mail import message as django_message
from django.utils import timezone

from newsletter.models import Lesson, SendSlot, Subscriber
from newsletter.rendering import list_unsubscribe_headers
from newsletter.schedule import slots_between
from newsletter.services.content import content_of, issue_render
from newsletter.services.planning import slot_plan
from outbox.mime import Skeleton, message_of
from outbox.models import OutboundEmail
from outbox.services import email_content
from tests.newsletter.factories import LessonFactory, SubscriberFactory

pytestmark = pytest.mark.django_db

DATE = "Mon, 30 Nov 2026 07:00:00 -0000"
MESSAGE_ID = "<179000000000.4242.123456789@counsel.example.jp>"
NAMES = ["山田 花子", "", 'Tom & "Jerry" <O\'Neil>', "ｶﾀｶﾅ・絵文字😀"]


@pytest.fixture
def planned_rows(settings):
    """A planned slot: a lesson with a workbook exercise, subscribers with awkward names and addresses."""
    settings.NEWSLETTER_SEND_RATE_PER_MINUTE = 10**9
    slot = slots_between(timezone.now() - timedelta(days=7), timezone.now())[-1]
    LessonFactory(
        exercise="step1.done_today",
        body_markdown="本文です。\n\n- 一つ目\n- 二つ目 [リンク](https://example.jp/a?b=1&c=2)",
    )
    emails = ["reader@example.com", "Mixed.Case+tag@Example.COM", "o'brien@example.org", "x@example.net"]
    for address, name in zip(emails, NAMES, strict=True):
        SubscriberFactory(email=address, name=name, confirmed_at=slot - timedelta(days=1))
    slot_plan(starts_at=slot)
    assert SendSlot.objects.get().queued_count == 4
    return list(OutboundEmail.objects.select_related("body").order_by("pk"))


def full_build(row: OutboundEmail, monkeypatch) -> bytes:
    """The message as the planner built it before: rendered for the subscriber, then Django's build."""
    subscriber = Subscriber.objects.get(pk=row.context["subscriber_id"])
    link = row.values["unsubscribe_url"]
    rendered = issue_render(
        content=content_of(Lesson.objects.get()),
        unsubscribe_link=link,
        name=subscriber.name,
        workbook_url=row.values.get("workbook_url"),
    )
    monkeypatch.setattr(django_message, "formatdate", lambda **kwargs: DATE)
    monkeypatch.setattr(django_message, "make_msgid", lambda **kwargs: MESSAGE_ID)
    message = message_of(
        subject=rendered.subject,
        text=rendered.text,
        html=rendered.html,
        from_email=row.from_email,
        to=row.recipient,
        headers=list_unsubscribe_headers(link),
    )
    return message.message().as_bytes(linesep="\r\n")


def boundary(data: bytes) -> bytes:
    return re.search(rb'boundary="([^"]+)"', data).group(1)


def test_every_copy_is_byte_for_byte_the_full_build_but_for_the_mime_boundary(planned_rows, monkeypatch):
    skeletons = {}
    for row in planned_rows:
        skeleton = skeletons.setdefault(
            row.body_id,
            Skeleton.compose(
                subject=row.body.subject,
                text=row.body.body_text,
                html=row.body.body_html,
                from_email=row.body.from_email,
                headers=row.body.headers,
            ),
        )
        filled = skeleton.fill(to=row.recipient, values=row.values, date=DATE, message_id=MESSAGE_ID)
        assert filled is not None, row.recipient
        full = full_build(row, monkeypatch)

        assert full.replace(boundary(full), boundary(filled)) == filled

        ours, theirs = (
            email.message_from_bytes(data, policy=email.policy.default) for data in (filled, full)
        )
        assert [name for name, _ in ours.items()] == [name for name, _ in theirs.items()]
        for name, value in theirs.items():
            if name != "Content-Type":
                assert str(ours[name]) == str(value), name
        assert ours.get_content_type() == theirs.get_content_type() == "multipart/alternative"
        ours_parts, their_parts = list(ours.iter_parts()), list(theirs.iter_parts())
        assert [part.get_content_type() for part in ours_parts] == ["text/plain", "text/html"]
        for our_part, their_part in zip(ours_parts, their_parts, strict=True):
            assert dict(our_part.items()) == dict(their_part.items())
            assert our_part.get_content() == their_part.get_content()
    # One skeleton for the named subscribers, one for the subscriber without a name.
    assert len(skeletons) == 2


def test_the_message_built_whole_says_what_the_copy_says(planned_rows, monkeypatch):
    for row in planned_rows:
        text, html, headers = email_content(row)
        subscriber = Subscriber.objects.get(pk=row.context["subscriber_id"])
        rendered = issue_render(
            content=content_of(Lesson.objects.get()),
            unsubscribe_link=row.values["unsubscribe_url"],
            name=subscriber.name,
            workbook_url=row.values.get("workbook_url"),
        )
        assert (row.subject, text, html) == (rendered.subject, rendered.text, rendered.html)
        assert headers == list_unsubscribe_headers(row.values["unsubscribe_url"])


@pytest.mark.parametrize(
    ("to", "values"),
    [
        ("名前@example.jp", {"unsubscribe_url": "https://example.jp/u/"}),  # a non-ASCII address
        ("reader@example.com", {"unsubscribe_url": "https://例え.jp/u/"}),  # a non-ASCII header value
        ("reader@example.com", {"unsubscribe_url": "https://example.jp/u/", "name": "改行\n入り"}),
        ("reader@example.com", {"unsubscribe_url": "https://example.jp/u/", "name": "長" * 400}),
    ],
)
def test_a_copy_that_could_differ_from_the_full_build_is_left_to_it(to, values):
    skeleton = Skeleton.compose(
        subject="件名",
        text="%%OUTBOX:name%% 様\n配信停止: %%OUTBOX:unsubscribe_url%%\n",
        html="<p>%%OUTBOX:name%% 様</p>",
        from_email="こころの相談室 <hello@counsel.example.jp>",
        headers={"List-Unsubscribe": "<%%OUTBOX:unsubscribe_url%%>"},
    )
    assert skeleton is not None
    assert skeleton.fill(to=to, values={"name": "花子", **values}) is None
