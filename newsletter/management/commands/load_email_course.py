from django.core.management.base import BaseCommand

from newsletter.services.course import email_course_load


class Command(BaseCommand):
    help = (
        "Loads the email course shipped with the product: adds missing lessons, updates untouched ones, "
        "and leaves lessons the practice has edited as they are. Safe to run on every start."
    )

    def handle(self, *args, **options):
        result = email_course_load()
        self.stdout.write(
            f"email course: {len(result.created)} added, {len(result.updated)} updated, "
            f"{len(result.unchanged)} unchanged, {len(result.kept_as_edited)} kept as edited"
        )
        for code in result.kept_as_edited:
            self.stdout.write(f"  kept as the practice edited it: {code}")
