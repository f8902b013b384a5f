from celery import shared_task

from courses import services


@shared_task(acks_late=True)
def course_reminders_send_task() -> int:
    return services.course_reminders_send()
