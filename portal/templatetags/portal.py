from django import template

from counseling.self_check import self_check_statement as statement_for
from portal.forms import pattern_label

register = template.Library()


@register.filter
def field_named(form, name: str):
    """``form|field_named:"items.0"``: a bound field whose name holds dots, which template lookups split."""
    return form[name]


@register.filter
def self_check_statement(pattern) -> str:
    """The everyday statement the client rated for a reason."""
    return statement_for(pattern.code)


@register.filter
def pattern_name(pattern) -> str:
    """A pattern of the method in the reader's language."""
    return pattern_label(pattern)
