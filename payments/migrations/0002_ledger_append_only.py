"""Ledger entries cannot be changed or deleted by any SQL, not only through the application.

PostgreSQL only: the embedded SQLite mode relies on the model's own refusal.
"""

from django.db import migrations

from core.append_only import append_only_trigger


class Migration(migrations.Migration):
    dependencies = [("payments", "0001_initial")]

    operations = [append_only_trigger(table="payments_ledgerentry", function="payments_ledger_entry_append_only")]
