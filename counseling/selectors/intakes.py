from django.db.models import Prefetch, Q, QuerySet
from django.shortcuts import get_object_or_404

from counseling.models import Intake, IntakeAnswer, Pattern
from counseling.selectors.clients import counselor_client_q


def intake_list(*, user, status: str | None = None) -> QuerySet[Intake]:
    """The intakes ``user`` may see: a client their own; a counselor those waiting for anyone, those
    they took on, and those of their clients."""
    if user.is_client:
        queryset = Intake.objects.filter(client=user)
    elif user.is_counselor:
        queryset = Intake.objects.filter(
            Q(counselor__isnull=True)
            | Q(counselor=user)
            | counselor_client_q(counselor=user, client_field="client")
        )
    else:
        queryset = Intake.objects.none()
    if status:
        queryset = queryset.filter(status=status)
    return queryset.select_related("client", "counselor").prefetch_related(
        Prefetch("scenes", queryset=Pattern.objects.order_by("position")),
        Prefetch(
            "answers",
            queryset=IntakeAnswer.objects.select_related("reason").prefetch_related(
                Prefetch("reason__suggested_steps", queryset=Pattern.objects.order_by("position"))
            ),
        ),
    )


def intake_get(*, user, intake_id: int) -> Intake:
    """One intake ``user`` may see; anything else is 404, whether or not it exists."""
    return get_object_or_404(intake_list(user=user), pk=intake_id)


def intake_latest_for_client(*, client) -> Intake | None:
    return Intake.objects.filter(client=client).order_by("-created_at", "-id").first()
