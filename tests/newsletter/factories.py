import factory
from django.utils import timezone

from newsletter.consent import consent_version_current
from newsletter.models import Broadcast, Consent, Lesson, Subscriber


class SubscriberFactory(factory.django.DjangoModelFactory):
    """A confirmed, active subscriber with the consent record a real signup leaves."""

    class Meta:
        model = Subscriber
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"reader{n}@example.com")
    name = factory.Faker("name", locale="ja_JP")
    status = Subscriber.Status.ACTIVE
    confirmed_at = factory.LazyFunction(timezone.now)
    consent = factory.RelatedFactory(
        "tests.newsletter.factories.ConsentFactory",
        factory_related_name="subscriber",
        email=factory.SelfAttribute("..email"),
        confirmed_at=factory.SelfAttribute("..confirmed_at"),
    )


class ConsentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Consent

    subscriber = factory.SubFactory(SubscriberFactory, consent=None)
    email = factory.SelfAttribute("subscriber.email")
    given_at = factory.LazyFunction(timezone.now)
    ip_address = "203.0.113.7"
    user_agent = "Mozilla/5.0 (iPhone)"
    source = "website"
    wording_version = factory.LazyFunction(consent_version_current)


class LessonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Lesson

    position = factory.Sequence(lambda n: n + 1)
    subject = factory.LazyAttribute(lambda lesson: f"第{lesson.position}回 自分の価値を認める")
    body_markdown = factory.LazyAttribute(
        lambda lesson: f"第{lesson.position}回の本文です。**今日できたこと**を3つ書いてみましょう。"
    )


class BroadcastFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Broadcast

    subject = "講座のお知らせ"
    body_markdown = "名古屋で**心理学講座**を開きます。[詳しくはこちら](https://example.jp/courses/)"
    status = Broadcast.Status.SCHEDULED
