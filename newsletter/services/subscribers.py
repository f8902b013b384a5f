"""Subscribing with double opt-in, confirming, the workbook link, unsubscribing, suppressing, purging."""

from datetime import datetime

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from core.emails import normalize_email
from core.exceptions import ApplicationError
from core.links import absolute_url
from newsletter.consent import CONSENT_WORDINGS, WORDING_REVISED
from newsletter.models import Consent, Subscriber, Suppression, Workbook, WorkbookDownload
from newsletter.rendering import subscriber_email_render
from newsletter.schedule import slots_description
from newsletter.tokens import (
    InvalidToken,
    confirm_token_make,
    confirm_token_read,
    unsubscribe_token_read,
    workbook_token_make,
    workbook_token_read,
)
from outbox.services import email_enqueue, email_enqueue_template, send_checks_changed


class LinkInvalid(ApplicationError):
    """An emailed link that is forged, expired, or no longer applies (pages answer 404)."""

    def __init__(self, message: str | None = None):
        super().__init__(message or _("このリンクは無効か、有効期限が切れています。"))


def _practice_context() -> dict:
    return {
        "practice_name": settings.PRACTICE_NAME,
        "practice_postal_address": settings.PRACTICE_POSTAL_ADDRESS,
        "practice_contact_email": settings.PRACTICE_CONTACT_EMAIL,
        "schedule": slots_description(),
    }


def _subscriber_lock_or_create(*, email: str, name: str) -> Subscriber:
    subscriber = Subscriber.objects.select_for_update().filter(email__iexact=email).first()
    if subscriber is not None:
        return subscriber
    try:
        with transaction.atomic():
            return Subscriber.objects.create(email=email, name=name)
    except IntegrityError:
        # Another request created the same address a moment ago; its row is committed now.
        return Subscriber.objects.select_for_update().get(email__iexact=email)


def _confirmation_due(sent_at: datetime | None, now: datetime) -> bool:
    return sent_at is None or now - sent_at >= settings.NEWSLETTER_CONFIRMATION_INTERVAL


@transaction.atomic
def subscriber_subscribe(
    *,
    email: str,
    name: str = "",
    source: str,
    wording_version: str,
    ip_address: str | None,
    user_agent: str,
) -> Subscriber | None:
    """Records the consent and emails a confirmation link; the caller answers the same in every case.

    A confirmed address gets nothing (no second consent, no email); a pending or unsubscribed one
    gets a new consent record and a confirmation email, at most one per NEWSLETTER_CONFIRMATION_INTERVAL.
    A suppressed address (hard bounce, complaint) is left alone.
    """
    if wording_version not in CONSENT_WORDINGS:
        raise ApplicationError(_("同意文の版が不明です。"), extra={"consent_version": [_("不明な版です。")]})
    if not CONSENT_WORDINGS[wording_version].describes_settings():
        # The wording no longer states the schedule the mail goes out on: the reader must see the new one.
        raise ApplicationError(str(WORDING_REVISED), extra={"consent_version": [_("改訂前の版です。")]})
    email = normalize_email(email)
    if Suppression.objects.filter(email__iexact=email).exists():
        return None
    subscriber = _subscriber_lock_or_create(email=email, name=name.strip())
    if subscriber.status == Subscriber.Status.ACTIVE:
        return subscriber
    now = timezone.now()
    consent = Consent.objects.create(
        subscriber=subscriber,
        email=email,
        given_at=now,
        ip_address=ip_address or None,
        user_agent=(user_agent or "")[:255],
        source=source[:64],
        wording_version=wording_version,
    )
    subscriber.status = Subscriber.Status.PENDING
    if name.strip():
        subscriber.name = name.strip()
    if _confirmation_due(subscriber.confirmation_sent_at, now):
        subscriber.confirmation_sent_at = now
        token = confirm_token_make(subscriber_id=subscriber.pk, consent_id=consent.pk)
        email_enqueue_template(
            kind="newsletter.confirm",
            recipient=subscriber.email,
            key=f"consent:{consent.pk}",
            template="newsletter/email/confirm",
            template_context={
                **_practice_context(),
                "name": subscriber.name,
                "confirm_url": absolute_url("newsletter:confirm", token=token),
                "valid_days": settings.NEWSLETTER_CONFIRM_MAX_AGE.days,
            },
            context={"subscriber_id": subscriber.pk},
            carries_secret=True,
        )
    subscriber.full_clean()
    subscriber.save()
    return subscriber


