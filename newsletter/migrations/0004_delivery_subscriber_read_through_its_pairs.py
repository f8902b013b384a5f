"""A delivery's subscriber is read through the two indexes that begin with it (one per slot, and by
lesson); its own index only cost each row a fan-out writes."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("newsletter", "0003_delivery_only_indexes_read"),
    ]

    operations = [
        migrations.AlterField(
            model_name="delivery",
            name="subscriber",
            field=models.ForeignKey(
                db_index=False,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="deliveries",
                to="newsletter.subscriber",
            ),
        ),
    ]
