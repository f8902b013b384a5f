from core.personal_data import register_exporter
from newsletter.models import Subscriber


def _iso(value) -> str | None:
    return value.isoformat() if value else None


@register_exporter("newsletter")
def newsletter_export(user) -> dict | None:
    """The newsletter subscription held under the user's email address, with its consent records."""
    subscriber = Subscriber.objects.filter(email__iexact=user.email).prefetch_related("consents").first()
    if subscriber is None:
        return None
    return {
        "email": subscriber.email,
        "name": subscriber.name,
        "status": subscriber.status,
        "subscribed_at": _iso(subscriber.created_at),
        "confirmed_at": _iso(subscriber.confirmed_at),
        "unsubscribed_at": _iso(subscriber.unsubscribed_at),
        "consents": [
            {
                "given_at": _iso(consent.given_at),
                "ip_address": consent.ip_address,
                "user_agent": consent.user_agent,
                "source": consent.source,
                "wording_version": consent.wording_version,
                "confirmed_at": _iso(consent.confirmed_at),
            }
            for consent in subscriber.consents.all()
        ],
        "emails_received": subscriber.deliveries.count(),
        "workbook_downloads": subscriber.downloads.count(),
    }
