"""The nine exercises are written once: worksheet templates, the workbook PDF, the exercises page and
the lessons all show exactly the texts of counseling.exercises."""

import importlib
import io
import re

import pytest
from pypdf import PdfReader

from counseling.exercises import EXERCISES, STEP_INTROS, worksheet_template_fields
from counseling.models import WorksheetTemplate
from counseling.worksheet_answers import answers_errors
from newsletter.models import Lesson
from newsletter.services.content import content_of, issue_render
from newsletter.services.course import email_course_load
from newsletter.workbook_pdf import workbook_pdf_build

pytestmark = pytest.mark.django_db
EARLIER_TEMPLATES = importlib.import_module("counseling.migrations.0005_load_worksheet_templates").TEMPLATES
# An entry of each template as clients could store it before the wording was brought in line.
STORED_ANSWERS = {
    "step1.done_today": {"items": ["掃除", "料理", "散歩"]},
    "step1.good_points": {"points": ["聞き上手"]},
    "step2.self_forgiveness": {"situation": "職場", "feeling": "悔しい", "words_to_myself": "よくやった"},
    "step3.cherished_people": {"person": "母", "love_i_wanted_to_give": "安心", "acknowledgement": "優しい"},
    "step4.small_choices": {"situation": "昼食", "my_choice": "うどん", "how_i_felt": "軽い"},
    "step4.saying_no": {"situation": "残業", "what_i_said": "今日は無理です", "how_i_felt": "ほっとした"},
    "step4.time_for_myself": {"activity": "読書", "minutes": 20, "how_i_felt": "落ち着いた"},
    "step5.gratitude": {"given": ["同僚へ"], "received": ["友人から"]},
    "step5.relationship_balance": {"relationships": [{"person": "夫", "give": 5, "receive": 2}]},
}


def squeeze(text: str) -> str:
    return re.sub(r"\s", "", text)


def test_there_are_nine_exercises_one_template_each():
    assert len(EXERCISES) == 9
    assert sorted(exercise.code for exercise in EXERCISES) == sorted(
        WorksheetTemplate.objects.values_list("code", flat=True)
    )


def test_every_worksheet_template_says_exactly_what_the_single_source_says():
    for exercise in EXERCISES:
        template = WorksheetTemplate.objects.select_related("step").get(code=exercise.code)
        stored = {name: getattr(template, name) for name in worksheet_template_fields(exercise)}

        assert stored == worksheet_template_fields(exercise), exercise.code
        assert template.step.code == exercise.step


def test_bringing_the_wording_in_line_kept_every_field_key_so_stored_answers_still_fit():
    for earlier in EARLIER_TEMPLATES:
        schema = WorksheetTemplate.objects.get(code=earlier["code"]).answer_schema
        before = earlier["answer_schema"]

        assert schema["properties"].keys() == before["properties"].keys()
        assert schema["required"] == before["required"]
        assert answers_errors(schema=before, answers=STORED_ANSWERS[earlier["code"]]) == {}
        assert answers_errors(schema=schema, answers=STORED_ANSWERS[earlier["code"]]) == {}


def test_the_workbook_pdf_prints_every_exercise_as_the_single_source_words_it():
    reader = PdfReader(io.BytesIO(workbook_pdf_build(practice_name="こころの相談室")))
    printed = squeeze("".join(page.extract_text() for page in reader.pages))

    for exercise in EXERCISES:
        assert squeeze(exercise.heading) in printed, exercise.code
        assert squeeze(exercise.instructions) in printed, exercise.code
        for column in exercise.sheet_columns():
            assert squeeze(column) in printed, (exercise.code, column)
    for step in STEP_INTROS.values():
        assert squeeze(step.intro) in printed


def test_every_lesson_email_shows_its_exercise_in_the_single_sources_words_and_names_no_other():
    email_course_load()
    headings = {exercise.heading.split("　")[0]: exercise for exercise in EXERCISES}

    for lesson in Lesson.objects.exclude(exercise=""):
        rendered = issue_render(content=content_of(lesson), unsubscribe_link="https://example.jp/u/")
        exercise = next(item for item in EXERCISES if item.code == lesson.exercise)
        assert exercise.heading in rendered.text and exercise.instructions in rendered.text
        # A lesson that names a workbook exercise in its own text names the one it links to.
        for named in set(re.findall(r"ワーク\d(?:-\d)?", lesson.body_markdown)):
            assert headings[named].code == lesson.exercise, (lesson.code, named)


def test_the_exercises_page_shows_each_exercise_in_its_own_section(client):
    body = client.get("/newsletter/exercises/").content.decode()

    for exercise in EXERCISES:
        section = body.split(f'id="{exercise.anchor}"')[1].split("</section>")[0]
        assert exercise.heading in section and exercise.instructions in section
