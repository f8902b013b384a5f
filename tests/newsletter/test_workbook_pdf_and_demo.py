import importlib.util
import subprocess
from pathlib import Path

import pytest

import newsletter
from newsletter.demo import seed_newsletter
from newsletter.models import Consent, Lesson, Subscriber, Workbook
from newsletter.services.course import shipped_course
from newsletter.workbook_pdf import japanese_font_path, workbook_pdf_build
from outbox.models import OutboundEmail


def test_the_font_is_the_ipaex_gothic_kept_in_the_repository_with_its_licence():
    path = japanese_font_path()

    assert path == Path(newsletter.__file__).resolve().parent / "fonts" / "ipaexg.ttf"
    assert (path.parent / "IPA_Font_License_Agreement_v1.0.txt").is_file()
    assert importlib.util.find_spec("japanize_matplotlib") is None


def test_the_workbook_pdf_embeds_its_japanese_font():
    pdf = workbook_pdf_build(practice_name="こころの相談室")

    assert pdf.startswith(b"%PDF")
    assert b"/FontFile2" in pdf  # an embedded TrueType font program
    assert b"IPAexGothic" in pdf


def test_pdffonts_reports_every_japanese_font_embedded(tmp_path):
    path = tmp_path / "workbook.pdf"
    path.write_bytes(workbook_pdf_build())

    report = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True, check=True).stdout
    font_lines = [line for line in report.splitlines()[2:] if "IPAexGothic" in line]
    assert font_lines
    assert all(line.split()[-5] == "yes" for line in font_lines)  # the "emb" column


def test_the_workbook_holds_the_five_steps_worksheets_in_japanese(tmp_path):
    path = tmp_path / "workbook.pdf"
    path.write_bytes(workbook_pdf_build())

    text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout
    for expected in (
        "今日できたこと",
        "自分の良いところ",
        "誰を大切に思ってきたか",
        "断る練習",
        "バランスチェック",
    ):
        assert expected in text.replace(" ", "").replace("「", "").replace("」", ""), expected
    for step in range(1, 6):
        assert f"Step {step}" in text


@pytest.mark.django_db
def test_the_demo_step_adds_lessons_a_real_workbook_and_subscribers_once(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    lines = []

    seed_newsletter({}, lines.append)
    seed_newsletter({}, lines.append)

    assert Lesson.objects.count() == len(shipped_course())
    assert set(Lesson.objects.values_list("code", flat=True)) == {lesson.code for lesson in shipped_course()}
    workbook = Workbook.objects.get()
    with workbook.file.open("rb") as file:
        content = file.read()
    assert content.startswith(b"%PDF-") and b"/FontFile2" in content
    assert Subscriber.objects.filter(status=Subscriber.Status.ACTIVE).count() == 2
    assert Consent.objects.filter(confirmed_at__isnull=False).count() == 2
    assert not OutboundEmail.objects.filter(kind__startswith="newsletter.").exists()
    assert any("workbook" in line for line in lines)
