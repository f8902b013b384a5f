from django.core.management.base import BaseCommand
from django.db import transaction

from core.demo import demo_steps


class Command(BaseCommand):
    help = "Loads demo data (idempotent): a counselor, a client and what each app adds."

    def handle(self, *args, **options):
        shared: dict = {}
        with transaction.atomic():
            for step in demo_steps():
                step(shared, self.stdout.write)
        self.stdout.write(self.style.SUCCESS("Demo data is ready."))
