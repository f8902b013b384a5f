from datetime import date

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext

from counseling.models import Intake
from privacy.services import privacy_policy_publish
from tests.accounts.factories import ClientFactory, CounselorFactory
from tests.conftest import authenticated_client
from tests.counseling.factories import REASONS, BookingFactory, IntakeFactory, SessionTypeFactory

pytestmark = pytest.mark.django_db

INTAKES = "/api/v1/intakes/"


def payload(**overrides) -> dict:
    body = {
        "scenes": ["scene.romance", "scene.work"],
        "self_check": {
            "reason.worthlessness": 2,
            "reason.unheard": 5,
            "reason.self_sacrifice": 1,
            "reason.proof_of_love": 4,
            "reason.childhood": 3,
        },
        "concern": "尽くしても報われない気がして苦しいです。",
        "preferred_format": "online",
        "contact": "メールでお願いします",
        "consent": True,
    }
    return body | overrides


def submit(client_api, django_capture_on_commit_callbacks, **overrides):
    with django_capture_on_commit_callbacks(execute=True):
        return client_api.post(INTAKES, payload(**overrides), format="json")


def test_a_client_submits_an_intake_and_the_consent_version_and_time_are_recorded(
    client_api, client_user, django_capture_on_commit_callbacks, settings
):
    privacy_policy_publish(version=date(2025, 5, 1), body="改定版")

    response = submit(client_api, django_capture_on_commit_callbacks)

    assert response.status_code == 201
    body = response.json()
    assert body["status"] == "submitted"
    assert body["scenes"] == ["scene.romance", "scene.work"]
    assert body["self_check"] == payload()["self_check"]
    assert body["consent_version"] == "2025-05-01"
    assert body["consented_at"].endswith("+09:00")
    assert body["crisis_support"] is None
    intake = Intake.objects.get()
    assert intake.client == client_user
    assert intake.consent_version == "2025-05-01"
    assert intake.consented_at is not None
    assert intake.answers.count() == 5
    assert mail.outbox == []


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"consent": False}, "consent"),
        ({"scenes": []}, "scenes"),
        ({"scenes": ["scene.moon"]}, "scenes"),
        ({"scenes": ["reason.unheard"]}, "scenes"),
        ({"self_check": {"reason.unheard": 3}}, "self_check"),
        (
            {"self_check": {code: 3 for code in REASONS} | {"reason.childhood.feelings_denied": 3}},
            "self_check",
        ),
        ({"self_check": {code: 6 for code in REASONS}}, "self_check"),
        ({"self_check": {code: 0 for code in REASONS}}, "self_check"),
        ({"preferred_format": "osaka"}, "preferred_format"),
        ({"concern": ""}, "concern"),
        ({"contact": "   "}, "contact"),
    ],
)
def test_an_invalid_intake_is_refused_with_the_field_named_and_nothing_stored(
    client_api, django_capture_on_commit_callbacks, overrides, field
):
    response = submit(client_api, django_capture_on_commit_callbacks, **overrides)

    assert response.status_code == 400
    assert field in response.json()
    assert not Intake.objects.exists()


def test_a_client_in_crisis_gets_crisis_lines_and_the_counselor_an_urgent_email(
    client_api, counselor, django_capture_on_commit_callbacks
):
    response = submit(client_api, django_capture_on_commit_callbacks, in_crisis=True)

    assert response.status_code == 201
    support = response.json()["crisis_support"]
    phones = [line["phone"] for line in support["lines"]]
    assert phones == ["0570-783-556", "0120-279-338", "119"]
    assert "いのちの電話" in support["lines"][0]["name"]
    assert "よりそいホットライン" in support["lines"][1]["name"]
    assert "119" in support["message"]
    [alert] = mail.outbox
    assert alert.to == [counselor.email]
    assert alert.subject.startswith("【至急】")
    assert alert.extra_headers["X-Priority"].startswith("1")
    assert "メールでお願いします" in alert.body
    # What the client wrote stays out of mail.
    assert "尽くしても報われない" not in alert.body


def test_the_crisis_alert_goes_to_the_practice_notification_address_when_one_is_set(
    client_api, counselor, django_capture_on_commit_callbacks, settings
):
    settings.COUNSELOR_NOTIFICATION_EMAIL = "urgent@counsel.example.jp"

    submit(client_api, django_capture_on_commit_callbacks, in_crisis=True)

    assert [message.to for message in mail.outbox] == [["urgent@counsel.example.jp"]]


def test_the_client_never_sees_the_suggestions_but_the_counselor_does(
    client_api, counselor_api, django_capture_on_commit_callbacks
):
    created = submit(client_api, django_capture_on_commit_callbacks).json()

    for body in (
        created,
        client_api.get(f"{INTAKES}{created['id']}/").json(),
        client_api.get(INTAKES).json()["results"][0],
    ):
        assert "suggestions" not in body
        assert "step" not in str(body)

    counselor_view = counselor_api.get(f"{INTAKES}{created['id']}/").json()
    suggestions = counselor_view["suggestions"]
    # unheard 5 and proof_of_love 4 are the strong answers, strongest first.
    assert [p["code"] for p in suggestions["patterns"]] == ["reason.unheard", "reason.proof_of_love"]
    assert [s["code"] for s in suggestions["steps"]] == ["step.1", "step.2", "step.3", "step.5"]
    assert counselor_view["client"]["id"] == Intake.objects.get().client_id


