import os
from datetime import time

import pytest

from payments import stripe_gateway
from tests.counseling.factories import AvailabilityRuleFactory, CounselorProfileFactory, SessionTypeFactory
from tests.payments.stripe_fake import SECRET_KEY, WEBHOOK_SECRET, FakeStripeHTTP


@pytest.fixture
def fake_stripe(settings, monkeypatch) -> FakeStripeHTTP:
    """Stripe configured with test keys; its HTTP client swapped for the fake at the library's seam."""
    settings.STRIPE_SECRET_KEY = SECRET_KEY
    settings.STRIPE_WEBHOOK_SECRET = WEBHOOK_SECRET
    fake = FakeStripeHTTP()
    monkeypatch.setattr(stripe_gateway, "HTTP_CLIENT", fake)
    return fake


def paid_session_type(counselor, *, payment_method: str, price_jpy: int = 10000, format: str = "online"):
    """Bookable on Wednesdays 10:00–12:00 (see tests/counseling/conftest.py), paid as given."""
    AvailabilityRuleFactory(
        counselor=counselor, weekday=2, start_time=time(10), end_time=time(12), format=format
    )
    CounselorProfileFactory(counselor=counselor, meeting_url="https://meet.example.com/room-1")
    return SessionTypeFactory(
        counselor=counselor,
        format=format,
        location="" if format == "online" else "東京ルーム",
        price_jpy=price_jpy,
        payment_method=payment_method,
    )


def pytest_collection_modifyitems(config, items):
    """The Stripe test-mode test runs only for a person with a key: deselected (not skipped) otherwise,
    so an ordinary run reports 0 skipped."""
    if os.environ.get("STRIPE_TEST_SECRET_KEY"):
        return
    live = [item for item in items if item.get_closest_marker("stripe_live")]
    if live:
        config.hook.pytest_deselected(items=live)
        items[:] = [item for item in items if not item.get_closest_marker("stripe_live")]
