"""The outbox keeps one index of kind and one of dedupe_key.

Declared on the fields (``db_index``, ``unique``), each also had a ``varchar_pattern_ops`` twin for
LIKE queries, which nothing runs; every row a fan-out writes, and every outcome saved, paid for both.
The new index and constraint are made before the old ones go, so the key is never without its guard.
"""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("outbox", "0005_sweeper_index_leaves_batch_reads_to_the_key")]

    operations = [
        migrations.AddConstraint(
            model_name="outboundemail",
            constraint=models.UniqueConstraint(fields=("dedupe_key",), name="outbox_email_dedupe_key_unique"),
        ),
        migrations.AddIndex(
            model_name="outboundemail",
            index=models.Index(fields=["kind"], name="outbox_email_kind_idx"),
        ),
        migrations.AlterField(
            model_name="outboundemail",
            name="dedupe_key",
            field=models.CharField(max_length=255, verbose_name="重複防止キー"),
        ),
        migrations.AlterField(
            model_name="outboundemail",
            name="kind",
            field=models.CharField(max_length=64, verbose_name="種類"),
        ),
    ]
