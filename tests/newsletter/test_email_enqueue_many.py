"""outbox.services.email_enqueue_many, added for the newsletter's fan-out."""

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from outbox.models import OutboundEmail
from outbox.services import EmailDraft, email_enqueue, email_enqueue_many

pytestmark = pytest.mark.django_db


def draft(n: int, **fields) -> EmailDraft:
    return EmailDraft(
        kind="newsletter.lesson",
        recipient=f"r{n}@example.com",
        key="slot:1",
        subject=f"件名{n}",
        text="本文",
        **fields,
    )


def test_many_emails_are_written_in_constant_queries_and_their_ids_come_back_in_order():
    with CaptureQueriesContext(connection) as few:
        email_enqueue_many(drafts=[draft(n + 1000) for n in range(3)])
    with CaptureQueriesContext(connection) as queries:
        ids = email_enqueue_many(
            drafts=[draft(n, html="<p>本文</p>", headers={"X-A": "1"}) for n in range(100)]
        )

    assert len(queries) == len(few) == 2  # on PostgreSQL the rows themselves go by COPY
    rows = OutboundEmail.objects.in_bulk(ids)
    assert [rows[pk].recipient for pk in ids] == [f"r{n}@example.com" for n in range(100)]
    assert rows[ids[0]].headers == {"X-A": "1"}
    assert rows[ids[0]].status == OutboundEmail.Status.PENDING
    assert mail.outbox == []  # sending is the caller's business


def test_an_existing_kind_recipient_and_key_keeps_its_row():
    existing, _created = email_enqueue(
        kind="newsletter.lesson",
        recipient="r1@example.com",
        key="slot:1",
        subject="元の件名",
        text="本文",
        send=False,
    )

    ids = email_enqueue_many(drafts=[draft(0), draft(1), draft(1)])

    assert ids[1] == ids[2] == existing.pk
    assert OutboundEmail.objects.count() == 2
    assert OutboundEmail.objects.get(pk=existing.pk).subject == "元の件名"


def test_queued_at_is_when_a_sender_is_expected_to_take_them():
    later = timezone.now() + timezone.timedelta(minutes=20)
    (pk,) = email_enqueue_many(drafts=[draft(1)], queued_at=later)
    assert OutboundEmail.objects.get(pk=pk).queued_at == later
    assert email_enqueue_many(drafts=[]) == []
