"""The address of an online session: a room of its own made from the counselor's template, or the
counselor's fixed URL when they keep no template.

A room name carries 144 random bits: nobody finds a session by guessing, and no two bookings, hence
no two clients, ever share a room.
"""

import re
import secrets

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.utils.translation import gettext as _

from core.exceptions import ApplicationError
from counseling.models import CounselorProfile

ROOM_PLACEHOLDER = "{room}"


def meeting_room_name() -> str:
    return secrets.token_urlsafe(18)


def meeting_url_template_check(template: str) -> str:
    """``template`` stripped, or an ApplicationError saying what is wrong with it. Empty is allowed."""
    template = (template or "").strip()
    if not template:
        return ""
    if template.count(ROOM_PLACEHOLDER) != 1 or template.replace(ROOM_PLACEHOLDER, "").count("{"):
        message = _("「{room}」をちょうど1回含めてください（例：https://meet.jit.si/{room}）。")
        raise ApplicationError(message, extra={"meeting_url_template": [message]})
    try:
        URLValidator(schemes=["https"])(template.replace(ROOM_PLACEHOLDER, meeting_room_name()))
    except ValidationError as error:
        message = _("https:// で始まるURLにしてください。")
        raise ApplicationError(message, extra={"meeting_url_template": [message]}) from error
    return template


def _made_from(template: str, url: str) -> bool:
    before, after = template.split(ROOM_PLACEHOLDER)
    return bool(re.fullmatch(re.escape(before) + r"[A-Za-z0-9_-]{16,}" + re.escape(after), url))


def meeting_url_for_booking(*, counselor_id: int, current: str = "") -> str:
    """The meeting URL an online booking of ``counselor_id`` carries.

    ``current`` is the booking's URL so far: a rescheduled booking keeps a room made from the
    template still in use, so that the link the client already has goes on working.
    """
    profile = CounselorProfile.objects.filter(counselor_id=counselor_id).first()
    if profile is None:
        return ""
    template = profile.meeting_url_template
    if not template:
        return profile.meeting_url
    if current and _made_from(template, current):
        return current
    return template.replace(ROOM_PLACEHOLDER, meeting_room_name())
