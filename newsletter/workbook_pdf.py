"""The demo workbook: the worksheets of the five steps as a printable A4 PDF in Japanese.

The Japanese font is embedded (a subset of IPAex Gothic): reportlab's built-in CID fonts are not
embedded and show as empty boxes in many viewers.
"""

import io
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import PageBreak, SimpleDocTemplate, Spacer, Table, TableStyle

from counseling.exercises import STEP_INTROS, Exercise, exercises_for_step
from newsletter.kinsoku import Paragraph  # breaks Japanese lines by kinsoku rules

FONT_NAME = "IPAexGothic"
BUNDLED_FONT = Path(__file__).resolve().parent / "fonts" / "ipaexg.ttf"
ACCENT = colors.HexColor("#2f6f5e")
LINE = colors.HexColor("#b9b5aa")

# The workbook's own words; each exercise's texts come from counseling.exercises.
WORKBOOK_TITLE = "心を整えるワークブック"
WORKBOOK_SUBTITLE = "「見返りを求めてしまう」気持ちと向き合う5つのステップ"
WORKBOOK_INTRO = (
    "「してあげたのに、返ってこない」。そんなさみしさを感じる自分を、どうか責めないでください。"
    "その気持ちの奥には、大事にされたかった思いや、誰かの力になりたかった願いが眠っていることがよくあります。",
    "このワークブックは、メール講座でお話しする5つのステップを、毎日少しずつできる練習にまとめたものです。"
    "印刷しても、お気に入りのノートに書き写しても大丈夫。できそうなページから、ご自分のペースでどうぞ。",
)
WORKBOOK_CLOSING = (
    "練習を続けても気持ちが動かないとき、昔のことを思い出して苦しくなるときは、ひとりで抱えないでください。"
    "%(practice_name)sでは、東京・名古屋での対面と、オンラインでカウンセリングを行っています。"
)


def japanese_font_path() -> Path:
    """NEWSLETTER_WORKBOOK_FONT_PATH, else the IPAex Gothic kept in newsletter/fonts/ with its licence."""
    path = Path(settings.NEWSLETTER_WORKBOOK_FONT_PATH or BUNDLED_FONT)
    if not path.is_file():
        raise ImproperlyConfigured(f"No Japanese TrueType font at {path}; set NEWSLETTER_WORKBOOK_FONT_PATH.")
    return path


def _register_font() -> None:
    if FONT_NAME not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(TTFont(FONT_NAME, str(japanese_font_path())))


def _styles() -> dict[str, ParagraphStyle]:
    base = ParagraphStyle("body", fontName=FONT_NAME, fontSize=10.5, leading=17, wordWrap="CJK")
    return {
        "title": ParagraphStyle("title", parent=base, fontSize=26, leading=36, textColor=ACCENT),
        "subtitle": ParagraphStyle("subtitle", parent=base, fontSize=13, leading=22),
        "step": ParagraphStyle("step", parent=base, fontSize=17, leading=26, textColor=ACCENT, spaceAfter=4),
        "work": ParagraphStyle("work", parent=base, fontSize=12.5, leading=20, spaceBefore=10, spaceAfter=4),
        "body": base,
        "cell": ParagraphStyle("cell", parent=base, fontSize=9.5, leading=14),
        "small": ParagraphStyle(
            "small", parent=base, fontSize=9, leading=14, textColor=colors.HexColor("#5f5f5f")
        ),
    }


def _sheet(headers: list[str], rows: int, widths: list[float], styles, row_height: float = 11 * mm) -> Table:
    """An empty table to write in by hand."""
    data = [[Paragraph(header, styles["cell"]) for header in headers]]
    data += [[""] * len(headers) for _ in range(rows)]
    table = Table(data, colWidths=widths, rowHeights=[None] + [row_height] * rows, repeatRows=1)
    table.setStyle(
        TableStyle(
            [
                ("GRID", (0, 0), (-1, -1), 0.5, LINE),
                ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e8f0ed")),
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
            ]
        )
    )
    return table


