"""A fan-out's copies filled in as bytes are the messages a full Django build gives."""

import email
import email.policy
import random
import re
import string
from datetime import timedelta

import pytest
import time_machine
from django.core.mail import message as django_message
from django.utils import timezone

from newsletter.models import Lesson, SendSlot, Subscriber
from newsletter.rendering import list_unsubscribe_headers, unsubscribe_url, workbook_link
from newsletter.schedule import slots_between
from newsletter.services.content import content_of, issue_render
from newsletter.services.planning import slot_plan
from outbox.mime import Skeleton, fold, message_of
from outbox.models import OutboundEmail
from outbox.services import email_content, email_values
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


def full_build(row: OutboundEmail, values: dict, monkeypatch) -> bytes:
    """The message as the planner built it before: rendered for the subscriber, then Django's build."""
    subscriber = Subscriber.objects.get(pk=row.context["subscriber_id"])
    link = values["unsubscribe_url"]
    rendered = issue_render(
        content=content_of(Lesson.objects.get()),
        unsubscribe_link=link,
        name=subscriber.name,
        workbook_url=values.get("workbook_url"),
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


def skeleton_of(body) -> Skeleton:
    return Skeleton.compose(
        subject=body.subject,
        text=body.body_text,
        html=body.body_html,
        from_email=body.from_email,
        headers=body.headers,
    )


def boundary(data: bytes) -> bytes:
    return re.search(rb'boundary="([^"]+)"', data).group(1)


def test_every_copy_is_byte_for_byte_the_full_build_but_for_the_mime_boundary(planned_rows, monkeypatch):
    skeletons = {}
    for row in planned_rows:
        skeleton = skeletons.setdefault(row.body_id, skeleton_of(row.body))
        # The stored values (the name) and the signed links made as the message is built.
        values = email_values(row, skeleton.needs)
        assert values.keys() == {"unsubscribe_url", "workbook_url"} | ({"name"} if row.values else set())
        filled = skeleton.fill(to=row.recipient, values=values, date=DATE, message_id=MESSAGE_ID)
        assert filled is not None, row.recipient
        full = full_build(row, values, monkeypatch)

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


@pytest.mark.parametrize("localtime", [False, True])
def test_a_copy_is_dated_as_django_dates_a_message_and_the_date_moves_with_the_clock(
    planned_rows, settings, localtime
):
    settings.EMAIL_USE_LOCALTIME = localtime
    row = planned_rows[0]
    skeleton = skeleton_of(row.body)
    values = email_values(row, skeleton.needs)
    dates = []
    for moment in (
        "2026-11-30 07:00:00.250+09:00",
        "2026-11-30 07:00:00.900+09:00",
        "2026-11-30 07:00:01+09:00",
    ):
        with time_machine.travel(moment, tick=False):
            filled = skeleton.fill(to=row.recipient, values=values)
            django_date = django_message.formatdate(localtime=localtime)
        dates.append(email.message_from_bytes(filled)["Date"])
        assert dates[-1] == django_date

    assert dates[0] == dates[1] != dates[2]


def test_the_message_built_whole_says_what_the_copy_says(planned_rows, monkeypatch):
    for row in planned_rows:
        with time_machine.travel(timezone.now(), tick=False):  # the signed links' timestamps agree
            text, html, headers = email_content(row)
            link = unsubscribe_url(row.context["subscriber_id"])
            workbook_url = workbook_link(row.context["subscriber_id"])
        subscriber = Subscriber.objects.get(pk=row.context["subscriber_id"])
        rendered = issue_render(
            content=content_of(Lesson.objects.get()),
            unsubscribe_link=link,
            name=subscriber.name,
            workbook_url=workbook_url,
        )
        assert (row.subject, text, html) == (rendered.subject, rendered.text, rendered.html)
        assert headers == list_unsubscribe_headers(link)


def test_no_stored_row_holds_a_signed_link(planned_rows):
    for row in planned_rows:
        assert set(row.values) <= {"name"}
        assert "unsubscribe" not in str(row.values) and "workbook" not in str(row.values)


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


def test_headers_are_folded_as_the_email_policy_folds_them():
    """``fold`` and the skeleton's folding of a templated header against the policy Django's generator
    uses, over lengths around the line limit, words ending in the characters folding breaks after,
    spaces and non-ASCII text."""
    policy_fold = email.policy.compat32.clone(linesep="\r\n").fold_binary
    rng = random.Random(20261129)
    alphabet = string.ascii_letters + string.digits + "-_.:/?=&%~;,<>@"
    values = ["", "a", "a b", "a  b", " leading", "trailing ", "日本語の件名", "a\tb"]
    for length in range(1, 200):
        values.append("".join(rng.choice(alphabet) for _ in range(length)))
        values.append(
            " ".join("".join(rng.choice(alphabet) for _ in range(rng.randint(1, 30))) for _ in range(5))
        )
    for name in ("To", "Message-ID", "List-Unsubscribe", "X-A-Rather-Long-Header-Name-For-Folding"):
        for value in values:
            assert fold(name, value) == policy_fold(name, value), (name, value)

    template = "<%%OUTBOX:unsubscribe_url%%>, <mailto:info@counsel.example.jp?subject=%E9%85%8D%E4%BF%A1>"
    skeleton = Skeleton.compose(
        subject="件名", text="本文", html="", from_email="info@counsel.example.jp",
        headers={"List-Unsubscribe": template},
    )  # fmt: skip
    for length in range(1, 240):
        for last in "/,;a":
            link = "https://counsel.example.jp/" + "".join(rng.choice(alphabet) for _ in range(length)) + last
            expected = policy_fold("List-Unsubscribe", template.replace("%%OUTBOX:unsubscribe_url%%", link))
            folded = skeleton._fold_template("List-Unsubscribe", template, {"unsubscribe_url": link})
            assert folded in (None, expected), link
            assert folded is not None or "~" in link
