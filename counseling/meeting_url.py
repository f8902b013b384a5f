"""The one rule for a counselor's meeting-URL template, with no model import so that the model field,
the admin and schedule forms and the API service all apply it."""

import secrets

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.utils.translation import gettext as _

ROOM_PLACEHOLDER = "{room}"


def meeting_room_name() -> str:
    return secrets.token_urlsafe(18)


def validate_meeting_url_template(template: str) -> None:
    """A ValidationError unless ``template`` (stripped) is empty or an https URL with exactly one
    ``{room}`` and no other brace."""
    template = (template or "").strip()
    if not template:
        return
    if template.count(ROOM_PLACEHOLDER) != 1 or template.replace(ROOM_PLACEHOLDER, "").count("{"):
        raise ValidationError(_("「{room}」をちょうど1回含めてください（例：https://meet.jit.si/{room}）。"))
    try:
        URLValidator(schemes=["https"])(template.replace(ROOM_PLACEHOLDER, meeting_room_name()))
    except ValidationError as error:
        raise ValidationError(_("https:// で始まるURLにしてください。")) from error
