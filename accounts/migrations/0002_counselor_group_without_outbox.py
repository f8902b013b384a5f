from django.db import migrations

COUNSELOR_GROUP = "カウンセラー"


def drop_outbox_permissions(apps, schema_editor):
    """Counselors keep no outbox permission: the outbox holds every client's mail and secret links."""
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for group in Group.objects.filter(name=COUNSELOR_GROUP):
        group.permissions.remove(*Permission.objects.filter(content_type__app_label="outbox"))


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(drop_outbox_permissions, migrations.RunPython.noop)]
