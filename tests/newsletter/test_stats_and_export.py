import csv
import io
from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext

from newsletter.models import Subscriber
from newsletter.services.planning import slot_plan
from newsletter.services.subscribers import subscriber_subscribe
from newsletter.tokens import workbook_token_make
from outbox.services import email_send_batch
from tests.newsletter.factories import ConsentFactory, LessonFactory, SubscriberFactory
from tests.newsletter.test_planning import tokyo

pytestmark = pytest.mark.django_db


def test_stats_count_subscribers_confirmations_slot_outcomes_and_downloads(
    counselor_api, api_client, workbook
):
    LessonFactory()
    with time_machine.travel(tokyo(2026, 3, 3, 10), tick=False):
        active = SubscriberFactory.create_batch(3)
        SubscriberFactory(status=Subscriber.Status.UNSUBSCRIBED)
        subscriber_subscribe(
            email="p@example.com", source="t", wording_version="2026-01", ip_address=None, user_agent=""
        )
    with time_machine.travel(tokyo(2026, 3, 4, 7), tick=False):
        slot_plan(starts_at=tokyo(2026, 3, 4, 7))
        Subscriber.objects.filter(pk=active[0].pk).update(status=Subscriber.Status.UNSUBSCRIBED)
        from outbox.models import OutboundEmail

        email_send_batch(
            email_ids=list(
                OutboundEmail.objects.filter(kind="newsletter.lesson").values_list("pk", flat=True)
            )
        )
        api_client.get(f"/newsletter/workbook/{workbook_token_make(subscriber_id=active[1].pk)}/")

        response = counselor_api.get("/api/v1/newsletter/stats/")

    assert response.status_code == 200
    body = response.json()
    assert body["subscribers"] == {"pending": 1, "active": 2, "unsubscribed": 2, "suppressed": 0}
    assert body["confirmations_per_week"] == [{"week_start": "2026-03-02", "count": 4}]
    (slot,) = body["slots"]
    assert slot["starts_at"] == "2026-03-04T07:00:00+09:00"
    assert {key: slot[key] for key in ("planned", "lessons", "sent", "skipped", "failed", "pending")} == {
        "planned": 3,
        "lessons": 3,
        "sent": 2,
        "skipped": 1,
        "failed": 0,
        "pending": 0,
    }
    assert body["workbook_downloads"] == {"total": 1, "last_30_days": 1}


def test_stats_take_the_same_queries_for_one_slot_and_twenty(counselor_api):
    LessonFactory()
    SubscriberFactory(confirmed_at=tokyo(2026, 2, 1))
    slot_plan(starts_at=tokyo(2026, 3, 2, 7))
    with CaptureQueriesContext(connection) as one:
        counselor_api.get("/api/v1/newsletter/stats/")
    for day in range(3, 31):
        if tokyo(2026, 3, day).weekday() in (0, 2, 4):
            slot_plan(starts_at=tokyo(2026, 3, day, 7))
    with CaptureQueriesContext(connection) as many:
        assert len(counselor_api.get("/api/v1/newsletter/stats/").json()["slots"]) == 12
    assert len(many) == len(one)


def test_the_csv_export_lists_every_subscriber_with_each_consent_record(counselor_api):
    returning = SubscriberFactory(email="twice@example.com", name='=HYPERLINK("x")')
    ConsentFactory(subscriber=returning, source="blog", ip_address="192.0.2.9", user_agent="UA2")
    SubscriberFactory(email="once@example.com", name="花子")

    response = counselor_api.get("/api/v1/newsletter/subscribers/export/")

    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert [(row["email"], row["consent_source"]) for row in rows] == [
        ("twice@example.com", "website"),
        ("twice@example.com", "blog"),
        ("once@example.com", "website"),
    ]
    assert rows[1]["consent_ip_address"] == "192.0.2.9"
    assert rows[1]["consent_user_agent"] == "UA2"
    assert rows[0]["consent_wording_version"] == "2026-01"
    assert rows[0]["name"].startswith("'=")  # never a live formula in a spreadsheet
    assert rows[2]["name"] == "花子"


def test_the_export_streams_in_a_fixed_number_of_queries(counselor_api):
    SubscriberFactory.create_batch(30)
    with CaptureQueriesContext(connection) as queries:
        response = counselor_api.get("/api/v1/newsletter/subscribers/export/")
        rows = b"".join(response.streaming_content).decode("utf-8-sig").splitlines()
    assert len(rows) == 31
    assert len(queries) <= 4
    assert mail.outbox == []


def test_the_export_also_answers_a_client_that_asks_for_csv(counselor_api):
    SubscriberFactory()
    response = counselor_api.get("/api/v1/newsletter/subscribers/export/", HTTP_ACCEPT="text/csv")
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="newsletter-subscribers.csv"'


def test_recent_weeks_only_in_confirmations(counselor_api):
    with time_machine.travel(tokyo(2026, 1, 5, 9), tick=False):
        SubscriberFactory()
    with time_machine.travel(tokyo(2026, 3, 31, 9) + timedelta(days=1), tick=False):
        SubscriberFactory()
        body = counselor_api.get("/api/v1/newsletter/stats/").json()
    assert body["confirmations_per_week"] == [{"week_start": "2026-03-30", "count": 1}]
