from reportlab.lib.textsplit import ALL_CANNOT_START, CANNOT_END_LINE

from newsletter import workbook_pdf
from newsletter.kinsoku import Paragraph, kinsoku_lines

OPENING = CANNOT_END_LINE[0]


def _lines_of(paragraph) -> list[str]:
    return ["".join(words) for _space, words in paragraph.blPara.lines]


def test_an_opening_bracket_never_ends_a_line_and_a_closing_mark_never_starts_one():
    workbook_pdf._register_font()
    text = "あいうえおかきくけ「こさしすせ」。そたちつてとなにぬね（のはひふへ）ほまみむめもや"
    for chars_per_line in range(3, 12):
        broken = kinsoku_lines(text, [chars_per_line * 10.0], workbook_pdf.FONT_NAME, 10)
        lines = [line for _space, line in broken]
        assert "".join(lines) == text
        assert not any(line[-1] in OPENING for line in lines), lines
        assert not any(line[0] in ALL_CANNOT_START for line in lines[1:]), lines


def test_no_paragraph_of_the_workbook_pdf_ends_a_line_with_an_opening_bracket(monkeypatch):
    built: list[Paragraph] = []

    class Recorded(workbook_pdf.Paragraph):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            built.append(self)

    monkeypatch.setattr(workbook_pdf, "Paragraph", Recorded)
    workbook_pdf.workbook_pdf_build(practice_name="こころの相談室")

    paragraphs = [_lines_of(paragraph) for paragraph in built if hasattr(paragraph, "blPara")]
    assert any("「" in line for lines in paragraphs for line in lines)
    assert not [line for lines in paragraphs for line in lines if line and line[-1] in OPENING]
    assert not [line for lines in paragraphs for line in lines[1:] if line and line[0] in ALL_CANNOT_START]
