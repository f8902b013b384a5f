"""Against Stripe's own test mode, for a person who has a test key (STRIPE_TEST_SECRET_KEY).

Collected only when that variable is set (tests/payments/conftest.py deselects it otherwise), so a
run without the key neither calls Stripe nor reports a skip.
"""

import os

import pytest
import time_machine
from django.utils import timezone

from counseling.services.bookings import booking_create
from payments import stripe_gateway
from payments.methods import PaymentMethod
from payments.models import Payment
from payments.services.checkout import payment_checkout_start
from tests.counseling.conftest import NOW, WEDNESDAY, tokyo
from tests.counseling.factories import IntakeFactory
from tests.payments.conftest import paid_session_type

pytestmark = [pytest.mark.stripe_live, pytest.mark.django_db]


def test_stripe_test_mode_opens_a_checkout_session_for_a_card_hold(counselor, settings, monkeypatch):
    settings.STRIPE_SECRET_KEY = os.environ["STRIPE_TEST_SECRET_KEY"]
    monkeypatch.setattr(stripe_gateway, "HTTP_CLIENT", None)  # the library's own client
    session_type = paid_session_type(counselor, payment_method=PaymentMethod.ONLINE)
    with time_machine.travel(NOW, tick=True):
        booking, _created = booking_create(
            client=IntakeFactory().client, session_type=session_type, start=tokyo(WEDNESDAY, 10)
        )
    payment = Payment.objects.get(booking=booking)
    payment.due_at = timezone.now()
    payment.save(update_fields=["due_at"])

    url = payment_checkout_start(payment=payment)

    assert url.startswith("https://checkout.stripe.com/")
    payment.refresh_from_db()
    assert payment.stripe_checkout_session_id.startswith("cs_test_")