def _lines(count: int, width: float) -> Table:
    table = Table([[""] for _ in range(count)], colWidths=[width], rowHeights=[10 * mm] * count)
    table.setStyle(TableStyle([("LINEBELOW", (0, 0), (-1, -1), 0.5, LINE)]))
    return table


def _step(styles, number: int, title: str, intro: str) -> list:
    return [
        Paragraph(f"Step {number}　{title}", styles["step"]),
        Paragraph(intro, styles["body"]),
        Spacer(1, 3 * mm),
    ]


def _work(styles, title: str, how: str) -> list:
    return [Paragraph(title, styles["work"]), Paragraph(how, styles["small"]), Spacer(1, 2 * mm)]


def _exercise_sheet(exercise: Exercise, styles, width: float) -> list:
    """The space to write an exercise in, drawn from its fields."""
    columns = exercise.sheet_columns()
    if exercise.code == "step1.good_points":
        return [_lines(8, width)]
    if exercise.code == "step2.self_forgiveness":
        flowables: list = []
        for field in exercise.fields:
            flowables += [Paragraph(field.title, styles["body"]), _lines(3, width), Spacer(1, 3 * mm)]
        return flowables
    first = 22 * mm if exercise.dated else 30 * mm
    widths = [first] + [(width - first) / (len(columns) - 1)] * (len(columns) - 1)
    rows, row_height = SHEET_ROWS.get(exercise.code, (5, 11 * mm))
    return [_sheet(columns, rows, widths, styles, row_height)]


# Rows and row height of each exercise's table: how much room the handwriting gets.
SHEET_ROWS = {
    "step1.done_today": (7, 11 * mm),
    "step3.cherished_people": (6, 16 * mm),
    "step4.saying_no": (4, 14 * mm),
    "step4.time_for_myself": (4, 11 * mm),
}


def workbook_pdf_build(*, practice_name: str | None = None) -> bytes:
    _register_font()
    styles = _styles()
    practice_name = practice_name or settings.PRACTICE_NAME
    width = A4[0] - 40 * mm
    story: list = [
        Spacer(1, 45 * mm),
        Paragraph(WORKBOOK_TITLE, styles["title"]),
        Spacer(1, 6 * mm),
        Paragraph(WORKBOOK_SUBTITLE, styles["subtitle"]),
        Spacer(1, 18 * mm),
    ]
    for paragraph in WORKBOOK_INTRO:
        story += [Paragraph(paragraph, styles["body"]), Spacer(1, 4 * mm)]
    story += [Spacer(1, 26 * mm), Paragraph(practice_name, styles["subtitle"]), PageBreak()]

    for step_code, step in STEP_INTROS.items():
        story += _step(styles, step.number, step.title, step.intro)
        for exercise in exercises_for_step(step_code):
            story += _work(styles, exercise.heading, exercise.instructions)
            story += _exercise_sheet(exercise, styles, width)
        story.append(PageBreak())
    story[-1] = Spacer(1, 8 * mm)
    story.append(Paragraph(WORKBOOK_CLOSING % {"practice_name": practice_name}, styles["small"]))

    buffer = io.BytesIO()

    def _page_number(canvas, doc) -> None:
        canvas.saveState()
        canvas.setFont(FONT_NAME, 8.5)
        canvas.setFillColor(colors.HexColor("#5f5f5f"))
        canvas.drawRightString(A4[0] - 20 * mm, 12 * mm, f"{WORKBOOK_TITLE}　{doc.page}")
        canvas.restoreState()

    document = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=20 * mm,
        rightMargin=20 * mm,
        topMargin=18 * mm,
        bottomMargin=20 * mm,
        title=WORKBOOK_TITLE,
        author=practice_name,
    )
    document.build(story, onFirstPage=_page_number, onLaterPages=_page_number)
    return buffer.getvalue()
