"""Japanese line breaking (kinsoku shori) for the workbook PDF.

ReportLab's CJK wrapping lets a closing mark hang at the end of a line but happily ends a line with an
opening bracket (「, （ …), leaving it alone at the right margin with its words on the next line. This
``Paragraph`` breaks single-style paragraphs by both rules: no line ends with an opening mark, and a
closing mark or small kana that would start a line hangs on the line before instead.
"""

from reportlab.lib.textsplit import ALL_CANNOT_START, CANNOT_END_LINE
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import Paragraph as ReportLabParagraph
from reportlab.rl_config import _FUZZ

CANNOT_END = CANNOT_END_LINE[0]  # opening brackets and quotes
CANNOT_START = ALL_CANNOT_START  # closing brackets, 、。, small kana, prolonged sound mark …
MAX_HANGING = 2  # 」。 may hang together; more would run into the margin


def kinsoku_lines(text: str, max_widths: list[float], font_name: str, font_size: float) -> list[list]:
    """``[extra_space, line]`` pairs, as ReportLab's ``wordSplit`` returns them, broken by the rules."""
    widths = [stringWidth(char, font_name, font_size) for char in text]
    lines: list[list] = []
    start = used = 0
    index = 0
    max_width = max_widths[0]
    while index < len(text):
        used += widths[index]
        index += 1
        if used <= max_width + _FUZZ or index - start < 2:
            continue
        end = index - 1  # the character that did not fit starts the next line …
        hanging = 0
        while end < len(text) and text[end] in CANNOT_START and hanging < MAX_HANGING:
            end += 1  # … unless it may not start one: it hangs in the margin
            hanging += 1
        if not hanging:
            while end - 1 > start and text[end - 1] in CANNOT_END:
                end -= 1  # an opening mark goes down with the words it opens
        lines.append([max_width - sum(widths[start:end]), text[start:end]])
        max_width = max_widths[min(len(lines), len(max_widths) - 1)]
        start = index = end
        used = 0
    if start < len(text):
        lines.append([max_width - sum(widths[start:]), text[start:]])
    return lines


class Paragraph(ReportLabParagraph):
    """A ReportLab ``Paragraph`` whose CJK wrapping keeps the line-start and line-end rules."""

    def breakLinesCJK(self, maxWidths):
        frags = self.frags
        simple = (
            len(frags) == 1
            and not hasattr(frags[0], "cbDefn")
            and not self.style.endDots
            and not self.bulletText
            and not getattr(self, "_splitpara", 0)
        )
        if not simple:
            return super().breakLinesCJK(maxWidths)
        if not isinstance(maxWidths, (list, tuple)):
            maxWidths = [maxWidths]
        self.height = 0
        frag = frags[0]
        text = frag.text if hasattr(frag, "text") else "".join(getattr(frag, "words", []))
        lines = kinsoku_lines(text, list(maxWidths), frag.fontName, frag.fontSize)
        return frag.clone(
            kind=0,
            lines=[(space, [line]) for space, line in lines],
            ascent=frag.fontSize,
            descent=-0.2 * frag.fontSize,
        )
