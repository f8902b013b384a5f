from celery import shared_task

from newsletter.services.planning import slots_plan_due
from newsletter.services.subscribers import subscribers_purge_unconfirmed


@shared_task(acks_late=True)
def newsletter_plan_due_slots_task() -> list[int]:
    return [slot.pk for slot in slots_plan_due()]


@shared_task(acks_late=True)
def newsletter_purge_unconfirmed_task() -> int:
    return subscribers_purge_unconfirmed()
