"""Re-encrypts every session note and addendum under the newest key of NOTES_ENCRYPTION_KEYS.

Rotation: put the new key first in NOTES_ENCRYPTION_KEYS (keep the old ones after it), deploy, run
this command, then remove the old keys. Interrupted, it can simply be run again.
"""

from django.core.management.base import BaseCommand, CommandError

from counseling.encryption import NoteKeyError
from counseling.services.notes import note_keys_rotate


class Command(BaseCommand):
    help = (
        "Re-encrypt every session note and addendum under the newest NOTES_ENCRYPTION_KEYS key, in batches."
    )

    def add_arguments(self, parser):
        parser.add_argument("--batch-size", type=int, default=500, help="rows per transaction (default 500)")

    def handle(self, *args, batch_size: int, **options):
        if batch_size < 1:
            raise CommandError("--batch-size must be at least 1.")

        def progress(label: str, done: int) -> None:
            self.stdout.write(f"{label}: {done} rows re-encrypted so far")

        try:
            total = note_keys_rotate(batch_size=batch_size, progress=progress)
        except NoteKeyError as error:
            raise CommandError(f"{error} Nothing after the last reported batch was changed.") from error
        self.stdout.write(self.style.SUCCESS(f"{total} rows now encrypted under the newest key."))
