"""Access records cannot be changed or deleted by any SQL, not only through the application.

PostgreSQL only: the embedded SQLite mode relies on the model's own refusal.
"""

from django.db import migrations

CREATE = """
CREATE OR REPLACE FUNCTION counseling_access_record_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'counseling_accessrecord is append-only: % refused', TG_OP
        USING ERRCODE = 'restrict_violation';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER counseling_accessrecord_append_only
    BEFORE UPDATE OR DELETE ON counseling_accessrecord
    FOR EACH ROW EXECUTE FUNCTION counseling_access_record_append_only();
"""

DROP = """
DROP TRIGGER IF EXISTS counseling_accessrecord_append_only ON counseling_accessrecord;
DROP FUNCTION IF EXISTS counseling_access_record_append_only();
"""


def _on_postgresql(sql):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(sql, params=None)

    return run


class Migration(migrations.Migration):
    dependencies = [("counseling", "0003_notes_worksheets_access")]

    operations = [migrations.RunPython(_on_postgresql(CREATE), _on_postgresql(DROP))]
