"""The email course shipped with the product: whole, in the article's order, in its own words."""

import re
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.conf import settings
from django.core import mail
from django.core.management import call_command

from core.exceptions import ApplicationError
from counseling.exercises import EXERCISES_BY_CODE
from counseling.models import Pattern
from newsletter.models import Lesson
from newsletter.services import course
from newsletter.services.content import content_of, issue_render, lesson_update
from newsletter.services.course import ShippedLesson, email_course_load, shipped_course
from newsletter.services.subscribers import subscriber_confirm, subscriber_subscribe
from newsletter.tasks import newsletter_plan_due_slots_task
from newsletter.tokens import confirm_token_make
from tests.newsletter.factories import LessonFactory

pytestmark = pytest.mark.django_db
TOKYO = ZoneInfo("Asia/Tokyo")
# Shared runs this long or longer count as copied: long enough that common phrases and the method's
# short names ("見返りを求めてしまう") do not, short enough that any copied sentence does.
COPY_RUN = 20


def tokyo(*args) -> datetime:
    return datetime(*args, tzinfo=TOKYO)


ARTICLE = Path(__file__).with_name("data") / "article.txt"


def article_text() -> str:
    """The practice's article that the course is written from, kept beside this test."""
    return ARTICLE.read_text(encoding="utf-8")


def squeeze(text: str) -> str:
    """Text without whitespace and Markdown marks, so that a copy cannot hide behind line breaks."""
    return re.sub(r"[\s*_#>\[\]()`\-|]", "", text)


def longest_shared_run(text: str, source: str) -> str:
    text, source = squeeze(text), squeeze(source)
    longest, start = "", 0
    for end in range(1, len(text) + 1):
        while start < end and text[start:end] not in source:
            start += 1
        if end - start > len(longest):
            longest = text[start:end]
    return longest


def rendered_lesson_text(lesson: Lesson) -> str:
    rendered = issue_render(content=content_of(lesson), unsubscribe_link="https://example.jp/u/")
    return rendered.subject + "\n" + rendered.text


def test_the_article_is_there_to_compare_with():
    assert "見返りを求めてしまう" in article_text()


def test_the_course_has_18_to_22_lessons_in_the_articles_order():
    lessons = shipped_course()
    assert 18 <= len(lessons) <= 22

    order = {"scene": 1, "reason": 2, "pain": 3, "step": 4}
    kinds = [order[code.split(".")[0]] for lesson in lessons[:-1] for code in lesson.patterns]
    assert kinds == sorted(kinds)  # scenes, then reasons, then pains, then steps
    reasons = [code for lesson in lessons for code in lesson.patterns if code.count(".") == 1]
    reasons = [code for code in reasons if code.startswith("reason.")]
    assert list(dict.fromkeys(reasons)) == [
        "reason.worthlessness",
        "reason.unheard",
        "reason.self_sacrifice",
        "reason.proof_of_love",
        "reason.childhood",
    ]
    steps = [code for lesson in lessons[:-1] for code in lesson.patterns if code.startswith("step.")]
    assert steps == sorted(steps) and set(steps) == {f"step.{n}" for n in range(1, 6)}
    # Every step has a lesson of its own, and step 3 is not left out.
    assert all(any(lesson.patterns == (f"step.{n}",) for lesson in lessons) for n in range(1, 6))


def test_every_lesson_picks_up_from_the_last_and_gives_one_practice_with_a_workbook_exercise():
    lessons = shipped_course()
    for number, lesson in enumerate(lessons, start=1):
        opening = lesson.body_markdown.split("\n\n")[0]
        if number > 1:
            assert "前回" in opening, lesson.code
        assert lesson.subject.strip(), lesson.code
        assert lesson.body_markdown.count("**今日の小さな練習**") == 1, lesson.code
        assert lesson.exercise in EXERCISES_BY_CODE, lesson.code
    # Together the lessons point to every one of the nine exercises.
    assert {lesson.exercise for lesson in lessons} == set(EXERCISES_BY_CODE)


