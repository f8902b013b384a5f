"""Demo data: the email course as shipped, the workbook PDF, and two confirmed subscribers."""

from django.core.files.base import ContentFile
from django.utils import timezone

from core.demo import register_demo_step
from newsletter.consent import consent_version_current
from newsletter.models import Consent, Lesson, Subscriber, Workbook
from newsletter.services.course import email_course_load
from newsletter.workbook_pdf import workbook_pdf_build

DEMO_SUBSCRIBERS = [("reader1@example.com", "田中 美咲"), ("reader2@example.com", "")]
WORKBOOK_FILENAME = "kokoro-workbook.pdf"


@register_demo_step(order=20)
def seed_newsletter(shared, write) -> None:
    email_course_load()  # what a fresh install loads on start, here too when seed_demo runs alone
    write(f"newsletter  {Lesson.objects.filter(is_active=True).count()} lessons")

    if not Workbook.objects.exists():
        workbook = Workbook(title="心を整えるワークブック")
        workbook.file.save(WORKBOOK_FILENAME, ContentFile(workbook_pdf_build()), save=False)
        workbook.save()
    write(f"newsletter  workbook: {Workbook.objects.order_by('-created_at').first().file.name}")

    now = timezone.now()
    for email, name in DEMO_SUBSCRIBERS:
        subscriber, created = Subscriber.objects.get_or_create(
            email=email,
            defaults={"name": name, "status": Subscriber.Status.ACTIVE, "confirmed_at": now},
        )
        if created:
            # Demo subscribers come with the consent record a real signup leaves.
            Consent.objects.create(
                subscriber=subscriber,
                email=email,
                given_at=now,
                source="demo",
                wording_version=consent_version_current(),
                confirmed_at=now,
            )
    write(f"newsletter  subscribers: {', '.join(email for email, _name in DEMO_SUBSCRIBERS)}")
