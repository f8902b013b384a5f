"""Versions cannot be changed or deleted by any SQL (PostgreSQL; SQLite relies on the model), and the
first version, in force from 2025-04-01 (the version intakes have recorded since), is loaded."""

from datetime import date

from django.conf import settings
from django.db import migrations

from core.append_only import append_only_trigger
from privacy.initial_policy import BODY_EN, BODY_JA

def load_first_version(apps, schema_editor):
    PrivacyPolicy = apps.get_model("privacy", "PrivacyPolicy")
    facts = {
        "practice_name": settings.PRACTICE_NAME,
        "postal_address": settings.PRACTICE_POSTAL_ADDRESS,
        "contact_email": settings.PRACTICE_CONTACT_EMAIL,
    }
    PrivacyPolicy.objects.get_or_create(
        version=date(2025, 4, 1), defaults={"body": BODY_JA.format(**facts), "body_en": BODY_EN.format(**facts)}
    )


class Migration(migrations.Migration):
    dependencies = [("privacy", "0001_privacy_policy")]

    operations = [
        migrations.RunPython(load_first_version, migrations.RunPython.noop),
        append_only_trigger(
            table="privacy_privacypolicy", function="privacy_policy_append_only", kept=("version", "body", "body_en")
        ),
    ]
