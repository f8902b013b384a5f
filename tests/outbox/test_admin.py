import pytest

from outbox.models import OutboundEmail
from outbox.services import email_enqueue
from tests.accounts.factories import CounselorFactory

pytestmark = pytest.mark.django_db


def test_the_outbox_admin_lists_by_status_and_allows_no_change(client, settings):
    client.force_login(CounselorFactory(is_superuser=True))
    email, _created = email_enqueue(
        kind="accounts.verify_email",
        recipient="a@example.com",
        key="1",
        subject="確認",
        text="本文",
        send=False,
    )

    listing = client.get("/admin/outbox/outboundemail/?status__exact=pending")
    assert listing.status_code == 200
    assert "a@example.com" in listing.content.decode()
    assert (
        "a@example.com" not in client.get("/admin/outbox/outboundemail/?status__exact=sent").content.decode()
    )

    detail = client.get(f"/admin/outbox/outboundemail/{email.pk}/change/")
    assert detail.status_code == 200
    assert 'name="subject"' not in detail.content.decode()  # read-only: no input to edit
    assert client.get("/admin/outbox/outboundemail/add/").status_code == 403
    assert client.post(f"/admin/outbox/outboundemail/{email.pk}/delete/", {"post": "yes"}).status_code == 403
    assert OutboundEmail.objects.filter(pk=email.pk).exists()
