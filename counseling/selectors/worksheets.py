"""Worksheet reads, scoped by who asks: a client reaches their own worksheets, a counselor the ones
they assigned (always to their own clients). Anything else is 404, whether or not it exists.

These reads write no access row: the view that shows the worksheets calls
``counseling.services.access.access_record`` for what it shows.
"""

from django.db.models import Prefetch, QuerySet
from django.shortcuts import get_object_or_404

from counseling.models import Worksheet, WorksheetEntry, WorksheetTemplate


def worksheet_template_list(*, step: str | None = None, include_inactive: bool = False) -> QuerySet:
    """The templates in the article's order; ``step`` is a step code ("step.4")."""
    queryset = WorksheetTemplate.objects.select_related("step").order_by("position", "id")
    if not include_inactive:
        queryset = queryset.filter(active=True)
    if step:
        queryset = queryset.filter(step__code=step)
    return queryset


def worksheet_template_find(*, ref: int | str) -> WorksheetTemplate | None:
    """An assignable template by id or by code ("step4.saying_no"); None when there is none."""
    queryset = worksheet_template_list()
    if isinstance(ref, int) or (isinstance(ref, str) and ref.isdecimal()):
        return queryset.filter(pk=int(ref)).first()
    return queryset.filter(code=ref).first()


def worksheet_list(
    *, user, status: str | None = None, client_id: int | None = None, step: str | None = None
) -> QuerySet[Worksheet]:
    """The worksheets ``user`` may see, entries included. ``status="submitted"`` is the review queue,
    oldest submission first; otherwise the newest assignment comes first."""
    if getattr(user, "is_client", False):
        queryset = Worksheet.objects.filter(client=user)
    elif getattr(user, "is_counselor", False):
        queryset = Worksheet.objects.filter(counselor=user)
    else:
        queryset = Worksheet.objects.none()
    if status:
        queryset = queryset.filter(status=status)
    if client_id is not None:
        queryset = queryset.filter(client_id=client_id)
    if step:
        queryset = queryset.filter(template__step__code=step)
    if status == Worksheet.Status.SUBMITTED:
        queryset = queryset.order_by("submitted_at", "id")
    else:
        queryset = queryset.order_by("-created_at", "-id")
    return queryset.select_related("template__step", "client", "counselor").prefetch_related(
        Prefetch("entries", queryset=WorksheetEntry.objects.order_by("date", "id"))
    )


def worksheet_get(*, user, worksheet_id: int) -> Worksheet:
    """One worksheet ``user`` may see; anything else is 404."""
    return get_object_or_404(worksheet_list(user=user), pk=worksheet_id)


def worksheet_review_queue(*, counselor) -> QuerySet[Worksheet]:
    """Submitted worksheets waiting for ``counselor``'s review, the longest-waiting first."""
    return worksheet_list(user=counselor, status=Worksheet.Status.SUBMITTED)
