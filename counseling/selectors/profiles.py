"""The pattern profile of a client: what the counselor's notes were tagged with, month by month,
the steps the intake suggests, and how far each step's worksheets have come."""

from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.db.models import Count, Q
from django.db.models.functions import TruncMonth
from django.http import Http404

from counseling.models import IntakeAnswer, Pattern, SessionNote, Worksheet
from counseling.selectors.clients import client_is_counselors
from counseling.selectors.intakes import intake_latest_for_client
from counseling.selectors.patterns import suggestions_for_answers


@dataclass
class PatternProfile:
    client: object
    # [{"month": "2025-06", "counts": {"scene.work": 2, ...}}], oldest month first.
    months: list[dict] = field(default_factory=list)
    totals: dict[str, int] = field(default_factory=dict)
    suggested_steps: list[Pattern] = field(default_factory=list)
    # [{"step": Pattern, "assigned": n, "submitted": n, "reviewed": n}] for every step, in order.
    steps: list[dict] = field(default_factory=list)
    # The notes whose tags were counted: the caller records their reading in the access log.
    notes: list[SessionNote] = field(default_factory=list)


def pattern_profile(*, counselor, client_id: int) -> PatternProfile:
    """``counselor``'s view of one of their clients (404 for anyone else's).

    Counts come from the counselor's own notes (drafts included) and the worksheets they assigned.
    A worksheet counts as submitted once handed in, reviewed or not.
    """
    if not client_is_counselors(client_id=client_id, counselor=counselor):
        raise Http404
    client = get_user_model().objects.get(pk=client_id)
    profile = PatternProfile(client=client)

    notes = SessionNote.objects.filter(counselor=counselor, client_id=client_id)
    profile.notes = list(notes.only("pk", "client_id"))
    tagged = (
        SessionNote.tags.through.objects.filter(sessionnote__in=notes)
        .annotate(month=TruncMonth("sessionnote__date"))
        # "month" is the annotation just above, which the type checker does not see on a through model.
        .values("month", "pattern__code", "pattern__position")  # type: ignore[misc]
        .annotate(times=Count("pk"))
        .order_by("month", "pattern__position")
    )
    by_month: dict[str, dict[str, int]] = {}
    for row in tagged:
        month, code = f"{row['month']:%Y-%m}", row["pattern__code"]
        by_month.setdefault(month, {})[code] = row["times"]
        profile.totals[code] = profile.totals.get(code, 0) + row["times"]
    profile.months = [{"month": month, "counts": counts} for month, counts in by_month.items()]

    intake = intake_latest_for_client(client=client)
    if intake is not None:
        answers = (
            IntakeAnswer.objects.filter(intake=intake)
            .select_related("reason")
            .prefetch_related("reason__suggested_steps")
        )
        profile.suggested_steps = suggestions_for_answers(list(answers))["steps"]

    progress = {
        row["template__step_id"]: row
        for row in Worksheet.objects.filter(counselor=counselor, client_id=client_id)
        .values("template__step_id")
        .annotate(
            assigned=Count("pk"),
            submitted=Count("pk", filter=Q(submitted_at__isnull=False)),
            reviewed=Count("pk", filter=Q(status=Worksheet.Status.REVIEWED)),
        )
    }
    for step in Pattern.objects.filter(kind=Pattern.Kind.STEP).order_by("position"):
        row = progress.get(step.pk, {})
        profile.steps.append(
            {
                "step": step,
                "assigned": row.get("assigned", 0),
                "submitted": row.get("submitted", 0),
                "reviewed": row.get("reviewed", 0),
            }
        )
    return profile
