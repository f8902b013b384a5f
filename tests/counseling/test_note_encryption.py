"""Session-note text at rest: ciphertext in the tables, keys from the environment, rotation in batches."""

import os
import stat
import subprocess
import sys
from io import StringIO

import pytest
from cryptography.fernet import Fernet
from django.core.management import CommandError, call_command
from django.db import connection

from counseling.checks import note_keys_check
from counseling.encryption import NoteKeyError, note_keys
from counseling.models import SessionNote, SessionNoteAddendum
from tests.core.test_settings import ROOT, production_env
from tests.counseling.factories import SessionNoteFactory, client_of

pytestmark = pytest.mark.django_db

SECRET_CONCERN = "父に認められたくて、ずっと頑張り続けてきた"
SECRET_ADDENDUM = "後日、母との関係についても話したいと連絡があった"


def _raw_rows(table: str) -> str:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT * FROM {table}")  # noqa: S608 -- a fixed table name
        return repr(cursor.fetchall())


def _key() -> str:
    return Fernet.generate_key().decode()


def test_a_raw_select_of_the_notes_tables_holds_no_plaintext_of_a_note_written_through_the_api(
    counselor, counselor_api, frozen_now
):
    client = client_of(counselor)
    created = counselor_api.post(
        "/api/v1/session-notes/",
        {
            "client": client.pk,
            "date": "2025-05-30",
            "presenting_concern": SECRET_CONCERN,
            "plan": "ステップ1",
        },
        format="json",
    )
    note_id = created.json()["id"]
    counselor_api.post(f"/api/v1/session-notes/{note_id}/sign/")
    counselor_api.post(f"/api/v1/session-notes/{note_id}/addenda/", {"text": SECRET_ADDENDUM}, format="json")

    notes, addenda = _raw_rows("counseling_sessionnote"), _raw_rows("counseling_sessionnoteaddendum")

    assert created.status_code == 201
    assert SECRET_CONCERN not in notes and "ステップ1" not in notes
    assert SECRET_ADDENDUM not in addenda
    assert "gAAAAA" in notes and "gAAAAA" in addenda  # Fernet tokens stand in their place
    # Read back through the application, the text is whole.
    detail = counselor_api.get(f"/api/v1/session-notes/{note_id}/").json()
    assert detail["presenting_concern"] == SECRET_CONCERN
    assert detail["addenda"][0]["text"] == SECRET_ADDENDUM


def test_reading_a_note_without_its_key_raises_instead_of_returning_ciphertext(counselor, settings):
    settings.NOTES_ENCRYPTION_KEYS = [_key()]
    note = SessionNoteFactory(counselor=counselor, presenting_concern=SECRET_CONCERN)

    settings.NOTES_ENCRYPTION_KEYS = [_key()]

    with pytest.raises(NoteKeyError):
        SessionNote.objects.get(pk=note.pk)
    with pytest.raises(NoteKeyError):
        list(SessionNote.objects.values_list("plan", flat=True))


def test_after_rotation_every_row_decrypts_with_the_newest_key_alone(counselor, settings):
    old, new = _key(), _key()
    settings.NOTES_ENCRYPTION_KEYS = [old]
    notes = [SessionNoteFactory(counselor=counselor, plan=f"方針{n}") for n in range(5)]
    for note in notes[:2]:
        SessionNoteAddendum.objects.create(note=note, author=counselor, text=f"追記{note.pk}")
    before = _raw_rows("counseling_sessionnote")
    updated_at = dict(SessionNote.objects.values_list("pk", "updated_at"))

    settings.NOTES_ENCRYPTION_KEYS = [new, old]
    out = StringIO()
    call_command("rotate_note_keys", "--batch-size", "2", stdout=out)

    settings.NOTES_ENCRYPTION_KEYS = [new]
    assert sorted(SessionNote.objects.values_list("plan", flat=True)) == [f"方針{n}" for n in range(5)]
    assert sorted(SessionNoteAddendum.objects.values_list("text", flat=True)) == sorted(
        f"追記{note.pk}" for note in notes[:2]
    )
    assert dict(SessionNote.objects.values_list("pk", "updated_at")) == updated_at
    assert _raw_rows("counseling_sessionnote") != before
    # Five notes in batches of two, then the two addenda: each batch reported as it commits.
    assert out.getvalue().count("re-encrypted so far") == 4
    assert "7 rows now encrypted under the newest key" in out.getvalue()
    settings.NOTES_ENCRYPTION_KEYS = [old]
    with pytest.raises(NoteKeyError):
        list(SessionNote.objects.all())


def test_rotation_stops_at_a_row_no_listed_key_opens(counselor, settings):
    settings.NOTES_ENCRYPTION_KEYS = [_key()]
    SessionNoteFactory(counselor=counselor)
    settings.NOTES_ENCRYPTION_KEYS = [_key()]

    with pytest.raises(CommandError, match="NOTES_ENCRYPTION_KEYS"):
        call_command("rotate_note_keys", stdout=StringIO())


def test_without_configured_keys_a_key_is_created_once_under_var_and_kept(settings, tmp_path):
    settings.NOTES_ENCRYPTION_KEYS = []
    settings.NOTES_ENCRYPTION_KEY_FILE = tmp_path / "var" / "notes-encryption.key"

    first = note_keys()
    second = note_keys()

    assert first == second
    assert Fernet(first[0].encode())
    key_file = settings.NOTES_ENCRYPTION_KEY_FILE
    assert key_file.read_text().strip() == first[0]
    assert stat.S_IMODE(os.stat(key_file).st_mode) == 0o600
    assert [path.name for path in key_file.parent.iterdir()] == ["notes-encryption.key"]


def test_a_malformed_key_stops_the_system_checks(settings):
    settings.NOTES_ENCRYPTION_KEYS = [_key(), "not-a-key"]

    [error] = note_keys_check(None)

    assert error.id == "counseling.E001"
    assert "Key 2" in error.msg


def test_production_refuses_to_start_without_note_keys():
    env = production_env()
    del env["NOTES_ENCRYPTION_KEYS"]

    result = subprocess.run(
        [sys.executable, "manage.py", "check"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )

    assert result.returncode != 0
    assert "NOTES_ENCRYPTION_KEYS" in result.stderr
