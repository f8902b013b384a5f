from datetime import datetime, timedelta

import factory
from django.utils import timezone

from courses.models import Course, CourseSession
from tests.accounts.factories import CounselorFactory


def on_the_minute(**ahead) -> datetime:
    """A time from now, whole minutes as real sessions are (an .ics keeps no microseconds)."""
    return (timezone.now() + timedelta(**ahead)).replace(second=0, microsecond=0)


class CourseFactory(factory.django.DjangoModelFactory):
    """A published venue course with one session a week from now (pass ``sessions=0`` for none)."""

    class Meta:
        model = Course
        skip_postgeneration_save = True

    counselor = factory.SubFactory(CounselorFactory)
    title = factory.Sequence(lambda n: f"心理学講座 第{n}期")
    description = "自分の価値を内側で認める練習をします。"
    format = Course.Format.VENUE
    location = "東京都千代田区丸の内1-1-1 セミナールーム"
    capacity = 10
    price_jpy = 5000
    status = Course.Status.PUBLISHED

    @factory.post_generation
    def sessions(course, create, extracted, **kwargs):
        count = 1 if extracted is None else extracted
        for number in range(count):
            CourseSessionFactory(course=course, starts_at=on_the_minute(days=7 + 7 * number, hours=1))


class CourseSessionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CourseSession

    course = factory.SubFactory(CourseFactory, sessions=0)
    starts_at = factory.LazyFunction(lambda: on_the_minute(days=7))
    ends_at = factory.LazyAttribute(lambda session: session.starts_at + timedelta(hours=2))
