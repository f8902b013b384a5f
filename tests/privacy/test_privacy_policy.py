from datetime import date

import pytest
import time_machine
from django.db import DatabaseError, connection, transaction
from django.test import Client

from counseling.models import Intake
from privacy.models import PolicyVersionImmutable, PrivacyPolicy
from privacy.selectors import privacy_policy_current
from privacy.services import privacy_policy_publish
from tests.accounts.factories import ClientFactory, CounselorFactory
from tests.conftest import authenticated_client
from tests.counseling.test_intakes import payload

pytestmark = pytest.mark.django_db

REQUIRED_TOPICS = [
    "要配慮個人情報",
    "取得する情報",
    "利用の目的",
    "保存する期間",
    "第三者",
    "メール配信事業者",
    "ホスティング事業者",
    "安全管理のための措置",
    "開示",
    "訂正",
    "削除",
    "お問い合わせ窓口",
    "hello@counsel.example.jp",
]


def test_the_privacy_page_shows_the_first_version_with_every_topic_the_law_asks_for():
    page = Client().get("/privacy/")

    assert page.status_code == 200
    body = page.content.decode()
    assert "<h1>プライバシーポリシー</h1>" in body
    assert "2025年4月1日版" in body and "第2025-04-01版" not in body
    for topic in REQUIRED_TOPICS:
        assert topic in body, topic


def test_the_privacy_page_in_english_has_the_reference_translation_and_an_english_version_label():
    client = Client()
    client.post("/i18n/setlang/", {"language": "en", "next": "/privacy/"})
    body = client.get("/privacy/").content.decode()

    assert "<h1>Privacy policy</h1>" in body
    assert "version of Apr 1, 2025" in body
    assert "The Japanese text is the binding version" in body
    assert "Disclosure, correction and deletion" in body


def test_the_intake_the_signup_form_and_the_footer_link_to_the_policy():
    user = ClientFactory()
    client = Client()
    client.force_login(user)

    intake_page = client.get("/portal/intake/").content.decode()
    signup_page = Client().get("/newsletter/").content.decode()
    home = Client().get("/").content.decode()

    assert '<a href="/privacy/">プライバシーポリシー（2025年4月1日版）</a>' in intake_page
    assert 'href="/privacy/"' in signup_page
    assert 'href="/privacy/"' in home


def test_a_new_version_is_a_new_row_and_the_intake_records_the_version_in_force(
    django_capture_on_commit_callbacks,
):
    first = PrivacyPolicy.objects.get()
    privacy_policy_publish(version=date(2026, 6, 1), body="## 改定版\n新しい本文")
    client = ClientFactory()

    with time_machine.travel("2026-05-31 12:00:00+09:00", tick=False):
        assert privacy_policy_current().version == date(2025, 4, 1)
        with django_capture_on_commit_callbacks(execute=True):
            before = authenticated_client(client).post("/api/v1/intakes/", payload(), format="json")
    Intake.objects.all().delete()
    with time_machine.travel("2026-06-01 09:00:00+09:00", tick=False):
        with django_capture_on_commit_callbacks(execute=True):
            after = authenticated_client(client).post("/api/v1/intakes/", payload(), format="json")
        assert "2026年6月1日版" in Client().get("/privacy/").content.decode()
        old_page = Client().get("/privacy/2025-04-01/").content.decode()

    assert before.json()["consent_version"] == "2025-04-01"
    assert after.json()["consent_version"] == "2026-06-01"
    assert "これは以前の版です" in old_page and "要配慮個人情報" in old_page
    first.refresh_from_db()
    assert PrivacyPolicy.objects.count() == 2 and "要配慮個人情報" in first.body


def test_a_published_version_cannot_be_edited_or_deleted_by_the_model_or_by_sql():
    policy = PrivacyPolicy.objects.get()
    policy.body = "書き換え"

    with pytest.raises(PolicyVersionImmutable):
        policy.save()
    with pytest.raises(PolicyVersionImmutable):
        policy.delete()
    for statement in (
        "UPDATE privacy_privacypolicy SET body = 'x'",
        "DELETE FROM privacy_privacypolicy",
    ):
        with (
            pytest.raises(DatabaseError, match="append-only"),
            transaction.atomic(),
            connection.cursor() as cursor,
        ):
            cursor.execute(statement)
    assert PrivacyPolicy.objects.get().body != "書き換え"


def test_publishing_an_existing_date_again_is_refused():
    from core.exceptions import ApplicationError

    with pytest.raises(ApplicationError):
        privacy_policy_publish(version=date(2025, 4, 1), body="別の本文")
    assert PrivacyPolicy.objects.count() == 1


def test_an_unknown_or_malformed_version_is_a_404():
    assert Client().get("/privacy/2020-01-01/").status_code == 404
    assert Client().get("/privacy/not-a-date/").status_code == 404


def test_the_owner_adds_a_version_in_the_admin_prefilled_and_cannot_edit_one(admin_client):
    add = admin_client.get("/admin/privacy/privacypolicy/add/")
    assert add.status_code == 200 and "要配慮個人情報" in add.content.decode()

    response = admin_client.post(
        "/admin/privacy/privacypolicy/add/", {"version": "2026-07-01", "body": "## 新版", "body_en": ""}
    )
    assert response.status_code == 302
    assert PrivacyPolicy.objects.filter(version=date(2026, 7, 1)).exists()

    first = PrivacyPolicy.objects.get(version=date(2025, 4, 1))
    edit = admin_client.post(
        f"/admin/privacy/privacypolicy/{first.pk}/change/", {"version": "2025-04-01", "body": "改ざん"}
    )
    assert edit.status_code == 403
    delete = admin_client.post(f"/admin/privacy/privacypolicy/{first.pk}/delete/", {"post": "yes"})
    assert delete.status_code == 403
    first.refresh_from_db()
    assert "要配慮個人情報" in first.body


def test_a_counselor_who_is_not_the_owner_cannot_publish_a_policy():
    counselor = CounselorFactory()
    from accounts.services import counselor_group_ensure

    counselor.groups.add(counselor_group_ensure())
    client = Client()
    client.force_login(counselor)

    assert client.get("/admin/privacy/privacypolicy/add/").status_code == 403
