from datetime import timedelta

import factory
from django.utils import timezone

from payments.methods import PaymentMethod
from payments.models import LedgerEntry, Payment, Receipt, Refund
from tests.accounts.factories import ClientFactory, CounselorFactory
from tests.counseling.factories import BookingFactory, SessionTypeFactory


class PaymentFactory(factory.django.DjangoModelFactory):
    """A bank-transfer payment of a booking, written straight to the table (for lists and the admin)."""

    class Meta:
        model = Payment

    counselor = factory.SubFactory(CounselorFactory)
    payer = factory.SubFactory(ClientFactory)
    payer_name = factory.LazyAttribute(lambda p: p.payer.display_name or p.payer.email)
    payer_email = factory.LazyAttribute(lambda p: p.payer.email)
    # Two hours apart, so that a counselor's bookings never overlap.
    booking = factory.LazyAttributeSequence(
        lambda p, n: BookingFactory(
            client=p.payer,
            session_type=SessionTypeFactory(counselor=p.counselor),
            start=timezone.now() + timedelta(days=3, hours=2 * n),
        )
    )
    description = "カウンセリング料"
    amount_jpy = 11000
    method = PaymentMethod.TRANSFER
    status = Payment.Status.PENDING
    reference = factory.Sequence(lambda n: f"{20_000_000 + n}")
    paid_at = factory.LazyAttribute(lambda p: timezone.now() if p.status == Payment.Status.PAID else None)


class RefundFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Refund

    payment = factory.SubFactory(PaymentFactory, status=Payment.Status.PAID)
    amount_jpy = factory.LazyAttribute(lambda r: r.payment.amount_jpy)
    reason = Refund.Reason.COUNSELOR_CANCEL
    status = Refund.Status.TO_MAKE


class ReceiptFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Receipt

    payment = factory.SubFactory(PaymentFactory, status=Payment.Status.PAID)
    number = factory.Sequence(lambda n: 900_000 + n)
    recipient_name = factory.LazyAttribute(lambda r: r.payment.payer_name)
    description = factory.LazyAttribute(lambda r: r.payment.description)
    amount_jpy = factory.LazyAttribute(lambda r: r.payment.amount_jpy)
    tax_jpy = factory.LazyAttribute(lambda r: r.payment.amount_jpy * 10 // 110)


class LedgerEntryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = LedgerEntry

    payment = factory.SubFactory(PaymentFactory)
    counselor = factory.LazyAttribute(lambda e: e.payment.counselor)
    kind = LedgerEntry.Kind.PAYMENT
    amount_jpy = factory.LazyAttribute(lambda e: e.payment.amount_jpy)
    method = factory.LazyAttribute(lambda e: e.payment.method)
    key = factory.Sequence(lambda n: f"test:{n}")
