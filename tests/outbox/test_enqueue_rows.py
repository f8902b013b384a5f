"""outbox.services.email_enqueue_rows: a fan-out's emails written by the database from the caller's rows."""

from datetime import timedelta

import pytest
from django.core import mail
from django.db import connection
from django.db.models import Case, DateTimeField, F, Value, When
from django.db.models.functions import JSONObject
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.models import User
from outbox.models import OutboundEmail
from outbox.services import email_body_create, email_dedupe_key, email_enqueue, email_enqueue_rows
from tests.accounts.factories import UserFactory

pytestmark = pytest.mark.django_db


def fan_out(users, *, body_id: int, queued_at=None):
    return email_enqueue_rows(
        rows=User.objects.filter(pk__in=[user.pk for user in users])
        .order_by("pk")
        .values(
            kind=Value("newsletter.lesson"),
            recipient=F("email"),
            key=Value("slot:1"),
            subject=Value("第1回"),
            body_id=Value(body_id),
            values=Case(When(display_name="", then=JSONObject()), default=JSONObject(name=F("display_name"))),
            context=JSONObject(user_id=F("pk"), slot_id=Value(1)),
            queued_at=Value(queued_at or timezone.now(), output_field=DateTimeField()),
        ),
        carries_secret=True,
    )


@pytest.fixture
def body():
    return email_body_create(subject="第1回", text="%%OUTBOX:name%% 様\n本文")


def test_rows_are_written_in_one_statement_whatever_their_number_and_come_back_in_order(body):
    few_users = UserFactory.create_batch(3)
    many_users = UserFactory.create_batch(100, display_name="")
    many_users[0].display_name = "花子"
    many_users[0].save()
    with CaptureQueriesContext(connection) as few:
        fan_out(few_users, body_id=body.pk)
    with CaptureQueriesContext(connection) as many:
        written = fan_out(many_users, body_id=body.pk)

    assert len(few) == len(many) == 1
    assert [context["user_id"] for _id, context in written] == [user.pk for user in many_users]
    rows = OutboundEmail.objects.in_bulk([email_id for email_id, _context in written])
    first = rows[written[0][0]]
    assert first.recipient == many_users[0].email
    assert first.values == {"name": "花子"}
    assert rows[written[1][0]].values == {}
    assert first.context == {"user_id": many_users[0].pk, "slot_id": 1}
    assert first.body_id == body.pk and first.subject == "第1回"
    assert first.status == OutboundEmail.Status.PENDING and first.carries_secret
    assert first.headers == {} and first.attachments == [] and first.body_text == ""
    assert mail.outbox == []  # sending is the caller's business


def test_the_dedupe_key_is_the_one_email_enqueue_writes_so_an_existing_email_is_kept(body):
    user = UserFactory(email="Reader.One@Example.com")
    other = UserFactory()
    existing, _created = email_enqueue(
        kind="newsletter.lesson",
        recipient=user.email,
        key="slot:1",
        subject="元の件名",
        text="本文",
        send=False,
    )

    written = fan_out([user, other], body_id=body.pk)

    assert [context["user_id"] for _id, context in written] == [other.pk]
    assert OutboundEmail.objects.count() == 2
    assert OutboundEmail.objects.get(pk=existing.pk).subject == "元の件名"
    new = OutboundEmail.objects.get(pk=written[0][0])
    assert new.dedupe_key == email_dedupe_key("newsletter.lesson", other.email, "slot:1")
    assert fan_out([user, other], body_id=body.pk) == []  # run again: nothing new


def test_queued_at_is_when_the_caller_expects_a_sender_to_take_the_row(body):
    later = timezone.now() + timedelta(minutes=20)
    ((email_id, _context),) = fan_out([UserFactory()], body_id=body.pk, queued_at=later)
    assert OutboundEmail.objects.get(pk=email_id).queued_at == later
    assert fan_out([], body_id=body.pk) == []
