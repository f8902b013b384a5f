import re
from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.core.files.base import ContentFile
from django.utils import timezone

from newsletter.models import Subscriber, WorkbookDownload
from newsletter.services.content import workbook_upload
from newsletter.tokens import workbook_token_make
from outbox.models import OutboundEmail
from tests.newsletter.conftest import link_token, subscribe
from tests.newsletter.factories import SubscriberFactory

pytestmark = pytest.mark.django_db


def _subscribe_and_get_confirm_token(api_client, capture, email="hanako@example.com") -> str:
    with capture(execute=True):
        subscribe(api_client, email=email)
    return link_token(mail.outbox[-1].body, "confirm")


def test_opening_the_confirmation_link_shows_a_button_and_confirms_nothing(
    api_client, django_capture_on_commit_callbacks
):
    token = _subscribe_and_get_confirm_token(api_client, django_capture_on_commit_callbacks)

    page = api_client.get(f"/newsletter/confirm/{token}/")

    assert page.status_code == 200
    assert "登録を完了する" in page.content.decode()
    assert Subscriber.objects.get().status == Subscriber.Status.PENDING


def test_pressing_the_button_confirms_and_sends_the_welcome_email_with_a_workbook_link(
    api_client, django_capture_on_commit_callbacks, workbook
):
    token = _subscribe_and_get_confirm_token(api_client, django_capture_on_commit_callbacks)

    with django_capture_on_commit_callbacks(execute=True):
        page = api_client.post(f"/newsletter/confirm/{token}/", REMOTE_ADDR="192.0.2.44")

    assert page.status_code == 200
    assert "ご登録が完了しました" in page.content.decode()
    subscriber = Subscriber.objects.get()
    assert subscriber.status == Subscriber.Status.ACTIVE
    consent = subscriber.consents.get()
    assert consent.confirmed_at is not None
    assert consent.confirmed_ip_address == "192.0.2.44"
    welcome = mail.outbox[-1]
    assert "ワークブック" in welcome.subject
    workbook_token = link_token(welcome.body, "workbook")
    download = api_client.get(f"/newsletter/workbook/{workbook_token}/")
    assert download.status_code == 200
    assert b"".join(download.streaming_content).startswith(b"%PDF")
    assert download["Content-Disposition"].startswith("attachment")


def test_confirming_twice_sends_one_welcome_email(api_client, django_capture_on_commit_callbacks):
    token = _subscribe_and_get_confirm_token(api_client, django_capture_on_commit_callbacks)

    api_client.post(f"/newsletter/confirm/{token}/")
    again = api_client.post(f"/newsletter/confirm/{token}/")

    assert again.status_code == 200
    assert OutboundEmail.objects.filter(kind="newsletter.welcome").count() == 1


def test_a_forged_confirmation_link_is_404(api_client):
    assert api_client.get("/newsletter/confirm/forged/").status_code == 404
    assert api_client.post("/newsletter/confirm/forged/").status_code == 404


def test_confirmation_links_expire_after_seven_days(api_client, django_capture_on_commit_callbacks):
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        token = _subscribe_and_get_confirm_token(api_client, django_capture_on_commit_callbacks)
    with time_machine.travel(start + timedelta(days=7, minutes=1), tick=False):
        response = api_client.post(f"/newsletter/confirm/{token}/")

    assert response.status_code == 404
    assert Subscriber.objects.get().status == Subscriber.Status.PENDING


def test_an_old_confirmation_link_does_not_confirm_a_later_request_after_unsubscribing(
    api_client, django_capture_on_commit_callbacks
):
    token = _subscribe_and_get_confirm_token(api_client, django_capture_on_commit_callbacks)
    api_client.post(f"/newsletter/confirm/{token}/")
    subscriber = Subscriber.objects.get()
    Subscriber.objects.filter(pk=subscriber.pk).update(status=Subscriber.Status.UNSUBSCRIBED)
    subscribe(api_client)  # asks again: pending, a new consent

    assert api_client.post(f"/newsletter/confirm/{token}/").status_code == 404
    subscriber.refresh_from_db()
    assert subscriber.status == Subscriber.Status.PENDING


def test_the_workbook_link_downloads_the_pdf_for_a_confirmed_subscriber_and_counts_it(api_client, workbook):
    subscriber = SubscriberFactory()
    token = workbook_token_make(subscriber_id=subscriber.pk)

    first = api_client.get(f"/newsletter/workbook/{token}/")
    second = api_client.get(f"/newsletter/workbook/{token}/")

    assert (first.status_code, second.status_code) == (200, 200)
    assert first["Content-Type"] == "application/pdf"
    assert b"".join(first.streaming_content) == b"%PDF-1.4 workbook"
    assert WorkbookDownload.objects.filter(subscriber=subscriber).count() == 2


