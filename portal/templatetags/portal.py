from django import template

register = template.Library()


@register.filter
def field_named(form, name: str):
    """``form|field_named:"items.0"``: a bound field whose name holds dots, which template lookups split."""
    return form[name]
