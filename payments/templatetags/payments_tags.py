from django import template

register = template.Library()


@register.filter
def yen(amount) -> str:
    """12000 → ¥12,000; empty for nothing."""
    if amount is None or amount == "":
        return ""
    return f"¥{int(amount):,}"


@register.inclusion_tag("payments/_payment_terms.html")
def payment_terms(method: str, price_jpy: int) -> dict:
    """How a session type or course is paid, as the booking pages say it before anyone books."""
    from payments.methods import PaymentMethod
    from payments.services.orders import payment_method_effective, payment_needs_hold

    effective = payment_method_effective(method)
    return {
        "charged": price_jpy > 0 and effective != PaymentMethod.ARRANGED,
        "label": PaymentMethod(effective).label,
        "held": payment_needs_hold(method=method, price_jpy=price_jpy),
        "online_unavailable": method == PaymentMethod.ONLINE and effective != method,
    }