def test_the_closing_lesson_invites_to_counseling_in_tokyo_nagoya_online_and_to_the_courses():
    closing = shipped_course()[-1]

    for words in ("東京", "名古屋", "オンライン", "カウンセリング", "講座"):
        assert words in closing.body_markdown
    lesson = Lesson(subject=closing.subject, body_markdown=closing.body_markdown)
    text = content_of(lesson).text
    assert f"{settings.SITE_URL}/courses/" in text
    assert f"{settings.SITE_URL}/portal/book/" in text
    assert "{site_url}" not in text


def test_no_lesson_sentence_appears_verbatim_in_the_article():
    email_course_load()
    article = article_text()

    for lesson in Lesson.objects.exclude(code=None):
        copied = longest_shared_run(rendered_lesson_text(lesson), article)
        assert len(copied) < COPY_RUN, f"{lesson.code}: {copied}"


def test_the_copy_check_catches_a_sentence_taken_from_the_article():
    sentence = "見返りを求めてしまう根本には、「自分の価値を感じられていないこと」があります。"

    assert len(longest_shared_run(f"今日のお話です。{sentence}", article_text())) >= COPY_RUN


def test_every_pattern_of_the_method_is_taught_by_at_least_one_lesson():
    email_course_load()

    taught = set(Pattern.objects.filter(lessons__isnull=False).values_list("code", flat=True))

    assert taught == set(Pattern.objects.values_list("code", flat=True))


def test_loading_the_course_twice_changes_nothing(capsys):
    call_command("load_email_course")
    before = list(Lesson.objects.order_by("position").values_list("code", "position", "updated_at"))

    call_command("load_email_course")

    assert list(Lesson.objects.order_by("position").values_list("code", "position", "updated_at")) == before
    assert [code for code, position, _ in before] == [lesson.code for lesson in shipped_course()]
    assert f"0 added, 0 updated, {len(before)} unchanged, 0 kept as edited" in capsys.readouterr().out


def _shipped_with_new_wording(monkeypatch) -> tuple[ShippedLesson, ...]:
    original = shipped_course()
    revised = tuple(
        ShippedLesson(
            code=lesson.code,
            subject=lesson.subject + "（改訂）",
            body_markdown=lesson.body_markdown,
            patterns=lesson.patterns,
            exercise=lesson.exercise,
        )
        for lesson in original
    )
    monkeypatch.setattr(course, "shipped_course", lambda: revised)
    return revised


def test_a_new_version_of_the_course_updates_lessons_nobody_edited_and_keeps_the_ones_the_practice_did(
    monkeypatch,
):
    email_course_load()
    edited = Lesson.objects.get(code=shipped_course()[2].code)
    lesson_update(lesson=edited, body_markdown="相談室で書き直した本文です。", patterns=["scene.work"])
    retagged = Lesson.objects.get(code=shipped_course()[4].code)
    lesson_update(lesson=retagged, patterns=["reason.unheard"])
    _shipped_with_new_wording(monkeypatch)

    result = email_course_load()

    assert sorted(result.kept_as_edited) == sorted([edited.code, retagged.code])
    assert len(result.updated) == len(shipped_course()) - 2
    edited.refresh_from_db()
    assert edited.body_markdown == "相談室で書き直した本文です。"
    assert not edited.subject.endswith("（改訂）")
    assert [pattern.code for pattern in edited.patterns.all()] == ["scene.work"]
    untouched = Lesson.objects.get(code=shipped_course()[0].code)
    assert untouched.subject.endswith("（改訂）")
    assert email_course_load().kept_as_edited == result.kept_as_edited  # and again next start


def test_the_course_goes_after_lessons_the_practice_wrote_itself_in_its_own_order():
    own = [LessonFactory(position=1), LessonFactory(position=2)]

    email_course_load()

    shipped = list(Lesson.objects.exclude(code=None).order_by("position"))
    assert [lesson.code for lesson in shipped] == [lesson.code for lesson in shipped_course()]
    assert shipped[0].position > own[-1].position


