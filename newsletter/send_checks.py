"""Just before the outbox sends a newsletter email: does the address still want it, and its links.

Unsubscribing or a bounce takes effect at once, also for messages planned and queued before it. The
batch sender asks the same question in SQL for its whole batch (no query of its own per message), and
again before its next message once a subscriber or a suppression changes: every such change calls
``outbox.services.send_checks_changed`` (``newsletter.receivers`` for saves and deletes, the services
for their bulk updates). ``tests/newsletter/test_send_check_in_batch.py`` holds both forms to the
same answers.

A lesson's or broadcast's signed links (unsubscribe, workbook) are made here as each message is
built, not stored with its outbox row: the planner writes the rows in SQL, and no stored row holds a
key to a subscriber's unsubscribe page.
"""

from newsletter.models import Subscriber, Suppression
from newsletter.rendering import link_site, unsubscribe_url, workbook_link
from outbox.registry import register_send_check, register_values

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


@register_values("newsletter.lesson")
@register_values("newsletter.broadcast")
def newsletter_email_links(email, keys: frozenset[str]) -> dict[str, str]:
    subscriber_id = email.context.get("subscriber_id")
    if subscriber_id is None:
        return {}
    values = {}
    site = link_site()
    if "unsubscribe_url" in keys:
        values["unsubscribe_url"] = unsubscribe_url(subscriber_id, site=site)
    if "workbook_url" in keys:
        values["workbook_url"] = workbook_link(subscriber_id, site=site)
    return values
