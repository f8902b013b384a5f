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

from newsletter.kinsoku import Paragraph  # breaks Japanese lines by kinsoku rules

FONT_NAME = "IPAexGothic"
BUNDLED_FONT = Path(__file__).resolve().parent / "fonts" / "ipaexg.ttf"
ACCENT = colors.HexColor("#2f6f5e")
LINE = colors.HexColor("#b9b5aa")


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


def workbook_pdf_build(*, practice_name: str | None = None) -> bytes:
    _register_font()
    styles = _styles()
    practice_name = practice_name or settings.PRACTICE_NAME
    width = A4[0] - 40 * mm
    story: list = [
        Spacer(1, 45 * mm),
        Paragraph("心を整えるワークブック", styles["title"]),
        Spacer(1, 6 * mm),
        Paragraph("「見返りを求めてしまう」気持ちと向き合う5つのステップ", styles["subtitle"]),
        Spacer(1, 18 * mm),
        Paragraph(
            "「こんなに尽くしたのに、どうして伝わらないんだろう」。そう感じてしまう自分を責める必要はありません。"
            "その奥には、満たされなかった愛情欲求や、過去の経験から学んだ心の癖、そして「誰かの役に立ちたい」という"
            "願いが隠れていることが多いのです。",
            styles["body"],
        ),
        Spacer(1, 4 * mm),
        Paragraph(
            "このワークブックは、メール講座でお伝えする5つのステップを、毎日の小さな練習にしたものです。"
            "印刷して、または好きなノートに書き写して使ってください。焦らず、できるところから、ご自身のペースで。",
            styles["body"],
        ),
        Spacer(1, 30 * mm),
        Paragraph(practice_name, styles["subtitle"]),
        PageBreak(),
    ]

    story += _step(
        styles,
        1,
        "自分の価値を「内側」で認める",
        "誰かからの評価ではなく、自分自身で自分の価値を認める練習です。",
    )
    story += _work(
        styles,
        "ワーク1-1　「今日できたこと」",
        "毎日、寝る前に「今日できたこと」を3つ書き出します。「掃除をした」「ご飯を作った」「人に親切にできた」など、"
        "どんな些細なことでもかまいません。",
    )
    story.append(
        _sheet(
            ["日付", "できたこと 1", "できたこと 2", "できたこと 3"],
            7,
            [22 * mm] + [(width - 22 * mm) / 3] * 3,
            styles,
        )
    )
    story += _work(
        styles,
        "ワーク1-2　自分の「良いところ」",
        "長所や好きなところ、頑張っているところを書き出してみましょう。",
    )
    story.append(_lines(8, width))
    story.append(PageBreak())

    story += _step(
        styles,
        2,
        "「見返りを求めていた自分」を許し、理解する",
        "見返りを求めてしまった自分を「嫌なやつだ」と責めず、その気持ちを受け止める練習です。",
    )
    story += _work(
        styles, "ワーク2　自分を許すふり返り", "思い出せる場面をひとつ選び、順に書いてみましょう。"
    )
    for question in (
        "見返りを求めてしまったのは、どんな場面でしたか？",
        "そのとき、本当はどんな気持ちでしたか？（「それだけ辛かったんだな」と受け止めて）",
        "そうせざるを得なかった理由や事情は何でしたか？",
        "過去の自分に「そういう時もあったよね」と声をかけるとしたら、何と言いますか？",
    ):
        story += [Paragraph(question, styles["body"]), _lines(3, width), Spacer(1, 3 * mm)]
    story.append(
        Paragraph(
            "怒りや悲しみが強いときは、信頼できる人に話したり、カウンセリングを利用したりして、安全な場所で扱いましょう。",
            styles["small"],
        )
    )
    story.append(PageBreak())

    story += _step(
        styles,
        3,
        "過去の「与えたかった愛」に気づき、受け入れる",
        "見返りを求める気持ちの奥にある、「それだけ大切に思い、役に立ちたかった」という愛情に気づく練習です。",
    )
    story += _work(
        styles,
        "ワーク3　「誰を大切に思ってきたか」",
        "一生懸命になれた相手、役に立ちたいと願った相手と、そのときの純粋な気持ちを書きましょう。",
    )
    story.append(
        _sheet(
            ["相手", "してあげたかったこと", "そのときの気持ち"],
            6,
            [30 * mm, (width - 30 * mm) / 2, (width - 30 * mm) / 2],
            styles,
            16 * mm,
        )
    )
    story.append(Spacer(1, 4 * mm))
    story.append(
        Paragraph(
            "その愛情深さ、優しさを持っている自分自身に、ひとことかけてあげてください。", styles["body"]
        )
    )
    story.append(_lines(2, width))
    story.append(PageBreak())

    story += _step(
        styles,
        4,
        "「自分がしたいこと」を大切にする",
        "自己犠牲を少しずつ手放し、自分の気持ちを優先する練習です。",
    )
    story += _work(
        styles,
        "ワーク4-1　小さな選択の記録",
        "「今日何が食べたい？」など、日常の小さな選択で自分の気持ちを優先できたことを記録します。",
    )
    story.append(
        _sheet(
            ["日付", "場面", "自分が選んだこと"],
            5,
            [22 * mm, (width - 22 * mm) / 2, (width - 22 * mm) / 2],
            styles,
        )
    )
    story += _work(
        styles,
        "ワーク4-2　「断る練習」の記録",
        "無理な頼まれごとや気乗りしない誘いを断ったときのことを書きます。",
    )
    story.append(_sheet(["状況", "言ったこと", "どう感じたか"], 4, [width / 3] * 3, styles, 14 * mm))
    story += _work(
        styles, "ワーク4-3　自分のための時間", "好きなことやリラックスできる時間を持てた日を記録します。"
    )
    story.append(
        _sheet(
            ["日付", "したこと", "時間", "気持ち"],
            4,
            [22 * mm, width - 22 * mm - 20 * mm - 50 * mm, 20 * mm, 50 * mm],
            styles,
        )
    )
    story.append(PageBreak())

    story += _step(
        styles,
        5,
        "健全な「ギブアンドテイク」を意識する",
        "過剰な期待を手放しつつ、お互いを尊重し合える対等な関係を目指す練習です。",
    )
    story += _work(
        styles,
        "ワーク5-1　感謝の記録",
        "与えたこと、受け取ったこと、伝えた「ありがとう」を書きます。相手からの感謝も、遠慮せずに受け取りましょう。",
    )
    story.append(
        _sheet(
            ["日付", "与えたこと", "受け取ったこと", "伝えた「ありがとう」"],
            5,
            [22 * mm] + [(width - 22 * mm) / 3] * 3,
            styles,
        )
    )
    story += _work(
        styles,
        "ワーク5-2　関係のバランスチェック",
        "身近な関係ごとに、自分が与えている量と受け取っている量を1〜5で書きます。いつも自分ばかりが与えている関係はありませんか。",
    )
    story.append(
        _sheet(
            ["相手", "与えている（1〜5）", "受け取っている（1〜5）", "気づいたこと"],
            5,
            [30 * mm, 38 * mm, 42 * mm, width - 110 * mm],
            styles,
        )
    )
    story.append(Spacer(1, 8 * mm))
    story.append(
        Paragraph(
            "これらのステップを試しても気持ちが変わらないとき、過去の経験がよみがえって苦しいときは、"
            f"一人で抱え込まないでください。{practice_name}では、対面（東京・名古屋）とオンラインでカウンセリングを行っています。",
            styles["small"],
        )
    )

    buffer = io.BytesIO()

    def _page_number(canvas, doc) -> None:
        canvas.saveState()
        canvas.setFont(FONT_NAME, 8.5)
        canvas.setFillColor(colors.HexColor("#5f5f5f"))
        canvas.drawRightString(A4[0] - 20 * mm, 12 * mm, f"心を整えるワークブック　{doc.page}")
        canvas.restoreState()

    document = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=20 * mm,
        rightMargin=20 * mm,
        topMargin=18 * mm,
        bottomMargin=20 * mm,
        title="心を整えるワークブック",
        author=practice_name,
    )
    document.build(story, onFirstPage=_page_number, onLaterPages=_page_number)
    return buffer.getvalue()