def _subscriber_for_token(subscriber_id: int) -> Subscriber:
    subscriber = Subscriber.objects.select_for_update().filter(pk=subscriber_id).first()
    if subscriber is None:
        raise LinkInvalid
    return subscriber


def confirm_subscriber_peek(*, token: str) -> Subscriber:
    """The subscriber a confirmation link is for, without confirming (the page before the button)."""
    try:
        subscriber_id, consent_id = confirm_token_read(token)
    except InvalidToken:
        raise LinkInvalid from None
    subscriber = Subscriber.objects.filter(pk=subscriber_id, consents__pk=consent_id).first()
    if subscriber is None or subscriber.status not in (Subscriber.Status.PENDING, Subscriber.Status.ACTIVE):
        raise LinkInvalid
    return subscriber


@transaction.atomic
def subscriber_confirm(*, token: str, ip_address: str | None) -> Subscriber:
    """Double opt-in: the link from the confirmation email activates the subscription.

    Confirming twice is harmless; a link whose consent was confirmed before and then withdrawn
    (unsubscribed, then subscribed again) does not confirm the new request.
    """
    try:
        subscriber_id, consent_id = confirm_token_read(token)
    except InvalidToken:
        raise LinkInvalid from None
    subscriber = _subscriber_for_token(subscriber_id)
    consent = subscriber.consents.filter(pk=consent_id).first()
    if consent is None:
        raise LinkInvalid
    if subscriber.status == Subscriber.Status.ACTIVE:
        return subscriber
    if subscriber.status != Subscriber.Status.PENDING or consent.confirmed_at is not None:
        raise LinkInvalid
    now = timezone.now()
    consent.confirmed_at = now
    consent.confirmed_ip_address = ip_address or None
    consent.save(update_fields=["confirmed_at", "confirmed_ip_address", "updated_at"])
    subscriber.status = Subscriber.Status.ACTIVE
    subscriber.confirmed_at = now
    subscriber.unsubscribed_at = None
    subscriber.save(update_fields=["status", "confirmed_at", "unsubscribed_at", "updated_at"])
    _workbook_email_enqueue(subscriber=subscriber, template="welcome", key=f"consent:{consent.pk}")
    return subscriber


def workbook_url(subscriber: Subscriber) -> str:
    return absolute_url("newsletter:workbook", token=workbook_token_make(subscriber_id=subscriber.pk))


def _workbook_email_enqueue(*, subscriber: Subscriber, template: str, key: str) -> None:
    message = subscriber_email_render(
        template=f"newsletter/email/{template}",
        subscriber_id=subscriber.pk,
        context={
            **_practice_context(),
            "name": subscriber.name,
            "workbook_url": workbook_url(subscriber),
            "resend_url": absolute_url("newsletter:workbook-link"),
            "valid_days": settings.NEWSLETTER_WORKBOOK_LINK_MAX_AGE.days,
        },
    )
    email_enqueue(
        kind=f"newsletter.{template}",
        recipient=subscriber.email,
        key=key,
        subject=message.rendered.subject,
        text=message.rendered.text,
        html=message.rendered.html,
        headers=message.headers,
        context={"subscriber_id": subscriber.pk},
        carries_secret=True,
    )


@transaction.atomic
def workbook_link_resend(*, email: str) -> None:
    """Emails a fresh workbook link to a confirmed subscriber; anyone else gets nothing, silently."""
    subscriber = (
        Subscriber.objects.select_for_update()
        .filter(email__iexact=normalize_email(email), status=Subscriber.Status.ACTIVE)
        .first()
    )
    now = timezone.now()
    if subscriber is None or not _confirmation_due(subscriber.workbook_link_sent_at, now):
        return
    subscriber.workbook_link_sent_at = now
    subscriber.save(update_fields=["workbook_link_sent_at", "updated_at"])
    _workbook_email_enqueue(
        subscriber=subscriber, template="workbook_link", key=f"{subscriber.pk}:{now.timestamp():.0f}"
    )


