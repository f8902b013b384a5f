import factory
from django.utils import timezone

from accounts.models import User

PASSWORD = "correct-horse-battery"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"user{n}@example.com")
    display_name = factory.Faker("name", locale="ja_JP")
    role = User.Role.CLIENT
    email_verified_at = factory.LazyFunction(timezone.now)
    password = factory.django.Password(PASSWORD)


class ClientFactory(UserFactory):
    email = factory.Sequence(lambda n: f"client{n}@example.com")
    role = User.Role.CLIENT


class CounselorFactory(UserFactory):
    email = factory.Sequence(lambda n: f"counselor{n}@example.com")
    role = User.Role.COUNSELOR
    is_staff = True
