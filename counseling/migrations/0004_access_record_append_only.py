"""Access records cannot be changed or deleted by any SQL, not only through the application.

PostgreSQL only: the embedded SQLite mode relies on the model's own refusal.
"""

from django.db import migrations

from core.append_only import append_only_trigger


class Migration(migrations.Migration):
    dependencies = [("counseling", "0003_notes_worksheets_access")]

    operations = [
        append_only_trigger(table="counseling_accessrecord", function="counseling_access_record_append_only")
    ]
