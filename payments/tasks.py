from celery import shared_task

from payments.models import Refund
from payments.services.refunds import refund_send
from payments.services.settlement import payment_holds_release_expired


@shared_task(acks_late=True)
def payment_holds_release_expired_task() -> int:
    return payment_holds_release_expired()


@shared_task(acks_late=True, autoretry_for=(ConnectionError,), retry_backoff=True, max_retries=5)
def refund_send_task(refund_id: int) -> str:
    refund = Refund.objects.filter(pk=refund_id).first()
    if refund is None:
        return "missing"
    return refund_send(refund=refund).status
