from datetime import timedelta

import pytest

from counseling.models import AccessRecord, Intake
from newsletter.models import Broadcast
from tests.accounts.factories import ClientFactory
from tests.counseling.conftest import WEDNESDAY, tokyo
from tests.counseling.factories import BookingFactory, IntakeFactory
from tests.newsletter.factories import SubscriberFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def dashboard(client, counselor):
    client.force_login(counselor)
    return client


def test_the_agenda_shows_today_and_the_next_seven_days_whatever_the_weekday(
    dashboard, session_type, frozen_now
):
    # Sunday evening: the calendar week is over, the coming Wednesday's session must still be in sight.
    sunday = WEDNESDAY + timedelta(days=4)
    frozen_now.move_to(tokyo(sunday, 20))
    tonight = BookingFactory(
        session_type=session_type, start=tokyo(sunday, 21), client__display_name="今夜 花子"
    )
    wednesday = BookingFactory(
        session_type=session_type,
        start=tokyo(sunday + timedelta(days=3), 10),
        client__display_name="水曜 次郎",
    )
    BookingFactory(
        session_type=session_type,
        start=tokyo(sunday + timedelta(days=7), 10),
        client__display_name="八日目 一郎",
    )
    BookingFactory(
        session_type=session_type,
        start=tokyo(sunday + timedelta(days=8), 10),
        client__display_name="来々週 三郎",
    )
    BookingFactory(
        session_type=session_type,
        start=tokyo(sunday + timedelta(days=1), 10),
        status="cancelled",
        client__display_name="取消 四郎",
    )

    body = dashboard.get("/counselor/").content.decode()

    assert f"/counselor/bookings/{tonight.pk}/" in body and f"/counselor/bookings/{wednesday.pk}/" in body
    assert "6月11日（水）" in body and "八日目 一郎" in body
    assert "来々週 三郎" not in body and "取消 四郎" not in body


def test_the_dashboard_lists_new_intakes_and_logs_each_one_shown(dashboard, counselor):
    waiting = IntakeFactory(client__display_name="新規 さくら", in_crisis=True)
    IntakeFactory(status=Intake.Status.ACCEPTED, counselor=counselor, client__display_name="受入済 もも")

    body = dashboard.get("/counselor/").content.decode()

    assert "新規 さくら" in body and "危機的状況" in body
    assert "受入済 もも" not in body
    rows = AccessRecord.objects.filter(actor=counselor, object_type="intake")
    assert list(rows.values_list("object_id", "action")) == [(waiting.pk, "list")]


def test_the_dashboard_shows_the_next_send_slot_and_subscriber_figures(dashboard, frozen_now):
    SubscriberFactory.create_batch(2)
    Broadcast.objects.create(
        subject="夏の講座のお知らせ", body_markdown="本文", send_at=tokyo(WEDNESDAY, 7), status="scheduled"
    )

    body = dashboard.get("/counselor/").content.decode()

    assert "次の配信：6月4日（水） 07:00" in body
    assert "お知らせ「夏の講座のお知らせ」" in body
    assert "購読中<strong>2</strong>" in body


def test_the_counselor_reads_an_intake_with_suggestions_and_the_read_is_logged(dashboard, counselor):
    intake = IntakeFactory(scores={"reason.self_sacrifice": 5}, concern="尽くしすぎて疲れました。")

    body = dashboard.get(f"/counselor/intakes/{intake.pk}/").content.decode()

    assert "尽くしすぎて疲れました。" in body
    assert "「自分がしたいこと」を大切にする" in body  # the step suggested for self-sacrifice
    record = AccessRecord.objects.get(actor=counselor)
    assert (record.object_id, record.action, record.client_id) == (intake.pk, "read", intake.client_id)


def test_the_counselor_accepts_an_intake_from_its_page(
    dashboard, counselor, django_capture_on_commit_callbacks
):
    intake = IntakeFactory()

    with django_capture_on_commit_callbacks(execute=True):
        response = dashboard.post(f"/counselor/intakes/{intake.pk}/", {"status": "accepted"})

    assert response.status_code == 302
    intake.refresh_from_db()
    assert (intake.status, intake.counselor) == ("accepted", counselor)


def test_a_status_that_may_not_follow_is_refused_and_nothing_changes(dashboard, counselor):
    intake = IntakeFactory(status=Intake.Status.REVIEWED, counselor=counselor)

    response = dashboard.post(f"/counselor/intakes/{intake.pk}/", {"status": "submitted"})

    assert response.status_code == 400
    intake.refresh_from_db()
    assert intake.status == "reviewed"


def test_a_client_sees_their_intake_status_on_the_portal_and_that_read_is_logged(client):
    user = ClientFactory()
    intake = IntakeFactory(client=user)
    client.force_login(user)

    body = client.get("/portal/").content.decode()

    assert "提出済み（受付）" in body
    assert AccessRecord.objects.filter(actor=user, object_id=intake.pk, action="list").count() == 1
