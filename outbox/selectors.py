"""Reads of outbox rows for other apps: a person's emails, what a kind of email was queued about."""

from django.db.models import QuerySet

from outbox.models import EmailStatus, OutboundBody, OutboundEmail

__all__ = ["EmailStatus", "OutboundBody", "OutboundEmail", "email_contexts", "email_list_for_recipient"]


def email_list_for_recipient(*, email: str) -> QuerySet[OutboundEmail]:
    """Every email written to this address (any case), oldest first."""
    return OutboundEmail.objects.filter(recipient__iexact=email).order_by("created_at", "id")


def email_contexts(*, kind: str, **lookups) -> list[dict]:
    """The ``context`` that each email of ``kind`` was written with, filtered by lookups on its keys.

    E.g. ``email_contexts(kind="courses.session_reminder", session__in=[1, 2])`` answers which
    (session, enrollment) pairs already have their reminder, whatever the recipient.
    """
    conditions = {f"context__{lookup}": value for lookup, value in lookups.items()}
    return list(OutboundEmail.objects.filter(kind=kind, **conditions).values_list("context", flat=True))
