import smtplib

import pytest
import time_machine
from django.core import mail
from django.db import transaction
from django.utils import timezone

from outbox import services
from outbox.models import OutboundEmail
from outbox.registry import register_send_check
from outbox.tasks import email_send_task

pytestmark = pytest.mark.django_db(transaction=True)


def enqueue(key="1", kind="test.notice", **options):
    return services.email_enqueue(
        kind=kind, recipient="hanako@example.com", key=key, subject="件名", text="本文", **options
    )


def test_an_email_enqueued_in_a_transaction_that_rolls_back_is_never_sent():
    with pytest.raises(RuntimeError), transaction.atomic():
        enqueue()
        raise RuntimeError("the booking failed")

    assert not OutboundEmail.objects.exists()
    assert mail.outbox == []


def test_an_email_is_sent_once_its_transaction_commits():
    with transaction.atomic():
        email, created = enqueue(html="<p>本文</p>")
        assert created
        assert mail.outbox == []  # nothing leaves before the commit

    email.refresh_from_db()
    assert email.status == OutboundEmail.Status.SENT
    assert email.sent_at is not None
    assert len(mail.outbox) == 1
    assert mail.outbox[0].alternatives[0][0] == "<p>本文</p>"


def test_the_same_dedupe_key_never_makes_a_second_row_or_message():
    first, created_first = enqueue(key="booking-7")
    second, created_second = enqueue(key="booking-7")

    assert (created_first, created_second) == (True, False)
    assert first.pk == second.pk
    assert OutboundEmail.objects.count() == 1
    assert len(mail.outbox) == 1


def test_a_duplicate_inside_a_transaction_leaves_the_transaction_usable():
    with transaction.atomic():
        enqueue(key="k")
        enqueue(key="k")
        enqueue(key="other")
    assert OutboundEmail.objects.count() == 2


def test_sending_the_same_row_twice_yields_one_message(settings):
    settings.CELERY_TASK_ALWAYS_EAGER = True
    email, _created = enqueue(send=False)

    email_send_task.delay(email.pk)
    email_send_task.delay(email.pk)
    services.email_send(email_id=email.pk)

    assert len(mail.outbox) == 1
    email.refresh_from_db()
    assert (email.status, email.attempts) == (OutboundEmail.Status.SENT, 1)


def test_a_broker_outage_leaves_the_email_pending_and_the_sweeper_sends_it(monkeypatch):
    def broker_down(*args, **kwargs):
        raise ConnectionRefusedError("broker unreachable")

    from outbox import tasks

    with monkeypatch.context() as patch:
        patch.setattr(tasks.email_send_task, "apply_async", broker_down)
        email, _created = enqueue()  # commits; the enqueue fails quietly

    email.refresh_from_db()
    assert email.status == OutboundEmail.Status.PENDING
    assert mail.outbox == []

    assert services.outbox_requeue_stale() == 0  # not stale yet: a task may still be on its way
    with time_machine.travel(timezone.now() + timezone.timedelta(minutes=6)):
        assert services.outbox_requeue_stale() == 1

    email.refresh_from_db()
    assert email.status == OutboundEmail.Status.SENT
    assert len(mail.outbox) == 1


def test_the_sweeper_leaves_rows_alone_while_the_broker_is_still_down(monkeypatch):
    from outbox import tasks

    monkeypatch.setattr(
        tasks.email_send_task, "apply_async", lambda *a, **k: (_ for _ in ()).throw(OSError())
    )
    monkeypatch.setattr(
        tasks.email_send_batch_task, "apply_async", lambda *a, **k: (_ for _ in ()).throw(OSError())
    )
    enqueue()

    with time_machine.travel(timezone.now() + timezone.timedelta(minutes=6)):
        assert services.outbox_requeue_stale() == 0
    assert OutboundEmail.objects.get().status == OutboundEmail.Status.PENDING


class FlakyBackend:
    """A mail backend whose server answers with the given errors, then accepts."""

    errors: list[Exception] = []

    def __init__(self, *args, **kwargs):
        pass

    def open(self):
        return True

    def close(self):
        pass

    def __enter__(self):
        self.open()
        return self

    def __exit__(self, *exc):
        self.close()

    def send_messages(self, messages):
        if FlakyBackend.errors:
            raise FlakyBackend.errors.pop(0)
        mail.outbox.extend(messages)
        return len(messages)


