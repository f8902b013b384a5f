"""Delivery events from the ESP (django-anymail's tracking webhook): bounces, complaints, unsubscribes."""

from django.db import IntegrityError, transaction

from newsletter.models import Suppression, TrackingEvent
from newsletter.services.subscribers import address_suppress, subscriber_unsubscribe_address

# Postmark reports a soft bounce as "bounced" too; these ESP types are temporary and suppress nothing.
_SOFT_BOUNCE_TYPES = {"SoftBounce", "Transient", "DnsError"}


def _suppression_reason(*, event_type: str, reject_reason: str | None, esp_event) -> str | None:
    if event_type == "complained":
        return Suppression.Reason.COMPLAINED
    if event_type == "bounced":
        if isinstance(esp_event, dict) and (
            esp_event.get("Type") in _SOFT_BOUNCE_TYPES or esp_event.get("hard_bounce") is False
        ):
            return None
        return Suppression.Reason.BOUNCED
    if event_type == "rejected" and reject_reason in ("bounced", "invalid"):
        # The ESP refuses the address because it bounced before: it is as dead as a hard bounce.
        return Suppression.Reason.INVALID
    return None


@transaction.atomic
def tracking_event_handle(
    *,
    esp_name: str,
    event_id: str | None,
    event_type: str,
    recipient: str | None,
    reject_reason: str | None = None,
    description: str = "",
    esp_event=None,
) -> bool:
    """Acts on one event; returns False when it is ignored (no bearing, or already handled)."""
    reason = _suppression_reason(event_type=event_type, reject_reason=reject_reason, esp_event=esp_event)
    if not recipient or (reason is None and event_type != "unsubscribed"):
        return False
    if event_id:
        try:
            # ESPs retry webhooks: the same event id arriving again changes nothing.
            with transaction.atomic():
                TrackingEvent.objects.create(
                    esp_name=esp_name[:32],
                    event_id=event_id[:255],
                    event_type=event_type,
                    recipient=recipient,
                )
        except IntegrityError:
            return False
    if reason is not None:
        address_suppress(email=recipient, reason=reason, detail=description or "")
    else:
        subscriber_unsubscribe_address(email=recipient)
    return True
