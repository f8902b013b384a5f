from django.db import migrations, models
from django.db.models import Q

# The kinds whose mail carries a key (a signed link, a meeting URL) when this migration was written.
SECRET_KINDS = Q(kind__in=["accounts.verify_email", "accounts.password_reset"]) | Q(
    kind__in=[
        "counseling.booking_confirmed",
        "counseling.booking_counselor_notice",
        "counseling.booking_reminder",
        "newsletter.confirm",
        "newsletter.welcome",
        "newsletter.workbook_link",
        "newsletter.lesson",
        "newsletter.broadcast",
    ]
) | Q(kind__startswith="courses.")


def forget_sent_secrets(apps, schema_editor):
    """Rows already finished lose the links they carried; pending rows keep them until sent."""
    OutboundEmail = apps.get_model("outbox", "OutboundEmail")
    secret = OutboundEmail.objects.filter(SECRET_KINDS)
    secret.update(carries_secret=True)
    secret.exclude(status="pending").update(body_text="", body_html="", headers={}, attachments=[])


class Migration(migrations.Migration):
    dependencies = [
        ("outbox", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="outboundemail",
            name="carries_secret",
            field=models.BooleanField(default=False, verbose_name="秘密を含む"),
        ),
        migrations.RunPython(forget_sent_secrets, migrations.RunPython.noop),
    ]
