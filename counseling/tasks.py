from celery import shared_task

from counseling.services.reminders import booking_reminders_queue_due


@shared_task(acks_late=True)
def booking_reminders_send_due_task() -> int:
    return booking_reminders_queue_due()
