import pytest

from tests.courses.factories import CourseFactory

pytestmark = pytest.mark.django_db


def test_pages_are_japanese_first(client):
    body = client.get("/courses/").content.decode()

    assert '<html lang="ja">' in body
    assert "心理学講座" in body
    assert 'name="language" value="en"' in body


def test_the_language_switch_turns_the_pages_english_and_back(client):
    course = CourseFactory(capacity=5)

    switched = client.post("/i18n/setlang/", {"language": "en", "next": f"/courses/{course.pk}/"})
    english = client.get(f"/courses/{course.pk}/").content.decode()
    client.post("/i18n/setlang/", {"language": "ja", "next": "/"})
    japanese = client.get(f"/courses/{course.pk}/").content.decode()

    assert switched["Location"] == f"/courses/{course.pk}/"
    assert '<html lang="en">' in english
    assert "5 seats left" in english and "Enroll" in english
    assert 'lang="ja">日本語</button>' in english
    assert "残り5席" in japanese


def test_the_portal_reads_in_english_down_to_the_methods_pattern_names(client, client_user):
    client.force_login(client_user)
    client.post("/i18n/setlang/", {"language": "en", "next": "/portal/"})

    home = client.get("/portal/").content.decode()
    intake = client.get("/portal/intake/").content.decode()

    assert "Upcoming sessions" in home and "Fill in the intake form" in home
    assert "romance / partnership" in intake
    assert "make myself useful" in intake  # the self-check statements in everyday English
    assert "5 very much" in intake


def test_the_client_file_and_schedule_read_in_english(client, counselor):
    from tests.counseling.factories import SessionNoteFactory

    note = SessionNoteFactory(counselor=counselor, tags=["scene.work"])
    client.force_login(counselor)
    client.post("/i18n/setlang/", {"language": "en", "next": "/counselor/"})

    file = client.get(f"/counselor/clients/{note.client_id}/").content.decode()
    schedule = client.get("/counselor/schedule/").content.decode()
    assign = client.get(f"/counselor/clients/{note.client_id}/worksheets/new/").content.decode()

    assert "Since the last session" in file and "Patterns over time" in file and "workplace" in file
    assert "Weekly hours" in schedule and "Template for a URL per session" in schedule
    assert "Assign and notify by email" in assign
