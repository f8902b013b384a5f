"""The email course the product ships (newsletter/email_course.yaml), loaded into the lessons.

Loading is safe to run on every start: a shipped lesson is created when missing, brought up to date
when the practice has not touched it, and left exactly as it is once the practice has edited it
(its text, codes or exercise no longer match what was last shipped).
"""

import hashlib
import json
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import yaml
from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from core.exceptions import ApplicationError
from counseling.exercises import EXERCISES_BY_CODE
from counseling.models import Pattern
from newsletter.models import Lesson

COURSE_FILE = Path(__file__).resolve().parent.parent / "email_course.yaml"


@dataclass(frozen=True)
class ShippedLesson:
    code: str
    subject: str
    body_markdown: str
    patterns: tuple[str, ...]
    exercise: str


@cache
def shipped_course() -> tuple[ShippedLesson, ...]:
    """The course as shipped, in the order subscribers receive it."""
    entries = yaml.safe_load(COURSE_FILE.read_text(encoding="utf-8"))
    return tuple(
        ShippedLesson(
            code=entry["code"],
            subject=entry["subject"],
            body_markdown=entry["body"],
            patterns=tuple(entry["patterns"]),
            exercise=entry["exercise"],
        )
        for entry in entries
    )


def lesson_digest(*, subject: str, body_markdown: str, patterns, exercise: str) -> str:
    content = json.dumps([subject, body_markdown, sorted(patterns), exercise], ensure_ascii=False)
    return hashlib.sha256(content.encode()).hexdigest()


def _current_digest(lesson: Lesson) -> str:
    return lesson_digest(
        subject=lesson.subject,
        body_markdown=lesson.body_markdown,
        patterns=[pattern.code for pattern in lesson.patterns.all()],
        exercise=lesson.exercise,
    )


def _shipped_digest(shipped: ShippedLesson) -> str:
    return lesson_digest(
        subject=shipped.subject,
        body_markdown=shipped.body_markdown,
        patterns=shipped.patterns,
        exercise=shipped.exercise,
    )


@dataclass
class CourseLoad:
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    kept_as_edited: list[str] = field(default_factory=list)


def _course_validate(course: tuple[ShippedLesson, ...], patterns: dict[str, Pattern]) -> None:
    unknown = sorted({code for lesson in course for code in lesson.patterns} - patterns.keys())
    missing_exercises = sorted(
        {lesson.exercise for lesson in course if lesson.exercise not in EXERCISES_BY_CODE}
    )
    if unknown or missing_exercises:
        raise ApplicationError(
            _("講座の定義に不明なコードがあります: %(codes)s")
            % {"codes": ", ".join(unknown + missing_exercises)}
        )


@transaction.atomic
def email_course_load() -> CourseLoad:
    """Creates the shipped lessons that are missing and updates the ones nobody has edited."""
    course = shipped_course()
    patterns = {pattern.code: pattern for pattern in Pattern.objects.all()}
    _course_validate(course, patterns)
    # One loader at a time: two starts at once would both pick the same free positions.
    existing = {
        lesson.code: lesson
        for lesson in Lesson.objects.select_for_update()
        .filter(code__in=[shipped.code for shipped in course])
        .prefetch_related("patterns")
    }
    result = CourseLoad()
    previous_position = 0
    for shipped in course:
        digest = _shipped_digest(shipped)
        lesson = existing.get(shipped.code)
        if lesson is None:
            lesson = _lesson_place(shipped, after=previous_position, digest=digest, patterns=patterns)
            result.created.append(shipped.code)
        elif _current_digest(lesson) != lesson.shipped_digest:
            result.kept_as_edited.append(shipped.code)
        elif lesson.shipped_digest != digest:
            lesson.subject, lesson.body_markdown = shipped.subject, shipped.body_markdown
            lesson.exercise, lesson.shipped_digest = shipped.exercise, digest
            lesson.full_clean()
            lesson.save()
            lesson.patterns.set([patterns[code] for code in shipped.patterns])
            result.updated.append(shipped.code)
        else:
            result.unchanged.append(shipped.code)
        previous_position = lesson.position
    return result


def _lesson_place(shipped: ShippedLesson, *, after: int, digest: str, patterns: dict) -> Lesson:
    """A new shipped lesson goes right after the previous shipped one, or after the last lesson when
    that position belongs to a lesson of the practice's own."""
    position = after + 1
    if Lesson.objects.filter(position=position).exists():
        position = (Lesson.objects.aggregate(last=Max("position"))["last"] or 0) + 1
    lesson = Lesson(
        position=position,
        code=shipped.code,
        subject=shipped.subject,
        body_markdown=shipped.body_markdown,
        exercise=shipped.exercise,
        shipped_digest=digest,
    )
    lesson.full_clean()
    lesson.save()
    lesson.patterns.set([patterns[code] for code in shipped.patterns])
    return lesson
