"""The counselor's reads of their clients: the searchable list, and what the client file puts
together — bookings, the between-session digest, worksheets by status, template suggestions.

Like the other selectors these write no access row: the page that shows intake, note or worksheet
content records it (``counseling.services.access.access_record``).
"""

from dataclasses import dataclass, field
from datetime import datetime

from django.db.models import Count, Max, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.http import Http404
from django.utils import timezone

from counseling.models import (
    Booking,
    Intake,
    IntakeAnswer,
    Pattern,
    SessionNote,
    Worksheet,
    WorksheetEntry,
    WorksheetTemplate,
)
from counseling.selectors.clients import client_list_for_counselor
from counseling.selectors.patterns import suggestions_for_answers
from counseling.selectors.worksheets import worksheet_template_list

# The digest lists at most this many entries, the newest ones.
DIGEST_MAX_ENTRIES = 50


def client_search(*, counselor, query: str = "", now: datetime | None = None) -> QuerySet:
    """``counselor``'s clients by name, with the next session, the last held one, the latest intake's
    status and the worksheets waiting for review; ``query`` matches name or email."""
    now = now or timezone.now()
    own = Q(bookings__counselor=counselor)
    latest_intake = Intake.objects.filter(client_id=OuterRef("pk")).order_by("-created_at", "-id")
    clients = client_list_for_counselor(counselor=counselor)
    query = query.strip()
    if query:
        clients = clients.filter(Q(display_name__icontains=query) | Q(email__icontains=query))
    return clients.annotate(
        next_session=Subquery(
            Booking.objects.filter(
                client_id=OuterRef("pk"), counselor=counselor, status=Booking.Status.CONFIRMED, start__gte=now
            )
            .order_by("start")
            .values("start")[:1]
        ),
        last_held=Max("bookings__start", filter=own & Q(bookings__status=Booking.Status.COMPLETED)),
        intake_status=Subquery(latest_intake.values("status")[:1]),
        waiting_review=Subquery(
            Worksheet.objects.filter(client_id=OuterRef("pk"), counselor=counselor, status="submitted")
            .values("client_id")
            .annotate(n=Count("pk"))
            .values("n")[:1]
        ),
    ).order_by("display_name", "email", "pk")


def client_get_for_counselor(*, counselor, client_id: int):
    """One of ``counselor``'s clients; anyone else is 404, whether or not they exist."""
    client = client_list_for_counselor(counselor=counselor).filter(pk=client_id).first()
    if client is None:
        raise Http404
    return client


def client_bookings(*, counselor, client_id: int) -> QuerySet[Booking]:
    return (
        Booking.objects.filter(counselor=counselor, client_id=client_id)
        .select_related("session_type")
        .order_by("start", "id")
    )


def client_intakes(*, client_id: int) -> QuerySet[Intake]:
    """Every intake of the client, newest first, whatever its status."""
    return (
        Intake.objects.filter(client_id=client_id)
        .select_related("counselor")
        .prefetch_related(Prefetch("scenes", queryset=Pattern.objects.order_by("position")))
        .order_by("-created_at", "-id")
    )


@dataclass
class Homework:
    note: SessionNote
    worksheets: list[Worksheet]

    @property
    def state(self) -> str:
        """``done`` when every worksheet given with the note was handed in, ``started`` when one has
        an entry, ``not_started`` when none has, ``unknown`` when the note gave no worksheet."""
        if not self.worksheets:
            return "unknown"
        if all(worksheet.submitted_at for worksheet in self.worksheets):
            return "done"
        if any(worksheet.entries.all() for worksheet in self.worksheets):
            return "started"
        return "not_started"


@dataclass
class Digest:
    """Since the last held session: each worksheet entry, the last note's homework and whether it was done."""

    last_held: Booking | None
    entries: list[WorksheetEntry] = field(default_factory=list)
    more_entries: bool = False
    homework: Homework | None = None

    @property
    def worksheets(self) -> list[Worksheet]:
        """The worksheets the digest shows content of (for the access log), each once."""
        seen = {entry.worksheet.pk: entry.worksheet for entry in self.entries}
        if self.homework:
            seen.update((worksheet.pk, worksheet) for worksheet in self.homework.worksheets)
        return list(seen.values())


