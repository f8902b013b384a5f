import re
from datetime import timedelta

import pytest

SUBSCRIBE = "/api/v1/newsletter/subscribe/"


def subscribe(api_client, email="hanako@example.com", name="花子", consent=True, **extra):
    return api_client.post(
        SUBSCRIBE,
        {"email": email, "name": name, "consent": consent, **extra},
        format="json",
        REMOTE_ADDR="198.51.100.23",
        HTTP_USER_AGENT="Mozilla/5.0 (Macintosh) Safari/605",
    )


def link_token(body: str, page: str) -> str:
    """The token of the first /newsletter/<page>/<token>/ link in an email body."""
    match = re.search(rf"/newsletter/{page}/([^/\s\"<]+)/", body)
    assert match, f"no {page} link in: {body}"
    return match.group(1)


@pytest.fixture
def workbook(db, settings, tmp_path):
    from django.core.files.base import ContentFile

    from newsletter.services.content import workbook_upload

    settings.MEDIA_ROOT = str(tmp_path / "media")
    file = ContentFile(b"%PDF-1.4 workbook", name="workbook.pdf")
    return workbook_upload(file=file, title="心を整えるワークブック")


@pytest.fixture
def admin_client(db):
    """The practice's owner in the admin (a superuser counselor)."""
    from django.test import Client

    from tests.accounts.factories import CounselorFactory

    client = Client()
    client.force_login(CounselorFactory(is_superuser=True, email="sensei@example.com"))
    return client


@pytest.fixture
def planned_lessons(monkeypatch):
    """Three subscribers' lessons planned for one slot (fan-out rows, with a shared body) and not
    handed to a sender: their ids in sending order."""
    from django.utils import timezone

    from newsletter.schedule import slots_between
    from newsletter.services import planning
    from outbox.models import OutboundEmail
    from tests.newsletter.factories import LessonFactory, SubscriberFactory

    slot = slots_between(timezone.now() - timedelta(days=7), timezone.now())[-1]
    LessonFactory()
    for number in range(3):
        SubscriberFactory(email=f"reader{number}@example.com", confirmed_at=slot - timedelta(days=1))
    monkeypatch.setattr(planning, "emails_send_on_commit", lambda **kwargs: None)
    planning.slot_plan(starts_at=slot)
    return list(OutboundEmail.objects.order_by("pk").values_list("pk", flat=True))
