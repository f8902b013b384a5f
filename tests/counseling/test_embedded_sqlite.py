"""The embedded mode (`make run`): the counseling migrations apply on SQLite, where the exclusion
constraint is skipped, and the demo offers slots that book once and only once."""

import subprocess
import sys

from tests.core.test_embedded_smoke import ROOT, embedded_env

BOOK_TWICE = """
from datetime import timedelta
from django.utils import timezone
from accounts.models import User
from core.exceptions import ConflictError
from core.localtime import local_date
from counseling.models import SessionType
from counseling.selectors.availability import slot_list
from counseling.services.bookings import booking_create

client = User.objects.get(email="client@example.com")
online = SessionType.objects.get(format="online")
today = local_date(timezone.now())
slots = slot_list(session_type=online, date_from=today, date_to=today + timedelta(days=13))
booking, created = booking_create(client=client, session_type=online, start=slots[0].start)
try:
    booking_create(client=client, session_type=online, start=slots[0].start)
    second = "booked"
except ConflictError:
    second = "conflict"

# A later migration altering the table makes SQLite rebuild it from the model's constraints:
# the PostgreSQL-only one must stay out of the rebuilt table.
from django.db import connection, models
from counseling.models import Booking
old_field = Booking._meta.get_field("cancellation_reason")
new_field = models.CharField(max_length=600, blank=True)
new_field.set_attributes_from_name("cancellation_reason")
with connection.schema_editor() as editor:
    editor.alter_field(Booking, old_field, new_field)
print(len(slots) > 0, created, second, booking.meeting_url != "", Booking.objects.count())
"""


def test_counseling_migrates_seeds_and_refuses_a_double_booking_on_sqlite(tmp_path):
    env = embedded_env(tmp_path)
    for command in (
        ["migrate", "--no-input", "-v", "0"],
        ["seed_demo"],
        ["shell", "-c", BOOK_TWICE],
        ["migrate", "counseling", "zero", "--no-input", "-v", "0"],
        ["migrate", "--no-input", "-v", "0"],
    ):
        result = subprocess.run(
            [sys.executable, "manage.py", *command],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=180,
        )
        assert result.returncode == 0, result.stderr
        if command[0] == "shell":
            assert result.stdout.strip().splitlines()[-1] == "True True conflict True 1"
