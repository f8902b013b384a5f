"""The counselor's private calendar feed: the secret that opens it."""

import secrets

from django.core.exceptions import PermissionDenied
from django.db import transaction

from counseling.models import CounselorProfile


@transaction.atomic
def calendar_feed_token_regenerate(*, counselor) -> str:
    """A new secret for ``counselor``'s feed; the address with the old one stops working at once.

    Returns the new token (``counseling.selectors.calendar_feed.calendar_feed_url`` makes the address).
    """
    if not counselor.is_counselor:
        raise PermissionDenied
    # Locked: two regenerations at once must not both believe their token is the one kept.
    profile, _created = CounselorProfile.objects.select_for_update().get_or_create(counselor=counselor)
    profile.calendar_feed_token = secrets.token_urlsafe(32)
    profile.save(update_fields=["calendar_feed_token", "updated_at"])
    return profile.calendar_feed_token
