"""django-anymail's tracking signal: every ESP's webhook arrives here as a normalised event."""

from anymail.signals import tracking
from django.dispatch import receiver

from newsletter.services.tracking import tracking_event_handle


@receiver(tracking, dispatch_uid="newsletter.tracking")
def newsletter_tracking_event(sender, event, esp_name, **kwargs) -> None:
    tracking_event_handle(
        esp_name=esp_name,
        event_id=event.event_id,
        event_type=event.event_type,
        recipient=event.recipient,
        reject_reason=event.reject_reason,
        description=event.description or event.mta_response or "",
        esp_event=event.esp_event,
    )
