"""The reason → step suggestions are the practice's own setting: shipped with defaults, edited in the
admin, and shown to the counselor as the practice's suggestion (the article states no such mapping)."""

import pytest

from counseling.models import IntakeAnswer, Pattern, StepSuggestion
from counseling.selectors.patterns import suggestions_for_answers
from tests.counseling.factories import IntakeFactory

pytestmark = pytest.mark.django_db
ADD = "/admin/counseling/stepsuggestion/add/"


def pk(code: str) -> int:
    return Pattern.objects.get(code=code).pk


def suggested_steps(intake) -> list[str]:
    answers = list(IntakeAnswer.objects.filter(intake=intake).select_related("reason"))
    return [step.code for step in suggestions_for_answers(answers)["steps"]]


def test_a_fresh_install_ships_todays_suggestions_as_setting_rows():
    rows = sorted(StepSuggestion.objects.values_list("reason__code", "step__code"))

    assert rows == [
        ("reason.childhood", "step.2"),
        ("reason.childhood", "step.3"),
        ("reason.proof_of_love", "step.1"),
        ("reason.proof_of_love", "step.5"),
        ("reason.self_sacrifice", "step.4"),
        ("reason.unheard", "step.2"),
        ("reason.unheard", "step.3"),
        ("reason.worthlessness", "step.1"),
    ]


def test_the_counselor_adds_a_suggestion_in_the_admin_and_the_intake_suggests_that_step(counselor_admin):
    intake = IntakeFactory(scores={"reason.self_sacrifice": 5})
    assert suggested_steps(intake) == ["step.4"]

    response = counselor_admin.post(ADD, {"reason": pk("reason.self_sacrifice"), "step": pk("step.5")})

    assert response.status_code == 302
    assert suggested_steps(intake) == ["step.4", "step.5"]


def test_the_counselor_removes_a_suggestion_in_the_admin_and_the_intake_no_longer_suggests_it(
    counselor_admin,
):
    intake = IntakeFactory(scores={"reason.worthlessness": 5})
    row = StepSuggestion.objects.get(reason__code="reason.worthlessness", step__code="step.1")

    response = counselor_admin.post(f"/admin/counseling/stepsuggestion/{row.pk}/delete/", {"post": "yes"})

    assert response.status_code == 302
    assert suggested_steps(intake) == []


@pytest.mark.parametrize(
    ("reason", "step"),
    [
        ("reason.childhood.praised_when_good", "step.2"),  # a sub-pattern is not asked at intake
        ("reason.unheard", "pain.strain"),  # only steps are suggested
        ("reason.unheard", "step.2"),  # already there
    ],
)
def test_the_admin_refuses_a_suggestion_that_is_no_reason_to_step_pair_and_changes_nothing(
    counselor_admin, reason, step
):
    before = StepSuggestion.objects.count()

    response = counselor_admin.post(ADD, {"reason": pk(reason), "step": pk(step)})

    assert response.status_code == 200
    assert "errornote" in response.content.decode()
    assert StepSuggestion.objects.count() == before


def test_the_counselors_intake_page_labels_the_steps_as_the_practices_suggestion(client, counselor):
    client.force_login(counselor)
    intake = IntakeFactory(scores={"reason.self_sacrifice": 5})

    body = client.get(f"/counselor/intakes/{intake.pk}/").content.decode()

    assert "当相談室の提案" in body
    assert "記事が述べている対応ではありません" in body
    assert "「自分がしたいこと」を大切にする" in body


def test_the_admin_intake_screen_labels_the_steps_as_the_practices_suggestion(counselor_admin):
    intake = IntakeFactory(scores={"reason.self_sacrifice": 5})

    page = counselor_admin.get(f"/admin/counseling/intake/{intake.pk}/change/").content.decode()

    assert "当相談室の提案" in page
    assert "本当は気が進まない頼みでも引き受けて" in page  # the statement the client rated
