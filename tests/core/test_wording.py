"""Wording a client or the counselor meets on the way: Japanese typography and English that reads."""

import re
from pathlib import Path

import pytest
from django.core import mail
from django.utils import translation
from django.utils.translation import gettext, ngettext

from core.templatetags.japanese_text import quoted
from courses.services.enrollments import enrollment_create
from tests.courses.factories import CourseFactory

CATALOG = Path(__file__).resolve().parents[2] / "locale" / "en" / "LC_MESSAGES" / "django.po"


def test_a_title_holding_quotes_is_quoted_with_nested_japanese_quotes():
    assert (
        quoted("オンライン心理学講座「見返りを求めてしまう心」")
        == "「オンライン心理学講座『見返りを求めてしまう心』」"
    )
    assert quoted("「心を整える」") == "「心を整える」"
    assert quoted("見返りを求めてしまう心") == "「見返りを求めてしまう心」"


@pytest.mark.django_db
def test_course_mails_never_nest_the_same_quotes(django_capture_on_commit_callbacks):
    course = CourseFactory(capacity=1, title="オンライン心理学講座「見返りを求めてしまう心」")
    with django_capture_on_commit_callbacks(execute=True):
        enrollment_create(course=course, guest_name="花子", guest_email="a@example.com")
        enrollment_create(course=course, guest_name="次郎", guest_email="b@example.com")

    assert len(mail.outbox) == 2
    for message in mail.outbox:
        for text in (message.subject, message.body):
            assert "「オンライン心理学講座『見返りを求めてしまう心』」" in text
            assert not re.search(r"「[^」]*「", text), text


def _translated_strings() -> list[str]:
    strings = re.findall(r'^msgstr(?:\[\d\])? "(.+)"$', CATALOG.read_text(encoding="utf-8"), re.M)
    assert len(strings) > 300
    return strings


def test_the_english_catalog_has_no_full_width_punctuation_or_curly_apostrophes():
    # A Japanese font renders ’ and full-width brackets a full em wide in English text ("Today’ s").
    # A Japanese label quoted as it appears (“推奨ステップ（…）” in the Japanese-only admin) is kept as is.
    unquoted = {text: re.sub(r"“[^”]*”", "", text) for text in _translated_strings()}
    offending = [text for text, prose in unquoted.items() if re.search(r"[’（）「」『』【】、。：]", prose)]
    assert offending == []


def test_the_status_and_the_date_of_a_handed_in_worksheet_read_differently_in_english():
    with translation.override("en"):
        assert gettext("提出済み") != gettext("提出日時")


def test_the_number_of_items_to_write_is_counted_in_items_in_both_languages():
    message = "%(count)s項目を入力してください。"
    with translation.override("ja"):
        assert ngettext(message, message, 3) % {"count": 3} == "3項目を入力してください。"
    with translation.override("en"):
        assert ngettext(message, message, 3) % {"count": 3} == "Please write 3 items."


@pytest.mark.django_db
def test_the_register_page_says_guests_can_enrol_in_courses_without_an_account(client):
    body = client.get("/accounts/register/").content.decode()

    assert "講座のお申し込みには、アカウントの登録が必要です" not in body
    assert "アカウントがなくても" in body and 'href="/courses/"' in body