def client_digest(*, counselor, client_id: int) -> Digest:
    last_held = (
        Booking.objects.filter(counselor=counselor, client_id=client_id, status=Booking.Status.COMPLETED)
        .select_related("session_type")
        .order_by("-start", "-id")
        .first()
    )
    digest = Digest(last_held=last_held)
    entries = WorksheetEntry.objects.filter(
        worksheet__counselor=counselor, worksheet__client_id=client_id
    ).select_related("worksheet__template")
    if last_held is not None:
        entries = entries.filter(created_at__gte=last_held.start)
    newest = list(entries.order_by("-created_at", "-id")[: DIGEST_MAX_ENTRIES + 1])
    digest.more_entries = len(newest) > DIGEST_MAX_ENTRIES
    digest.entries = sorted(newest[:DIGEST_MAX_ENTRIES], key=lambda entry: (entry.date, entry.created_at))

    note = (
        SessionNote.objects.filter(counselor=counselor, client_id=client_id)
        .prefetch_related(
            Prefetch(
                "homework_worksheets",
                queryset=Worksheet.objects.select_related("template").prefetch_related("entries"),
            )
        )
        .order_by("-date", "-id")
        .first()
    )
    if note is not None:
        digest.homework = Homework(note=note, worksheets=list(note.homework_worksheets.all()))
    return digest


def client_worksheets_by_status(*, worksheets: list[Worksheet]) -> list[tuple[str, str, list[Worksheet]]]:
    """(status, label, worksheets) in the order the counselor acts on them: waiting review first."""
    order = (Worksheet.Status.SUBMITTED, Worksheet.Status.ASSIGNED, Worksheet.Status.REVIEWED)
    return [
        (status.value, status.label, [worksheet for worksheet in worksheets if worksheet.status == status])
        for status in order
    ]


@dataclass
class TemplateGroup:
    step: Pattern
    templates: list[WorksheetTemplate]
    suggested: bool = False
    # Why the step is suggested: the patterns (self-check reasons, note tags) that point to it.
    because: list[Pattern] = field(default_factory=list)


def worksheet_template_groups(
    *, intake: Intake | None, note: SessionNote | None = None
) -> list[TemplateGroup]:
    """The assignable templates by step, the suggested steps first: those the self-check of
    ``intake`` (the client's latest) suggests, and those the note's tags point to (a step tagged, or a
    reason tagged whose steps it suggests). Decision support for the counselor only."""
    because: dict[int, list[Pattern]] = {}
    if intake is not None:
        answers = list(
            IntakeAnswer.objects.filter(intake=intake)
            .select_related("reason")
            .prefetch_related(
                Prefetch("reason__suggested_steps", queryset=Pattern.objects.order_by("position"))
            )
        )
        for reason in suggestions_for_answers(answers)["patterns"]:
            for step in reason.suggested_steps.all():
                because.setdefault(step.pk, []).append(reason)
    if note is not None:
        tags = note.tags.prefetch_related("suggested_steps", "parent__suggested_steps")
        for tag in tags:
            if tag.kind == Pattern.Kind.STEP:
                because.setdefault(tag.pk, []).append(tag)
            steps = list(tag.suggested_steps.all()) or (
                list(tag.parent.suggested_steps.all()) if tag.parent else []
            )
            for step in steps:
                because.setdefault(step.pk, []).append(tag)

    groups: dict[int, TemplateGroup] = {}
    for template in worksheet_template_list():
        group = groups.setdefault(template.step_id, TemplateGroup(step=template.step, templates=[]))
        group.templates.append(template)
    for step_id, group in groups.items():
        group.suggested = step_id in because
        group.because = list({pattern.pk: pattern for pattern in because.get(step_id, [])}.values())
    return sorted(groups.values(), key=lambda group: (not group.suggested, group.step.position))
