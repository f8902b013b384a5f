"""Japanese typography for templates."""

from django import template

register = template.Library()

NESTED = str.maketrans({"「": "『", "」": "』"})


@register.filter
def quoted(text) -> str:
    """``text`` in 「」; quotes inside it become 『』 as Japanese nests them, never 「「…「…」」」."""
    text = str(text).strip()
    if text.startswith("「") and text.endswith("」") and "「" not in text[1:-1] and "」" not in text[1:-1]:
        text = text[1:-1]  # already quoted as a whole
    return f"「{text.translate(NESTED)}」"
