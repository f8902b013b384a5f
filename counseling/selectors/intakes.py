from dataclasses import dataclass

from django.db.models import Prefetch, Q, QuerySet
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _

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


@dataclass(frozen=True)
class BookingEligibility:
    """Whether a client may book, by their latest intake: one rule for the booking service and the pages.

    No intake or a declined one: no booking. A submitted intake the counselor has not decided on yet:
    booking is open, and the pages say that the counselor is still reading it. An accepted one: open.
    """

    intake: Intake | None

    @property
    def may_book(self) -> bool:
        return self.intake is not None and self.intake.status != Intake.Status.DECLINED

    @property
    def intake_pending(self) -> bool:
        return self.intake is not None and self.intake.status in (
            Intake.Status.SUBMITTED,
            Intake.Status.REVIEWED,
        )

    @property
    def message(self) -> str:
        if self.intake is None:
            return _("ご予約の前に、インテーク（事前のご相談票）をご提出ください。")
        if self.intake.status == Intake.Status.DECLINED:
            return _("申し訳ありませんが、現在ご予約をお受けできません。")
        if self.intake_pending:
            return _(
                "インテークはカウンセラーが拝見しているところです。ご予約はいただけます。"
                "内容によっては、セッションの前にカウンセラーからご連絡することがあります。"
            )
        return ""


def client_booking_eligibility(*, client) -> BookingEligibility:
    return BookingEligibility(intake=intake_latest_for_client(client=client))
