"""Just before the outbox sends a newsletter email: does the address still want it?

Unsubscribing or a bounce takes effect at once, also for messages planned and queued before it.
"""

from newsletter.models import Subscriber, Suppression
from outbox.registry import register_send_check


@register_send_check("newsletter.")
def newsletter_email_still_wanted(email) -> bool:
    if Suppression.objects.filter(email__iexact=email.recipient).exists():
        return False
    subscriber_id = email.context.get("subscriber_id")
    if subscriber_id is None:
        return email.kind == "newsletter.test"  # to the counselor, who asked for it just now
    status = Subscriber.objects.filter(pk=subscriber_id).values_list("status", flat=True).first()
    if email.kind == "newsletter.confirm":
        return status == Subscriber.Status.PENDING
    return status == Subscriber.Status.ACTIVE
