"""Helpers for the HTML forms of every app."""

from django.forms import Form, HiddenInput

from core.exceptions import ApplicationError


def form_apply_error(form: Form, error: ApplicationError) -> None:
    """Shows a service's refusal next to the fields it names, or above the form."""
    placed = False
    for field, messages in error.extra.items():
        if field in form.fields and not isinstance(form.fields[field].widget, HiddenInput):
            for message in messages if isinstance(messages, list | tuple) else [messages]:
                form.add_error(field, message)
            placed = True
    if not placed:
        form.add_error(None, error.message)