@pytest.mark.parametrize("status", [Subscriber.Status.UNSUBSCRIBED, Subscriber.Status.SUPPRESSED])
def test_the_workbook_link_of_an_address_no_longer_subscribed_is_404(api_client, workbook, status):
    subscriber = SubscriberFactory(status=status)
    token = workbook_token_make(subscriber_id=subscriber.pk)

    response = api_client.get(f"/newsletter/workbook/{token}/")

    assert response.status_code == 404
    assert not WorkbookDownload.objects.exists()


def test_an_unconfirmed_address_gets_no_workbook(api_client, workbook):
    subscriber = SubscriberFactory(status=Subscriber.Status.PENDING, confirmed_at=None)
    assert (
        api_client.get(
            f"/newsletter/workbook/{workbook_token_make(subscriber_id=subscriber.pk)}/"
        ).status_code
        == 404
    )


def test_a_forged_workbook_link_is_404(api_client, workbook):
    subscriber = SubscriberFactory()
    token = workbook_token_make(subscriber_id=subscriber.pk)
    forged = token[:-4] + ("AAAA" if not token.endswith("AAAA") else "BBBB")

    assert api_client.get(f"/newsletter/workbook/{forged}/").status_code == 404
    assert api_client.get("/newsletter/workbook/not-a-token/").status_code == 404
    # A token signed for another purpose (unsubscribing) does not open the workbook.
    from newsletter.tokens import unsubscribe_token_make

    other = unsubscribe_token_make(subscriber_id=subscriber.pk)
    assert api_client.get(f"/newsletter/workbook/{other}/").status_code == 404


def test_the_workbook_link_expires_after_thirty_days(api_client, workbook):
    subscriber = SubscriberFactory()
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        token = workbook_token_make(subscriber_id=subscriber.pk)
    with time_machine.travel(start + timedelta(days=29), tick=False):
        assert api_client.get(f"/newsletter/workbook/{token}/").status_code == 200
    with time_machine.travel(start + timedelta(days=30, minutes=1), tick=False):
        assert api_client.get(f"/newsletter/workbook/{token}/").status_code == 404


def test_a_new_upload_replaces_the_workbook_for_new_downloads(api_client, workbook):
    subscriber = SubscriberFactory()
    workbook_upload(file=ContentFile(b"%PDF-1.7 second edition", name="workbook-v2.pdf"), title="第2版")

    response = api_client.get(f"/newsletter/workbook/{workbook_token_make(subscriber_id=subscriber.pk)}/")

    assert b"".join(response.streaming_content) == b"%PDF-1.7 second edition"


def test_a_new_workbook_link_can_be_asked_for_from_the_confirmation_page(
    api_client, django_capture_on_commit_callbacks, workbook
):
    subscriber = SubscriberFactory(email="reader@example.com")
    page = api_client.get("/newsletter/workbook/")
    assert page.status_code == 200

    with django_capture_on_commit_callbacks(execute=True):
        known = api_client.post("/newsletter/workbook/", {"email": "READER@example.com"})
        unknown = api_client.post("/newsletter/workbook/", {"email": "stranger@example.com"})
        api_client.post("/newsletter/workbook/", {"email": "reader@example.com"})  # within 10 minutes

    assert known.status_code == unknown.status_code == 200
    assert _without_csrf_token(known) == _without_csrf_token(unknown)
    assert [message.to for message in mail.outbox] == [["reader@example.com"]]
    token = link_token(mail.outbox[0].body, "workbook")
    assert api_client.get(f"/newsletter/workbook/{token}/").status_code == 200
    assert WorkbookDownload.objects.filter(subscriber=subscriber).count() == 1


def test_the_workbook_link_api_answers_the_same_for_any_address(api_client):
    SubscriberFactory(email="reader@example.com")

    known = api_client.post(
        "/api/v1/newsletter/workbook-link/", {"email": "reader@example.com"}, format="json"
    )
    unknown = api_client.post("/api/v1/newsletter/workbook-link/", {"email": "x@example.com"}, format="json")

    assert known.status_code == unknown.status_code == 202
    assert known.json() == unknown.json()
    assert OutboundEmail.objects.filter(kind="newsletter.workbook_link").count() == 1


def _without_csrf_token(response) -> str:
    # Every page's header carries a freshly masked CSRF token (the language switch posts); the rest
    # of the page must be byte for byte the same.
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", response.content.decode())