def test_the_counselor_reviews_then_accepts_and_the_client_is_emailed_on_acceptance(
    counselor_api, counselor, client_user, django_capture_on_commit_callbacks
):
    intake = IntakeFactory(client=client_user)
    url = f"{INTAKES}{intake.pk}/"

    with django_capture_on_commit_callbacks(execute=True):
        reviewed = counselor_api.patch(url, {"status": "reviewed"}, format="json")
    assert reviewed.status_code == 200
    assert reviewed.json()["status"] == "reviewed"
    assert reviewed.json()["counselor"] == counselor.pk
    assert mail.outbox == []

    with django_capture_on_commit_callbacks(execute=True):
        accepted = counselor_api.patch(url, {"status": "accepted"}, format="json")
    assert accepted.status_code == 200
    assert accepted.json()["status"] == "accepted"
    [notice] = mail.outbox
    assert notice.to == [client_user.email]
    assert "お受けします" in notice.subject

    final = counselor_api.patch(url, {"status": "declined"}, format="json")
    assert final.status_code == 409
    assert final.json()["status"] == "accepted"
    intake.refresh_from_db()
    assert intake.status == "accepted"


def test_declining_emails_the_client(counselor_api, client_user, django_capture_on_commit_callbacks):
    intake = IntakeFactory(client=client_user)

    with django_capture_on_commit_callbacks(execute=True):
        response = counselor_api.patch(f"{INTAKES}{intake.pk}/", {"status": "declined"}, format="json")

    assert response.status_code == 200
    [notice] = mail.outbox
    assert notice.to == [client_user.email]
    assert "お受けすることができません" in notice.body


def test_an_unknown_status_is_a_400_and_a_client_cannot_set_one(client_api, counselor_api, client_user):
    intake = IntakeFactory(client=client_user)
    url = f"{INTAKES}{intake.pk}/"

    assert counselor_api.patch(url, {"status": "submitted"}, format="json").status_code == 400
    assert client_api.patch(url, {"status": "accepted"}, format="json").status_code == 403
    intake.refresh_from_db()
    assert intake.status == "submitted"


def test_a_client_sees_only_their_own_intakes(client_api, client_user):
    own = IntakeFactory(client=client_user)
    other = IntakeFactory()

    listed = client_api.get(INTAKES)
    assert listed.status_code == 200
    assert [item["id"] for item in listed.json()["results"]] == [own.pk]
    assert client_api.get(f"{INTAKES}{own.pk}/").status_code == 200
    missing = client_api.get(f"{INTAKES}{other.pk}/")
    assert missing.status_code == 404
    assert client_api.get(f"{INTAKES}{other.pk + 1000}/").json() == missing.json()


def test_a_counselor_sees_waiting_intakes_their_own_and_their_clients_but_not_another_counselors(counselor):
    other_counselor = CounselorFactory()
    waiting = IntakeFactory()
    taken_by_me = IntakeFactory(counselor=counselor)
    taken_by_other = IntakeFactory(counselor=other_counselor)
    # A client who booked with me: their intake is mine to read even though another counselor took it.
    my_client = ClientFactory()
    BookingFactory(client=my_client, session_type=SessionTypeFactory(counselor=counselor))
    my_clients_intake = IntakeFactory(client=my_client, counselor=other_counselor)
    api = authenticated_client(counselor)

    listed = {item["id"] for item in api.get(INTAKES).json()["results"]}

    assert listed == {waiting.pk, taken_by_me.pk, my_clients_intake.pk}
    assert api.get(f"{INTAKES}{taken_by_other.pk}/").status_code == 404
    assert (
        api.patch(f"{INTAKES}{taken_by_other.pk}/", {"status": "accepted"}, format="json").status_code == 404
    )
    # Readable, but the decision belongs to the counselor who took it on.
    assert (
        api.patch(f"{INTAKES}{my_clients_intake.pk}/", {"status": "accepted"}, format="json").status_code
        == 409
    )


def test_the_counselor_filters_intakes_by_status(counselor_api):
    IntakeFactory(status="accepted")
    waiting = IntakeFactory()

    response = counselor_api.get(INTAKES, {"status": "submitted"})

    assert [item["id"] for item in response.json()["results"]] == [waiting.pk]
    assert counselor_api.get(INTAKES, {"status": "lost"}).status_code == 400


def _count_queries(api, url) -> tuple[int, int]:
    with CaptureQueriesContext(connection) as queries:
        response = api.get(url, {"page_size": 100})
    assert response.status_code == 200
    return len(queries), response.json()["count"]


@pytest.mark.parametrize("role", ["client", "counselor"])
def test_the_intake_list_costs_the_same_queries_for_1_and_50_intakes(role, client_user, counselor):
    api = authenticated_client(client_user if role == "client" else counselor)
    IntakeFactory(client=client_user)
    one, count = _count_queries(api, INTAKES)
    assert count == 1

    for _ in range(49):
        IntakeFactory(client=client_user, scenes=["scene.work", "scene.family"])
    fifty, count = _count_queries(api, INTAKES)

    assert count == 50
    assert fifty == one
