"""領収書 as an A5 PDF in Japanese, with the font embedded (as the workbook does).

It states what a qualified invoice (適格簡易請求書) needs: the issuer and its registration number
(T + 13 digits), the date, what the money was for, the amount with the 10 % rate and its tax, and
who it is for. A copy printed after the first says 再発行.
"""

import io
from dataclasses import dataclass
from datetime import date

from reportlab.lib import colors
from reportlab.lib.pagesizes import A5, landscape
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen import canvas as pdf_canvas

from newsletter.workbook_pdf import japanese_font_path

FONT_NAME = "IPAexGothic"
ACCENT = colors.HexColor("#2f6f5e")


@dataclass(frozen=True)
class ReceiptContent:
    number: str
    issued_on: date
    recipient_name: str
    description: str
    amount_jpy: int
    tax_jpy: int
    tax_percent: int
    issuer_name: str
    issuer_address: str
    registration_number: str
    reissue: bool


def _yen(amount: int) -> str:
    return f"¥{amount:,}"


def receipt_pdf_build(content: ReceiptContent) -> bytes:
    if FONT_NAME not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(TTFont(FONT_NAME, str(japanese_font_path())))
    buffer = io.BytesIO()
    width, height = landscape(A5)
    page = pdf_canvas.Canvas(buffer, pagesize=(width, height))
    page.setTitle(f"領収書 No.{content.number}")
    page.setAuthor(content.issuer_name)
    left, right = 18 * mm, width - 18 * mm

    page.setFillColor(ACCENT)
    page.setFont(FONT_NAME, 22)
    page.drawCentredString(width / 2, height - 24 * mm, "領収書")
    if content.reissue:
        page.setFont(FONT_NAME, 12)
        page.drawString(left, height - 24 * mm, "再発行")
    page.setFillColor(colors.black)
    page.setFont(FONT_NAME, 9.5)
    page.drawRightString(right, height - 16 * mm, f"No. {content.number}")
    page.drawRightString(
        right,
        height - 22 * mm,
        f"発行日 {content.issued_on.year}年{content.issued_on.month}月{content.issued_on.day}日",
    )

    page.setFont(FONT_NAME, 13)
    page.drawString(left, height - 40 * mm, f"{content.recipient_name} 様")
    page.line(left, height - 42 * mm, left + 95 * mm, height - 42 * mm)

    page.setFont(FONT_NAME, 20)
    page.drawCentredString(width / 2, height - 58 * mm, f"{_yen(content.amount_jpy)}-（税込）")
    page.line(width / 2 - 50 * mm, height - 61 * mm, width / 2 + 50 * mm, height - 61 * mm)

    page.setFont(FONT_NAME, 10.5)
    page.drawString(left, height - 72 * mm, f"但し {content.description} として")
    page.drawString(left, height - 79 * mm, "上記正に領収いたしました。")
    page.setFont(FONT_NAME, 9.5)
    page.drawString(
        left,
        height - 90 * mm,
        f"内訳　{content.tax_percent}%対象 {_yen(content.amount_jpy)}（うち消費税 {_yen(content.tax_jpy)}）",
    )

    page.setFont(FONT_NAME, 10.5)
    page.drawRightString(right, height - 104 * mm, content.issuer_name)
    page.setFont(FONT_NAME, 8.5)
    page.drawRightString(right, height - 110 * mm, content.issuer_address)
    page.drawRightString(right, height - 116 * mm, f"登録番号 {content.registration_number}")
    page.showPage()
    page.save()
    return buffer.getvalue()
