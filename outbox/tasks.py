from celery import shared_task

from outbox import services


@shared_task(
    bind=True,
    acks_late=True,
    autoretry_for=(services.TransientSendError,),
    retry_backoff=30,
    retry_backoff_max=30 * 60,
    retry_jitter=True,
    max_retries=None,  # The row counts attempts and fails for good at OUTBOX_MAX_ATTEMPTS.
)
def email_send_task(self, email_id: int) -> None:
    services.email_send(email_id=email_id)


@shared_task(acks_late=True)
def email_send_batch_task(email_ids: list[int], round_number: int = 0) -> None:
    retry = services.email_send_batch(email_ids=email_ids)
    if retry:
        # Only the messages the server deferred go round again, after a growing pause.
        countdown = min(30 * 2**round_number, 30 * 60)
        email_send_batch_task.apply_async(args=[retry, round_number + 1], countdown=countdown)


@shared_task(acks_late=True)
def outbox_requeue_stale_task() -> int:
    return services.outbox_requeue_stale()
