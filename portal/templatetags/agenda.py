from django import template

from counseling.calendar import person_initials

register = template.Library()


@register.filter
def initials(person) -> str:
    """A client's initials, for the narrow cells of the week grid."""
    return person_initials(person)
