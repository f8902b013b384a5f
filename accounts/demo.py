from django.utils import timezone

from accounts.models import User
from core.demo import register_demo_step

DEMO_COUNSELOR = ("counselor@example.com", "demo-counselor-pass", "山田 心")
DEMO_CLIENT = ("client@example.com", "demo-client-pass", "佐藤 花子")


@register_demo_step(order=0)
def seed_accounts(shared, write) -> None:
    for key, (email, password, name), role, staff in (
        ("counselor", DEMO_COUNSELOR, User.Role.COUNSELOR, True),
        ("client", DEMO_CLIENT, User.Role.CLIENT, False),
    ):
        user = User.objects.filter(email=email).first()
        if user is None:
            user = User.objects.create_user(
                email,
                password,
                display_name=name,
                role=role,
                is_staff=staff,
                is_superuser=staff,
                email_verified_at=timezone.now(),
            )
        shared[key] = user
        write(f"{role:<10} {email}  password: {password}")