@transaction.atomic
def workbook_download(*, token: str) -> Workbook:
    """The workbook for a valid link of a confirmed subscriber, counted; anything else is LinkInvalid."""
    try:
        subscriber_id = workbook_token_read(token)
    except InvalidToken:
        raise LinkInvalid from None
    subscriber = Subscriber.objects.filter(pk=subscriber_id, status=Subscriber.Status.ACTIVE).first()
    workbook = Workbook.objects.order_by("-created_at", "-id").first()
    if subscriber is None or workbook is None:
        raise LinkInvalid
    WorkbookDownload.objects.create(subscriber=subscriber, workbook=workbook)
    return workbook


def unsubscribe_subscriber_peek(*, token: str) -> Subscriber:
    try:
        subscriber_id = unsubscribe_token_read(token)
    except InvalidToken:
        raise LinkInvalid from None
    subscriber = Subscriber.objects.filter(pk=subscriber_id).first()
    if subscriber is None:
        raise LinkInvalid
    return subscriber


@transaction.atomic
def subscriber_unsubscribe(*, token: str) -> Subscriber:
    """Takes effect at once; mail already queued is skipped by the send check (send_checks.py)."""
    try:
        subscriber_id = unsubscribe_token_read(token)
    except InvalidToken:
        raise LinkInvalid from None
    subscriber = _subscriber_for_token(subscriber_id)
    if subscriber.status in (Subscriber.Status.ACTIVE, Subscriber.Status.PENDING):
        subscriber.status = Subscriber.Status.UNSUBSCRIBED
        subscriber.unsubscribed_at = timezone.now()
        subscriber.save(update_fields=["status", "unsubscribed_at", "updated_at"])
    return subscriber


@transaction.atomic
def address_suppress(*, email: str, reason: str, detail: str = "") -> Suppression:
    """No newsletter mail to this address any more (a hard bounce or a complaint)."""
    email = normalize_email(email)
    suppression = Suppression.objects.filter(email__iexact=email).first()
    if suppression is None:
        suppression = Suppression(email=email, reason=reason, detail=detail[:2000])
        suppression.full_clean()
        suppression.save()
    Subscriber.objects.filter(email__iexact=email).exclude(status=Subscriber.Status.SUPPRESSED).update(
        status=Subscriber.Status.SUPPRESSED, updated_at=timezone.now()
    )
    send_checks_changed()
    return suppression


@transaction.atomic
def subscriber_unsubscribe_address(*, email: str) -> int:
    """An unsubscribe reported by the ESP (its own list-unsubscribe handling)."""
    send_checks_changed()
    return Subscriber.objects.filter(
        email__iexact=normalize_email(email),
        status__in=[Subscriber.Status.ACTIVE, Subscriber.Status.PENDING],
    ).update(status=Subscriber.Status.UNSUBSCRIBED, unsubscribed_at=timezone.now(), updated_at=timezone.now())


@transaction.atomic
def subscribers_purge_unconfirmed(*, now: datetime | None = None) -> int:
    """Deletes addresses never confirmed within NEWSLETTER_UNCONFIRMED_RETENTION; returns how many.

    Counted from the last confirmation email, so that a consent record always outlives the last
    email sent on it. Someone who had confirmed before and then asked again without confirming
    goes back to "unsubscribed": only the unconfirmed consent goes, the earlier record stays.
    """
    cutoff = (now or timezone.now()) - settings.NEWSLETTER_UNCONFIRMED_RETENTION
    stale = Q(confirmation_sent_at__lt=cutoff) | Q(confirmation_sent_at__isnull=True, created_at__lt=cutoff)
    pending = Subscriber.objects.filter(stale, status=Subscriber.Status.PENDING)
    _total, deleted = pending.filter(confirmed_at__isnull=True).delete()
    returning = pending.filter(confirmed_at__isnull=False)
    Consent.objects.filter(subscriber__in=returning, confirmed_at__isnull=True).delete()
    returning.update(status=Subscriber.Status.UNSUBSCRIBED, updated_at=timezone.now())
    send_checks_changed()
    return deleted.get(Subscriber._meta.label, 0)
