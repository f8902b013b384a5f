import pytest
from django.core.management import call_command
from django.core.management.base import SystemCheckError

from newsletter import consent
from newsletter.consent import consent_wording
from newsletter.models import Consent, Subscriber
from tests.newsletter.conftest import subscribe

pytestmark = pytest.mark.django_db

# Version "2026-01" exactly as subscribers read it on the signup page.
WORDING_2026_01 = (
    "こころの相談室から、無料メール講座（毎週月・水・金曜日 7:00（週3回））と講座・カウンセリングの"
    "お知らせをメールで受け取ることに同意します。配信はいつでも、メール内のリンクから停止できます。"
)


def test_the_signup_page_shows_the_current_wording_and_the_consent_records_its_version(client):
    page = client.get("/newsletter/")
    assert WORDING_2026_01 in page.content.decode()

    client.post("/newsletter/", {"email": "a@example.com", "consent": "on", "consent_version": "2026-01"})

    assert Consent.objects.get().wording_version == "2026-01"


def test_changing_the_schedule_never_rewrites_what_a_recorded_version_says(settings):
    settings.NEWSLETTER_SEND_WEEKDAYS = [1, 3]
    settings.NEWSLETTER_SEND_TIME = "20:00"
    settings.PRACTICE_NAME = "こころの相談室 名古屋"

    assert consent_wording("2026-01") == WORDING_2026_01


def test_a_changed_schedule_without_a_new_version_is_refused_until_one_is_added(settings, api_client):
    settings.NEWSLETTER_SEND_WEEKDAYS = [1, 3]

    with pytest.raises(SystemCheckError, match=r"newsletter\.E001"):
        call_command("check")
    refused = subscribe(api_client, email="new@example.com", consent_version="2026-01")

    assert refused.status_code == 400
    assert not Subscriber.objects.exists() and not Consent.objects.exists()


def test_a_form_shown_before_the_wording_changed_is_sent_back_with_the_new_one(client, settings):
    settings.NEWSLETTER_SEND_WEEKDAYS = [1, 3]
    newer = consent.ConsentWording(
        version="2026-02",
        text="こころの相談室から、無料メール講座（毎週火・木曜日 7:00（週2回））を受け取ることに同意します。",
        practice_name="こころの相談室",
        send_weekdays=(1, 3),
        send_time="07:00",
    )
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(consent, "_WORDINGS", (*consent._WORDINGS, newer))
        patch.setattr(consent, "CONSENT_WORDINGS", {**consent.CONSENT_WORDINGS, newer.version: newer})
        call_command("check")
        stale = client.post(
            "/newsletter/", {"email": "a@example.com", "consent": "on", "consent_version": "2026-01"}
        )
        body = stale.content.decode()
        assert stale.status_code == 400
        assert "同意文が改訂されました" in body
        assert newer.text in body and WORDING_2026_01 not in body
        assert not Consent.objects.exists()
