"""The reason → step suggestions become the practice's own setting (StepSuggestion rows, edited in
the admin) instead of part of the article's pattern table; today's suggestions are carried over."""

from django.db import migrations, models


def copy_suggestions(apps, schema_editor):
    Pattern = apps.get_model("counseling", "Pattern")
    StepSuggestion = apps.get_model("counseling", "StepSuggestion")
    rows = Pattern.suggested_steps.through.objects.all()
    StepSuggestion.objects.bulk_create(
        [StepSuggestion(reason_id=row.from_pattern_id, step_id=row.to_pattern_id) for row in rows],
        ignore_conflicts=True,
    )


def copy_back(apps, schema_editor):
    Pattern = apps.get_model("counseling", "Pattern")
    StepSuggestion = apps.get_model("counseling", "StepSuggestion")
    Through = Pattern.suggested_steps.through
    Through.objects.bulk_create(
        [Through(from_pattern_id=row.reason_id, to_pattern_id=row.step_id) for row in StepSuggestion.objects.all()],
        ignore_conflicts=True,
    )


class Migration(migrations.Migration):
    dependencies = [("counseling", "0008_worksheet_templates_from_exercises")]

    operations = [
        migrations.CreateModel(
            name="StepSuggestion",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                (
                    "reason",
                    models.ForeignKey(
                        limit_choices_to={"kind": "reason", "parent__isnull": True},
                        on_delete=models.deletion.CASCADE,
                        related_name="+",
                        to="counseling.pattern",
                        verbose_name="理由",
                    ),
                ),
                (
                    "step",
                    models.ForeignKey(
                        limit_choices_to={"kind": "step"},
                        on_delete=models.deletion.CASCADE,
                        related_name="+",
                        to="counseling.pattern",
                        verbose_name="推奨するステップ",
                    ),
                ),
            ],
            options={
                "verbose_name": "推奨ステップ（当相談室の設定）",
                "verbose_name_plural": "推奨ステップ（当相談室の設定）",
                "ordering": ["reason__position", "step__position"],
                "constraints": [
                    models.UniqueConstraint(fields=("reason", "step"), name="counseling_stepsuggestion_unique")
                ],
            },
        ),
        migrations.RunPython(copy_suggestions, copy_back),
        migrations.RemoveField(model_name="pattern", name="suggested_steps"),
        migrations.AddField(
            model_name="pattern",
            name="suggested_steps",
            field=models.ManyToManyField(
                blank=True,
                related_name="suggested_for",
                symmetrical=False,
                through="counseling.StepSuggestion",
                through_fields=("reason", "step"),
                to="counseling.pattern",
                verbose_name="当相談室の推奨ステップ",
            ),
        ),
    ]
