"""The booking overlap rule as a PostgreSQL exclusion constraint that other databases skip.

The embedded mode runs on SQLite, which has no GiST and no ranges: there the service check alone
protects, and SQLite's IMMEDIATE transactions let only one writer check and insert at a time.
"""

from django.contrib.postgres.constraints import ExclusionConstraint
from django.contrib.postgres.fields import DateTimeRangeField
from django.contrib.postgres.operations import BtreeGistExtension
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models import Func


class TsTzRange(Func):
    """``tstzrange(lower, upper)``, half-open: sessions ending and starting at 11:00 do not clash."""

    function = "TSTZRANGE"
    output_field = DateTimeRangeField()


def _is_postgresql(connection) -> bool:
    return connection.vendor == "postgresql"


class PostgresOnlyExclusionConstraint(ExclusionConstraint):
    """An ``ExclusionConstraint`` that is created on PostgreSQL and is a no-op elsewhere.

    Returning no SQL keeps SQLite's table rebuilds (which recreate every constraint of the model
    state) working for later migrations too.
    """

    def constraint_sql(self, model, schema_editor):
        if not _is_postgresql(schema_editor.connection):
            return None
        return super().constraint_sql(model, schema_editor)

    def create_sql(self, model, schema_editor):
        if not _is_postgresql(schema_editor.connection):
            return None
        return super().create_sql(model, schema_editor)

    def remove_sql(self, model, schema_editor):
        if not _is_postgresql(schema_editor.connection):
            return None
        return super().remove_sql(model, schema_editor)

    def validate(self, model, instance, exclude=None, using=DEFAULT_DB_ALIAS):
        if not _is_postgresql(connections[using]):
            return
        super().validate(model, instance, exclude=exclude, using=using)


class BtreeGistExtensionKept(BtreeGistExtension):
    """Creates btree_gist on PostgreSQL (a no-op elsewhere); migrating back leaves it installed.

    Other tables may rely on the extension, and Django's own backwards step would query
    ``pg_extension`` even on SQLite.
    """

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        return
