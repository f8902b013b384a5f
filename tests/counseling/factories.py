from datetime import time, timedelta

import factory
from django.utils import timezone

from counseling.models import (
    AvailabilityRule,
    Booking,
    CounselorProfile,
    Format,
    Intake,
    IntakeAnswer,
    Pattern,
    SessionNote,
    SessionType,
    TimeOff,
    Worksheet,
    WorksheetEntry,
    WorksheetTemplate,
)
from tests.accounts.factories import ClientFactory, CounselorFactory

REASONS = (
    "reason.worthlessness",
    "reason.unheard",
    "reason.self_sacrifice",
    "reason.proof_of_love",
    "reason.childhood",
)


class SessionTypeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SessionType

    counselor = factory.SubFactory(CounselorFactory)
    name = factory.Sequence(lambda n: f"オンラインカウンセリング{n}")
    format = Format.ONLINE
    location = ""
    duration_minutes = 60
    price_jpy = 10000
    buffer_minutes = 0
    active = True


class AvailabilityRuleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AvailabilityRule

    counselor = factory.SubFactory(CounselorFactory)
    weekday = 2
    start_time = time(10)
    end_time = time(12)
    format = Format.ONLINE


class TimeOffFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TimeOff

    counselor = factory.SubFactory(CounselorFactory)
    start = factory.LazyFunction(timezone.now)
    end = factory.LazyAttribute(lambda o: o.start + timedelta(hours=2))


class CounselorProfileFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CounselorProfile
        django_get_or_create = ("counselor",)

    counselor = factory.SubFactory(CounselorFactory)
    meeting_url = "https://meet.example.com/room-1"


class IntakeFactory(factory.django.DjangoModelFactory):
    """An intake with the five self-check answers (``scores`` overrides them) and one scene."""

    class Meta:
        model = Intake
        skip_postgeneration_save = True

    client = factory.SubFactory(ClientFactory)
    concern = "職場で頑張っても認められない気がします。"
    preferred_format = Format.ONLINE
    contact = "メールで"
    consent_version = "2025-04-01"
    consented_at = factory.LazyFunction(timezone.now)

    @factory.post_generation
    def scores(self, create, extracted, **kwargs):
        scores = {code: 3 for code in REASONS} | (extracted or {})
        reasons = {p.code: p for p in Pattern.objects.filter(code__in=scores)}
        IntakeAnswer.objects.bulk_create(
            [IntakeAnswer(intake=self, reason=reasons[code], score=score) for code, score in scores.items()]
        )

    @factory.post_generation
    def scenes(self, create, extracted, **kwargs):
        self.scenes.set(Pattern.objects.filter(code__in=extracted or ["scene.work"]))


class BookingFactory(factory.django.DjangoModelFactory):
    """A booking written straight to the table (no slot check), for lists and reminders."""

    class Meta:
        model = Booking

    session_type = factory.SubFactory(SessionTypeFactory)
    counselor = factory.LazyAttribute(lambda o: o.session_type.counselor)
    client = factory.SubFactory(ClientFactory)
    start = factory.LazyFunction(lambda: timezone.now() + timedelta(days=3))
    end = factory.LazyAttribute(lambda o: o.start + timedelta(minutes=o.session_type.duration_minutes))
    buffer_end = factory.LazyAttribute(lambda o: o.end + timedelta(minutes=o.session_type.buffer_minutes))


def client_of(counselor, **client_fields):
    """A client whose intake ``counselor`` took on: one of the counselor's clients."""
    client = ClientFactory(**client_fields)
    IntakeFactory(client=client, counselor=counselor, status=Intake.Status.ACCEPTED)
    return client


class SessionNoteFactory(factory.django.DjangoModelFactory):
    """A draft note written straight to the table; ``tags`` takes pattern codes."""

    class Meta:
        model = SessionNote
        skip_postgeneration_save = True

    counselor = factory.SubFactory(CounselorFactory)
    client = factory.LazyAttribute(lambda o: client_of(o.counselor))
    date = factory.LazyFunction(lambda: timezone.localdate())
    presenting_concern = "尽くしても報われないと感じる"
    observations = "話すうちに表情がやわらいだ"
    interventions = "できたことを一緒に数えた"
    homework = "今日できたことを3つ書く"
    plan = "次回はステップ2へ"

    @factory.post_generation
    def tags(self, create, extracted, **kwargs):
        if extracted:
            self.tags.set(Pattern.objects.filter(code__in=extracted))


class WorksheetFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Worksheet

    template = factory.LazyFunction(lambda: WorksheetTemplate.objects.get(code="step1.done_today"))
    counselor = factory.SubFactory(CounselorFactory)
    client = factory.LazyAttribute(lambda o: client_of(o.counselor))
    due_date = factory.LazyFunction(lambda: timezone.localdate() + timedelta(days=7))
    message = "毎晩、寝る前に書いてみてください。"


class WorksheetEntryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = WorksheetEntry

    worksheet = factory.SubFactory(WorksheetFactory)
    date = factory.LazyFunction(lambda: timezone.localdate())
    answers = factory.LazyFunction(lambda: {"items": ["掃除をした", "ご飯を作った", "人に親切にできた"]})
