"""A PostgreSQL trigger that makes a table append-only: any UPDATE or DELETE, from any SQL, is refused.

SQLite (the embedded mode) has no such trigger; there the model's own refusal holds.
"""

from django.db import migrations


def append_only_trigger(*, table: str, function: str, kept: tuple[str, ...] = ()) -> migrations.RunPython:
    """The migration operation that installs (and on reversal drops) the trigger on ``table``.

    With ``kept`` columns, an UPDATE that leaves all of them as they were is let through: rows a data
    migration loads are written again (timestamps rounded) when the test database restores them.
    """
    unchanged = ""
    if kept:
        new, old = (", ".join(f"{row}.{column}" for column in kept) for row in ("NEW", "OLD"))
        unchanged = f"IF TG_OP = 'UPDATE' AND ({new}) IS NOT DISTINCT FROM ({old}) THEN RETURN NEW; END IF;"
    create = f"""
CREATE OR REPLACE FUNCTION {function}() RETURNS trigger AS $$
BEGIN
    {unchanged}
    RAISE EXCEPTION '{table} is append-only: % refused', TG_OP
        USING ERRCODE = 'restrict_violation';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER {table}_append_only
    BEFORE UPDATE OR DELETE ON {table}
    FOR EACH ROW EXECUTE FUNCTION {function}();
"""
    drop = f"""
DROP TRIGGER IF EXISTS {table}_append_only ON {table};
DROP FUNCTION IF EXISTS {function}();
"""

    def on_postgresql(sql):
        def run(apps, schema_editor):
            if schema_editor.connection.vendor == "postgresql":
                schema_editor.execute(sql, params=None)

        return run

    return migrations.RunPython(on_postgresql(create), on_postgresql(drop))
