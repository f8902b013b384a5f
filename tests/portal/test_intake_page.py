import pytest
from django.core import mail

from counseling.models import Intake
from counseling.self_check import SELF_CHECK_STATEMENTS
from tests.counseling.factories import IntakeFactory

pytestmark = pytest.mark.django_db

INTAKE = "/portal/intake/"


def intake_form(**overrides) -> dict:
    return {
        "scenes": ["scene.romance", "scene.work"],
        "self_check_worthlessness": "2",
        "self_check_unheard": "5",
        "self_check_self_sacrifice": "1",
        "self_check_proof_of_love": "4",
        "self_check_childhood": "3",
        "concern": "尽くしても報われない気がして苦しいです。",
        "preferred_format": "online",
        "contact": "メールでお願いします",
        "consent": "on",
    } | overrides


def test_the_intake_form_asks_the_five_self_check_statements_on_a_1_to_5_scale(client, client_user):
    client.force_login(client_user)

    body = client.get(INTAKE).content.decode()

    # Everyday statements about the person, not the method's headings.
    for statement in SELF_CHECK_STATEMENTS.values():
        assert str(statement) in body
    assert "強い「無価値感」や「罪悪感」を抱えている" not in body
    assert "学習性無力感" not in body
    for score in range(1, 6):
        assert f'name="self_check_unheard" value="{score}"' in body
    assert "<legend>" in body


def test_a_client_hands_in_the_intake_and_it_is_stored_with_every_answer(client, client_user):
    client.force_login(client_user)

    response = client.post(INTAKE, intake_form())

    assert response.status_code == 200
    assert "インテークを受け付けました" in response.content.decode()
    intake = Intake.objects.get(client=client_user)
    assert sorted(scene.code for scene in intake.scenes.all()) == ["scene.romance", "scene.work"]
    assert {answer.reason.code: answer.score for answer in intake.answers.all()} == {
        "reason.worthlessness": 2,
        "reason.unheard": 5,
        "reason.self_sacrifice": 1,
        "reason.proof_of_love": 4,
        "reason.childhood": 3,
    }
    assert intake.preferred_format == "online"


def test_a_missing_answer_is_shown_next_to_its_question_and_what_was_typed_stays(client, client_user):
    client.force_login(client_user)
    form = intake_form()
    del form["self_check_childhood"]
    del form["consent"]

    response = client.post(INTAKE, form)

    body = response.content.decode()
    assert response.status_code == 400
    assert 'id="id_self_check_childhood_error"' in body
    assert 'id="id_consent_error"' in body
    assert "尽くしても報われない気がして苦しいです。" in body
    assert 'value="5" required id="id_self_check_unheard_4" checked' in body
    assert not Intake.objects.exists()


def test_a_client_in_crisis_sees_where_to_call_at_once_and_the_counselor_is_alerted(
    client, client_user, counselor, django_capture_on_commit_callbacks
):
    client.force_login(client_user)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(INTAKE, intake_form(in_crisis="on"))

    body = response.content.decode()
    assert "今すぐ相談できる窓口" in body
    assert 'href="tel:0120-279-338"' in body
    assert [message.to for message in mail.outbox] == [[counselor.email]]


def test_after_handing_in_the_intake_the_page_shows_where_it_stands_instead_of_the_form(client, client_user):
    IntakeFactory(client=client_user, status=Intake.Status.REVIEWED)
    client.force_login(client_user)

    body = client.get(INTAKE).content.decode()

    assert "提出済みです（状態：確認済み）" in body
    assert 'name="concern"' not in body


def test_a_declined_client_may_hand_in_a_new_intake(client, client_user):
    IntakeFactory(client=client_user, status=Intake.Status.DECLINED)
    client.force_login(client_user)

    response = client.post(INTAKE, intake_form())

    assert response.status_code == 200
    assert Intake.objects.filter(client=client_user).count() == 2
