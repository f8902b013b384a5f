"""Brings the worksheet templates' wording in line with the exercises written once in
``counseling.exercises`` (the workbook PDF and the email course read the same texts).

Only titles, instructions and the schema's titles change: field keys and required fields stay, so
answers already stored still meet their template's schema.
"""

from django.db import migrations


def templates_from_exercises(apps, schema_editor):
    from counseling.exercises import EXERCISES, worksheet_template_fields

    Pattern = apps.get_model("counseling", "Pattern")
    WorksheetTemplate = apps.get_model("counseling", "WorksheetTemplate")
    steps = {pattern.code: pattern for pattern in Pattern.objects.filter(kind="step")}
    for position, exercise in enumerate(EXERCISES, start=1):
        WorksheetTemplate.objects.update_or_create(
            code=exercise.code,
            defaults={**worksheet_template_fields(exercise), "step": steps[exercise.step], "position": position},
            create_defaults={
                **worksheet_template_fields(exercise),
                "step": steps[exercise.step],
                "position": position,
                "active": True,
            },
        )


class Migration(migrations.Migration):
    dependencies = [("counseling", "0007_booking_idempotency_request")]

    # Going back keeps the newer wording: it is only wording, and the keys never changed.
    operations = [migrations.RunPython(templates_from_exercises, migrations.RunPython.noop)]
