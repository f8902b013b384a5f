"""A prepaid course: seats are held while payment is pending, and a seat let go goes to the waitlist
with a payment link of its own deadline."""

from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.utils import timezone

from courses.models import Enrollment
from courses.services.enrollments import enrollment_create
from payments.methods import PaymentMethod
from payments.models import LedgerEntry, Payment
from payments.selectors import balance_of, enrollment_balance
from payments.services.settlement import payment_holds_release_expired, payment_mark_received
from tests.courses.factories import CourseFactory

pytestmark = pytest.mark.django_db


def _enrol(course, count: int) -> list[Enrollment]:
    return [
        enrollment_create(course=course, guest_name=f"ゲスト{n}", guest_email=f"guest{n}@example.com")[0]
        for n in range(count)
    ]


def test_eight_enrol_in_five_prepaid_seats_two_holds_expire_and_the_next_two_get_payment_links(
    counselor, settings, django_capture_on_commit_callbacks
):
    settings.PAYMENTS_TRANSFER_DAYS = 2
    course = CourseFactory(
        counselor=counselor, capacity=5, price_jpy=6000, payment_method=PaymentMethod.TRANSFER
    )
    start = timezone.now()
    with time_machine.travel(start, tick=False), django_capture_on_commit_callbacks(execute=True):
        enrollments = _enrol(course, 8)

    statuses = [enrollment.status for enrollment in enrollments]
    assert statuses == [Enrollment.Status.PENDING_PAYMENT] * 5 + [Enrollment.Status.WAITLISTED] * 3
    held = Payment.objects.filter(enrollment__course=course).order_by("id")
    assert held.count() == 5 and all(p.holds_place and p.status == Payment.Status.PENDING for p in held)

    # Three pay in time; two let the deadline pass.
    for payment in list(held)[:3]:
        payment_mark_received(payment=payment, actor=counselor)
    mail.outbox.clear()
    later = start + timedelta(days=2, minutes=1)
    with time_machine.travel(later, tick=False), django_capture_on_commit_callbacks(execute=True):
        assert payment_holds_release_expired() == 2

    for enrollment in enrollments:
        enrollment.refresh_from_db()
    assert [e.status for e in enrollments] == [
        *[Enrollment.Status.CONFIRMED] * 3,
        *[Enrollment.Status.CANCELLED] * 2,
        *[Enrollment.Status.PENDING_PAYMENT] * 2,
        Enrollment.Status.WAITLISTED,
    ]
    promoted = enrollments[5:7]
    for enrollment in promoted:
        payment = Payment.objects.get(enrollment=enrollment, status=Payment.Status.PENDING)
        # Its own deadline, counted from the promotion.
        assert payment.due_at == later + timedelta(days=2)
        [link] = [
            m for m in mail.outbox if m.to == [enrollment.guest_email] and "お支払いのご案内" in m.subject
        ]
        assert "キャンセル待ちのお席に空きが出ました" in link.body and "/payments/" in link.body
    released = [m for m in mail.outbox if "お支払い期限を過ぎたため取り消しました" in m.subject]
    assert sorted(m.to[0] for m in released) == ["guest3@example.com", "guest4@example.com"]

    # Every count matches the ledger: seats taken, money in.
    seats = Enrollment.objects.filter(course=course, status__in=["confirmed", "pending_payment"]).count()
    assert seats == 5
    payments = Payment.objects.filter(enrollment__course=course)
    assert LedgerEntry.objects.filter(payment__in=payments).count() == 3
    assert balance_of(payments=payments) == 3 * 6000
    assert payments.filter(status=Payment.Status.PAID).count() == 3
    assert [enrollment_balance(enrollment=e) for e in enrollments] == [6000] * 3 + [0] * 5

    for enrollment in promoted:
        payment = Payment.objects.get(enrollment=enrollment, status=Payment.Status.PENDING)
        payment_mark_received(payment=payment, actor=counselor)
        enrollment.refresh_from_db()
        assert enrollment.status == Enrollment.Status.CONFIRMED
    assert (
        balance_of(payments=payments)
        == 5 * 6000
        == 6000 * course.enrollments.filter(status="confirmed").count()
    )


def test_a_seat_paid_at_the_venue_is_confirmed_at_once_without_a_hold(counselor):
    course = CourseFactory(counselor=counselor, capacity=2, payment_method=PaymentMethod.VENUE)

    [enrollment] = _enrol(course, 1)

    assert enrollment.status == Enrollment.Status.CONFIRMED
    payment = Payment.objects.get(enrollment=enrollment)
    assert not payment.holds_place and payment.status == Payment.Status.PENDING


def test_a_held_seat_counts_against_capacity_in_the_course_list(counselor):
    from courses.selectors import course_queryset

    course = CourseFactory(counselor=counselor, capacity=2, payment_method=PaymentMethod.TRANSFER)
    _enrol(course, 3)

    assert course_queryset().get(pk=course.pk).confirmed_count == 2


def test_cancelling_a_course_refunds_every_paid_seat_in_full_and_closes_the_unpaid_ones(counselor):
    from courses.services.scheduling import course_cancel
    from payments.models import Refund

    course = CourseFactory(
        counselor=counselor, capacity=3, price_jpy=6000, payment_method=PaymentMethod.TRANSFER
    )
    paid, unpaid = _enrol(course, 2)
    payment_mark_received(payment=Payment.objects.get(enrollment=paid), actor=counselor)

    course_cancel(course=course)
    course_cancel(course=course)

    refund = Refund.objects.get()
    assert (refund.payment.enrollment_id, refund.amount_jpy, refund.reason) == (
        paid.pk,
        6000,
        "counselor_cancel",
    )
    assert Payment.objects.get(enrollment=unpaid).status == Payment.Status.CANCELLED
