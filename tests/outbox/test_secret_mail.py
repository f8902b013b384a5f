"""The outbox admin is no side door: secret-carrying bodies are never shown and are gone once sent."""

import re

import pytest
from django.core import mail

from accounts.services import counselor_create
from outbox.models import OutboundEmail
from outbox.services import email_enqueue, email_send_batch
from tests.accounts.factories import PASSWORD, CounselorFactory

pytestmark = pytest.mark.django_db

OUTBOX = "/admin/outbox/outboundemail/"


def reset_token_from_mail() -> str:
    return re.search(r"token=([\w:.\-]+)", mail.outbox[-1].body).group(1)


@pytest.fixture
def owner_asked_for_a_reset(client, django_capture_on_commit_callbacks):
    owner = CounselorFactory(email="owner@example.com", is_superuser=True)
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post("/accounts/password-reset/", {"email": owner.email}).status_code == 200
    return owner


def test_a_counselor_cannot_open_the_outbox_to_read_the_owners_reset_link(client, owner_asked_for_a_reset):
    counselor = counselor_create(email="trainee@example.com", password=PASSWORD, display_name="研修生")
    client.force_login(counselor)
    token = reset_token_from_mail()
    email = OutboundEmail.objects.get(kind="accounts.password_reset")

    responses = [
        client.get(f"{OUTBOX}?q=owner%40example.com"),
        client.get(f"{OUTBOX}{email.pk}/change/"),
        client.get("/admin/"),
    ]

    assert [response.status_code for response in responses[:2]] == [403, 403]
    assert OUTBOX not in responses[2].content.decode()
    assert all(token not in response.content.decode() for response in responses)
    assert not counselor.get_all_permissions() & {
        "outbox.view_outboundemail",
        "outbox.change_outboundemail",
    }


def test_the_reset_mail_is_delivered_and_its_row_keeps_metadata_without_the_link(owner_asked_for_a_reset):
    token = reset_token_from_mail()
    email = OutboundEmail.objects.get(kind="accounts.password_reset")

    assert email.status == OutboundEmail.Status.SENT
    assert (email.recipient, email.sent_at is not None, email.subject != "") == (
        "owner@example.com",
        True,
        True,
    )
    assert (email.body_text, email.body_html, email.headers, email.attachments) == ("", "", {}, [])
    assert token not in str(OutboundEmail.objects.filter(pk=email.pk).values().get())


def queued(kind: str, recipient: str, text: str, **options) -> OutboundEmail:
    email, _created = email_enqueue(
        kind=kind, recipient=recipient, key="1", subject="確認", text=text, send=False, **options
    )
    return email


def test_the_owner_sees_outbox_metadata_and_never_a_body(client, owner_asked_for_a_reset):
    link = "https://example.jp/accounts/verify-email/?token=SECRET-PENDING-TOKEN"
    pending = queued(
        "accounts.verify_email",
        "new@example.com",
        link,
        html=f"<a href='{link}'>確認</a>",
        headers={"X-Link": "SECRET-PENDING-TOKEN"},
        carries_secret=True,
    )
    client.force_login(owner_asked_for_a_reset)

    listing = client.get(f"{OUTBOX}?q=new%40example.com")
    detail = client.get(f"{OUTBOX}{pending.pk}/change/")

    assert listing.status_code == detail.status_code == 200
    assert "new@example.com" in listing.content.decode()
    assert "new@example.com" in detail.content.decode()
    assert "SECRET-PENDING-TOKEN" not in listing.content.decode() + detail.content.decode()
    # A pending row still needs its body to be sent.
    pending.refresh_from_db()
    assert "SECRET-PENDING-TOKEN" in pending.body_text


def test_the_batch_sender_drops_secret_bodies_and_headers_and_keeps_ordinary_ones():
    secret = queued(
        "accounts.verify_email",
        "reader@example.com",
        "配信停止: https://example.jp/newsletter/unsubscribe/SECRET/",
        headers={"List-Unsubscribe": "<https://example.jp/newsletter/unsubscribe/SECRET/>"},
        carries_secret=True,
    )
    plain = queued("accounts.register_existing", "c@example.com", "本文")

    assert email_send_batch(email_ids=[secret.pk, plain.pk]) == []

    secret.refresh_from_db()
    plain.refresh_from_db()
    assert (secret.status, secret.body_text, secret.headers) == ("sent", "", {})
    assert (plain.status, plain.body_text) == ("sent", "本文")
    assert "SECRET" in mail.outbox[0].body
