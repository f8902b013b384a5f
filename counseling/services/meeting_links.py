"""The address of an online session: a room of its own made from the counselor's template, or the
counselor's fixed URL when they keep no template.

A room name carries 144 random bits: nobody finds a session by guessing, and no two bookings, hence
no two clients, ever share a room.
"""

import re

from django.core.exceptions import ValidationError

from core.exceptions import ApplicationError
from counseling.meeting_url import ROOM_PLACEHOLDER, meeting_room_name, validate_meeting_url_template
from counseling.models import CounselorProfile


def meeting_url_template_check(template: str) -> str:
    """``template`` stripped, or an ApplicationError saying what is wrong with it. Empty is allowed."""
    template = (template or "").strip()
    try:
        validate_meeting_url_template(template)
    except ValidationError as error:
        message = error.messages[0]
        raise ApplicationError(message, extra={"meeting_url_template": [message]}) from error
    return template


def _made_from(template: str, url: str) -> bool:
    if template.count(ROOM_PLACEHOLDER) != 1:
        return False
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
