"""django-anymail's tracking signal: every ESP's webhook arrives here as a normalised event. And every
saved or deleted subscriber or suppression tells the outbox's batch senders to ask the newsletter's
send check again (``newsletter.send_checks``), whichever code made the change."""

from anymail.signals import tracking
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from newsletter.models import Subscriber, Suppression
from newsletter.services.tracking import tracking_event_handle
from outbox.services import send_checks_changed


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


@receiver([post_save, post_delete], sender=Subscriber, dispatch_uid="newsletter.subscriber_changed")
@receiver([post_save, post_delete], sender=Suppression, dispatch_uid="newsletter.suppression_changed")
def newsletter_send_check_changed(sender, **kwargs) -> None:
    send_checks_changed()
