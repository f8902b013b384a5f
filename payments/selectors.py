"""Reads of money: a payment as its payer or counselor sees it, balances from the ledger, the money view."""

from dataclasses import dataclass
from datetime import date, time

from django.db.models import QuerySet, Sum
from django.http import Http404
from django.shortcuts import get_object_or_404

from core.localtime import local_datetime
from payments.methods import PaymentMethod
from payments.models import LedgerEntry, Payment, Refund, RefundStatus
from payments.services.orders import pay_link_payment_id


def _payments() -> QuerySet[Payment]:
    return Payment.objects.select_related("booking", "enrollment", "enrollment__course", "receipt", "refund")


def payment_get_by_token(*, token: str) -> Payment:
    """The payment a signed pay link names; Http404 for a link that was not ours."""
    payment_id = pay_link_payment_id(token)
    if payment_id is None:
        raise Http404
    return get_object_or_404(_payments(), pk=payment_id)


def payment_get_for_payer(*, payment_id: int, user) -> Payment:
    return get_object_or_404(_payments().filter(payer=user), pk=payment_id)


def payment_get_for_counselor(*, payment_id: int, counselor) -> Payment:
    return get_object_or_404(_payments().filter(counselor=counselor), pk=payment_id)


def refund_get_for_counselor(*, refund_id: int, counselor) -> Refund:
    return get_object_or_404(
        Refund.objects.select_related("payment").filter(payment__counselor=counselor), pk=refund_id
    )


def payment_for_booking(*, booking) -> Payment | None:
    """The booking's latest payment (the live one, or the last that ended)."""
    return _payments().filter(booking=booking).order_by("-created_at", "-id").first()


def payments_for_bookings(*, booking_ids) -> dict[int, Payment]:
    """Each booking's latest payment, in one query (for a list page)."""
    found: dict[int, Payment] = {}
    for payment in _payments().filter(booking_id__in=list(booking_ids)).order_by("created_at", "id"):
        found[payment.booking_id] = payment  # type: ignore[index]
    return found


def payments_awaited_for_enrollments(*, enrollment_ids) -> dict[int, str]:
    """The pay link of each enrollment whose payment is still awaited, in one query."""
    from payments.services.orders import pay_link

    pending = Payment.objects.filter(enrollment_id__in=list(enrollment_ids), status=Payment.Status.PENDING)
    return {payment.enrollment_id: pay_link(payment) for payment in pending}  # type: ignore[misc]


def payment_for_enrollment(*, enrollment) -> Payment | None:
    return _payments().filter(enrollment=enrollment).order_by("-created_at", "-id").first()


def balance_of(*, payments: QuerySet[Payment]) -> int:
    """What the practice holds for these payments: money in minus money back, from the ledger."""
    total = LedgerEntry.objects.filter(payment__in=payments).aggregate(total=Sum("amount_jpy"))["total"]
    return total or 0


def booking_balance(*, booking) -> int:
    return balance_of(payments=Payment.objects.filter(booking=booking))


def enrollment_balance(*, enrollment) -> int:
    return balance_of(payments=Payment.objects.filter(enrollment=enrollment))


@dataclass(frozen=True)
class MoneyView:
    unpaid: list[Payment]
    transfers_to_confirm: list[Payment]
    refunds_to_make: list[Refund]
    refunds_in_progress: list[Refund]


def money_view(*, counselor) -> MoneyView:
    """The counselor's money page: what is owed, what to confirm, what to pay back (four queries)."""
    pending = list(
        _payments()
        .filter(counselor=counselor, status=Payment.Status.PENDING)
        .order_by("due_at", "created_at", "id")
    )
    refunds = Refund.objects.select_related("payment").filter(payment__counselor=counselor)
    return MoneyView(
        unpaid=[payment for payment in pending if payment.method == PaymentMethod.ONLINE],
        transfers_to_confirm=[payment for payment in pending if payment.method != PaymentMethod.ONLINE],
        refunds_to_make=list(
            refunds.filter(status__in=[RefundStatus.TO_MAKE, RefundStatus.FAILED]).order_by(
                "created_at", "id"
            )
        ),
        refunds_in_progress=list(refunds.filter(status=RefundStatus.REQUESTED).order_by("created_at", "id")),
    )


def ledger_month(*, counselor, month: date) -> QuerySet[LedgerEntry]:
    """The month's money movements (Asia/Tokyo), for the accountant's CSV."""
    first = month.replace(day=1)
    start = local_datetime(first, time())
    end = local_datetime(date(first.year + first.month // 12, first.month % 12 + 1, 1), time())
    return (
        LedgerEntry.objects.filter(counselor=counselor, at__gte=start, at__lt=end)
        .select_related("payment", "payment__receipt")
        .order_by("at", "id")
    )
