from django.core.management.base import BaseCommand, CommandError

from accounts.services import counselor_create
from core.exceptions import ApplicationError


class Command(BaseCommand):
    help = "Creates a counselor account (staff, with access to the admin screens)."

    def add_arguments(self, parser):
        parser.add_argument("--email", required=True)
        parser.add_argument("--password", required=True)
        parser.add_argument("--name", default="", help="Display name shown to clients.")
        parser.add_argument(
            "--owner", action="store_true", help="The practice owner: full access to every admin screen."
        )

    def handle(self, *args, email, password, name, owner, **options):
        try:
            user = counselor_create(email=email, password=password, display_name=name, is_superuser=owner)
        except ApplicationError as error:
            details = "; ".join(f"{field}: {' '.join(map(str, msgs))}" for field, msgs in error.extra.items())
            raise CommandError(f"{error.message} {details}".strip()) from error
        self.stdout.write(self.style.SUCCESS(f"Counselor {user.email} created (id {user.pk})."))
