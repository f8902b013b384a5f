from django import template

register = template.Library()


@register.filter
def yen(amount) -> str:
    """12000 → ¥12,000; empty for nothing."""
    if amount is None or amount == "":
        return ""
    return f"¥{int(amount):,}"
