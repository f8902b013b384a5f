"""Just before the outbox sends a newsletter email: does the address still want it?

Unsubscribing or a bounce takes effect at once, also for messages planned and queued before it. The
batch sender asks the same question in SQL inside the statement that locks the row (no query of its
own); ``tests/newsletter/test_unsubscribe.py`` holds both forms to the same answers.
"""

from newsletter.models import Subscriber, Suppression
from outbox.registry import register_send_check

_STILL_WANTED_SQL = (
    f"NOT EXISTS (SELECT 1 FROM {Suppression._meta.db_table} s "  # noqa: S608 (the models' tables)
    "WHERE LOWER(s.email) = LOWER(o.recipient)) "
    "AND CASE WHEN o.context ->> 'subscriber_id' IS NULL THEN o.kind = 'newsletter.test' "
    f"ELSE EXISTS (SELECT 1 FROM {Subscriber._meta.db_table} r "
    "WHERE r.id = (o.context ->> 'subscriber_id')::bigint AND r.status = CASE WHEN o.kind = "
    f"'newsletter.confirm' THEN '{Subscriber.Status.PENDING}' ELSE '{Subscriber.Status.ACTIVE}' END) END"
)


@register_send_check("newsletter.", sql=_STILL_WANTED_SQL)
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