def test_a_course_with_an_unknown_code_is_refused_and_loads_nothing(monkeypatch):
    broken = (ShippedLesson("x.1", "件名", "本文", ("reason.none",), "step1.done_today"),)
    monkeypatch.setattr(course, "shipped_course", lambda: broken)

    with pytest.raises(ApplicationError, match=r"reason\.none"):
        email_course_load()
    assert not Lesson.objects.exists()


def _confirmed_subscriber(email: str):
    subscriber = subscriber_subscribe(
        email=email, source="test", wording_version="2026-01", ip_address=None, user_agent=""
    )
    token = confirm_token_make(subscriber_id=subscriber.pk, consent_id=subscriber.consents.get().pk)
    return subscriber_confirm(token=token, ip_address=None)


def _newsletter_messages():
    return [message for message in mail.outbox if "List-Unsubscribe" in message.extra_headers]


def test_one_subscriber_gets_the_whole_course_one_lesson_a_slot_in_order_with_working_links(
    client, workbook, django_capture_on_commit_callbacks
):
    email_course_load()
    lessons = list(Lesson.objects.order_by("position").prefetch_related("patterns"))
    with (
        time_machine.travel(tokyo(2026, 3, 3, 10), tick=False),  # a Tuesday
        django_capture_on_commit_callbacks(execute=True),
    ):
        subscriber = _confirmed_subscriber("course@example.com")

    received = []
    slot_time = tokyo(2026, 3, 4, 7)  # Wednesday, the first slot after confirming
    slots_seen = 0
    while slot_time < tokyo(2026, 5, 1):
        if slot_time.weekday() in settings.NEWSLETTER_SEND_WEEKDAYS:
            slots_seen += 1
            before = len(_newsletter_messages())
            with (
                time_machine.travel(slot_time, tick=False),
                django_capture_on_commit_callbacks(execute=True),
            ):
                newsletter_plan_due_slots_task.delay()
            new = _newsletter_messages()[before:]
            assert len(new) <= 1, slot_time  # never two in one slot
            if new:
                message = new[0]
                received.append(message)
                with time_machine.travel(slot_time + timedelta(hours=3), tick=False):
                    _assert_lesson_email_works(client, message, subscriber)
            if len(received) == len(lessons):
                break
        slot_time += timedelta(days=1)

    assert [message.subject for message in received] == [content_of(lesson).subject for lesson in lessons]
    assert slots_seen == len(lessons)  # one lesson in every slot, none skipped
    assert len(lessons) / 3 <= 7.34  # six to seven weeks at three a week
    taught = {pattern.code for lesson in lessons for pattern in lesson.patterns.all()}
    assert taught == set(Pattern.objects.values_list("code", flat=True))
    for message, lesson in zip(received, lessons, strict=True):
        exercise = EXERCISES_BY_CODE[lesson.exercise]
        assert exercise.heading in message.body and exercise.instructions in message.body


def _assert_lesson_email_works(client, message, subscriber) -> None:
    text = message.body
    html = message.alternatives[0][0]
    # The legal footer (特定電子メール法): sender, postal address, contact and an unsubscribe link.
    for footer in (
        settings.PRACTICE_NAME,
        settings.PRACTICE_POSTAL_ADDRESS,
        settings.PRACTICE_CONTACT_EMAIL,
        "/newsletter/unsubscribe/",
    ):
        assert footer in text and footer in html
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"

    workbook_links = re.findall(rf"{re.escape(settings.SITE_URL)}(/newsletter/workbook/[^/\s\"]+/)", text)
    assert len(workbook_links) == 1
    assert workbook_links[0] in html
    download = client.get(workbook_links[0])
    assert download.status_code == 200
    assert b"".join(download.streaming_content).startswith(b"%PDF")
    assert subscriber.downloads.exists()

    section = re.search(rf"{re.escape(settings.SITE_URL)}(/newsletter/exercises/)#(work-[\d-]+)", text)
    assert section
    page = client.get(section.group(1))
    assert page.status_code == 200
    assert f'id="{section.group(2)}"' in page.content.decode()
