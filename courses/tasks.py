from celery import shared_task

from courses.services.reminders import course_reminders_send


@shared_task(acks_late=True)
def course_reminders_send_task() -> int:
    return course_reminders_send()