@pytest.fixture
def flaky_backend(settings):
    from config.celery_app import app

    settings.EMAIL_BACKEND = "tests.outbox.test_outbox.FlakyBackend"
    # Eager retries run one after another only when errors are not propagated.
    app.conf.task_eager_propagates = False
    FlakyBackend.errors = []
    yield FlakyBackend
    app.conf.task_eager_propagates = True


def test_a_transient_smtp_error_is_retried_until_the_server_accepts(flaky_backend):
    flaky_backend.errors = [
        smtplib.SMTPResponseException(421, b"try again later"),
        smtplib.SMTPServerDisconnected("connection lost"),
    ]
    email, _created = enqueue(send=False)

    email_send_task.apply(args=[email.pk], throw=False)  # eager apply runs each retry in turn

    email.refresh_from_db()
    assert email.status == OutboundEmail.Status.SENT
    assert email.attempts == 3
    assert len(mail.outbox) == 1


def test_a_permanent_smtp_error_ends_failed_with_the_error_recorded(flaky_backend):
    flaky_backend.errors = [smtplib.SMTPRecipientsRefused({"hanako@example.com": (550, b"no such user")})]
    email, _created = enqueue(send=False)

    email_send_task.apply(args=[email.pk], throw=False)

    email.refresh_from_db()
    assert email.status == OutboundEmail.Status.FAILED
    assert "SMTPRecipientsRefused" in email.last_error
    assert mail.outbox == []


def test_transient_errors_give_up_after_the_attempt_limit(flaky_backend, settings):
    settings.OUTBOX_MAX_ATTEMPTS = 2
    flaky_backend.errors = [smtplib.SMTPResponseException(451, b"later")] * 5
    email, _created = enqueue(send=False)

    email_send_task.apply(args=[email.pk], throw=False)

    email.refresh_from_db()
    assert (email.status, email.attempts) == (OutboundEmail.Status.FAILED, 2)


def test_a_registered_check_skips_an_email_that_should_no_longer_go():
    @register_send_check("test.cancellable")
    def still_wanted(email):
        return not email.context.get("cancelled")

    email, _created = enqueue(kind="test.cancellable", context={"cancelled": True})

    email.refresh_from_db()
    assert email.status == OutboundEmail.Status.SKIPPED
    assert mail.outbox == []


class CountingBackend(FlakyBackend):
    opened = 0

    def open(self):
        CountingBackend.opened += 1
        return True


def test_a_batch_sends_many_rows_over_one_connection(settings):
    settings.EMAIL_BACKEND = "tests.outbox.test_outbox.CountingBackend"
    CountingBackend.opened = 0
    FlakyBackend.errors = []
    ids = [enqueue(key=str(n), send=False)[0].pk for n in range(25)]

    assert services.email_send_batch(email_ids=ids) == []

    assert len(mail.outbox) == 25
    assert CountingBackend.opened == 1
    assert OutboundEmail.objects.filter(status=OutboundEmail.Status.SENT).count() == 25


def test_attachments_and_headers_reach_the_message():
    services.email_enqueue(
        kind="test.ics",
        recipient="hanako@example.com",
        key="a",
        subject="予約確認",
        text="本文",
        headers={"X-Entity-Ref-ID": "booking-1"},
        attachments=[services.Attachment("invite.ics", b"BEGIN:VCALENDAR", "text/calendar")],
    )

    message = mail.outbox[0]
    assert message.extra_headers["X-Entity-Ref-ID"] == "booking-1"
    assert message.attachments[0][0] == "invite.ics"
    assert message.attachments[0][1] in (b"BEGIN:VCALENDAR", "BEGIN:VCALENDAR")


def test_a_batch_task_carries_every_id_and_names_them_briefly_for_the_logs(monkeypatch):
    from celery import current_app

    sent = []
    task = current_app.tasks["outbox.tasks.email_send_batch_task"]
    monkeypatch.setattr(task, "apply_async", lambda **options: sent.append(options))

    services._hand_over(list(range(7, 107)), None)

    (options,) = sent
    assert options["args"] == [list(range(7, 107))]
    assert options["argsrepr"] == "[<100 email ids, 7 to 106>]"
