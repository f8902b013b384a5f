import re
from datetime import timedelta

import pytest
from django.core import mail
from django.test import Client

from accounts.models import User
from core.personal_data import personal_data_export
from newsletter.models import Consent, Subscriber
from tests.accounts.factories import ClientFactory
from tests.newsletter.factories import SubscriberFactory

pytestmark = pytest.mark.django_db


def test_the_signup_page_names_the_sender_and_three_emails_a_week_in_the_consent_checkbox():
    page = Client().get("/newsletter/")

    assert page.status_code == 200
    text = page.content.decode()
    assert 'type="checkbox" name="consent"' in text
    assert "こころの相談室から" in text
    assert "毎週月・水・金曜日 7:00（週3回）" in text
    assert "配信はいつでも" in text


def test_signing_up_on_the_page_records_consent_and_sends_the_confirmation(
    django_capture_on_commit_callbacks,
):
    client = Client(enforce_csrf_checks=True)
    token = client.get("/newsletter/").cookies["csrftoken"].value

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/newsletter/",
            {
                "email": "page@example.com",
                "name": "ページ",
                "consent": "on",
                "consent_version": "2026-01",
                "csrfmiddlewaretoken": token,
            },
            HTTP_USER_AGENT="Firefox",
        )

    assert response.status_code == 200
    assert "お申し込みを受け付けました" in response.content.decode()
    consent = Consent.objects.get()
    assert (consent.source, consent.user_agent, consent.wording_version) == ("website", "Firefox", "2026-01")
    assert [message.to for message in mail.outbox] == [["page@example.com"]]


def test_signing_up_without_ticking_consent_shows_the_form_again_and_records_nothing():
    response = Client().post("/newsletter/", {"email": "page@example.com", "consent_version": "2026-01"})

    assert response.status_code == 400
    assert "同意が必要です" in response.content.decode()
    assert not Subscriber.objects.exists()


def test_the_unsubscribed_page_offers_to_subscribe_again():
    page = Client().get("/newsletter/unsubscribed/")
    assert page.status_code == 200
    assert 'href="/newsletter/"' in page.content.decode()


def test_a_user_s_personal_data_export_includes_their_subscription_and_consents():
    user = ClientFactory(email="both@example.com")
    SubscriberFactory(email="both@example.com", name="両方")
    other = User.objects.create_user("none@example.com", "x-long-password-1")

    data = personal_data_export(user=user)

    assert data["newsletter"]["status"] == "active"
    assert data["newsletter"]["consents"][0]["source"] == "website"
    assert personal_data_export(user=other)["newsletter"] is None


def test_the_signup_page_is_true_for_a_repeat_within_the_interval_that_sends_nothing(
    django_capture_on_commit_callbacks, settings
):
    settings.NEWSLETTER_CONFIRMATION_INTERVAL = timedelta(minutes=15)
    SubscriberFactory(email="confirmed@example.com")
    form = {"consent": "on", "consent_version": "2026-01"}

    with django_capture_on_commit_callbacks(execute=True):
        first = Client().post("/newsletter/", {**form, "email": "again@example.com"})
        repeat = Client().post("/newsletter/", {**form, "email": "again@example.com"})
        confirmed = Client().post("/newsletter/", {**form, "email": "confirmed@example.com"})

    # One mail only, and one page for all three: it says what happens in each case.
    assert [message.to for message in mail.outbox] == [["again@example.com"]]
    pages = {
        re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", r.content.decode())
        for r in (first, repeat, confirmed)
    }
    assert len(pages) == 1
    body = pages.pop()
    assert "数分かかることがあります" in body
    assert "迷惑メールフォルダ" in body
    assert "15分ほどたってからもう一度お申し込みください" in body
    assert "確認メールはお送りしません" in body and 'href="/newsletter/workbook/"' in body
