"""The API kernel every app's views share: per-method permissions, bounded ids, calendar-safe dates,
the person and ``from``/``to`` serializers. Errors are in ``core.exceptions``, pages in
``core.pagination``, the 202 answer in ``core.responses``."""

from collections.abc import Sequence
from datetime import date, datetime, tzinfo

from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext as _
from rest_framework import serializers
from rest_framework.permissions import BasePermission
from rest_framework.request import Request


class MethodPermissionsMixin:
    """Per-method permission classes (``method_permissions = {"POST": (IsClient,)}``); others fall back
    to ``permission_classes``."""

    method_permissions: dict[str, Sequence[type[BasePermission]]] = {}
    # Provided by the APIView this is mixed into.
    request: Request
    permission_classes: Sequence[type[BasePermission]]

    def get_permissions(self) -> list[BasePermission]:
        classes = self.method_permissions.get(self.request.method or "", self.permission_classes)
        return [permission() for permission in classes]


def datetime_output(value: datetime | None, zone: tzinfo) -> str | None:
    """``value`` as DRF's ``DateTimeField`` writes it: ISO 8601 in ``zone`` (the current time zone,
    looked up once per response by the caller), UTC as ``Z``. For outputs built without a serializer."""
    if value is None:
        return None
    text = value.astimezone(zone).isoformat()
    return text[:-6] + "Z" if text.endswith("+00:00") else text


class PersonSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    display_name = serializers.CharField()
    email = serializers.EmailField()


# Dates outside these years mean nothing to the practice, and near year 1 or 9999 the conversion to
# UTC would overflow instead of answering 400.
EARLIEST_DATE = date(2000, 1, 1)
LATEST_DATE = date(2100, 12, 31)


def check_calendar_range(value: date | datetime) -> None:
    """The validator of every date and date-time the API or a page accepts: a Django
    ``ValidationError``, which DRF's fields and Django's forms both turn into a 400."""
    day = value.date() if isinstance(value, datetime) else value
    if not EARLIEST_DATE <= day <= LATEST_DATE:
        raise DjangoValidationError(
            _("%(earliest)s年から%(latest)s年までの日付を指定してください。")
            % {"earliest": EARLIEST_DATE.year, "latest": LATEST_DATE.year},
            code="calendar_range",
        )


class CalendarDateField(serializers.DateField):
    def __init__(self, **kwargs):
        super().__init__(validators=[check_calendar_range], **kwargs)


class CalendarDateTimeField(serializers.DateTimeField):
    def enforce_timezone(self, value):
        # Checked before the time-zone conversion, which itself overflows near year 1 and 9999.
        try:
            check_calendar_range(value)
        except DjangoValidationError as error:
            raise serializers.ValidationError(error.messages, code="calendar_range") from error
        return super().enforce_timezone(value)


class FromToFilterSerializer(serializers.Serializer):
    """Adds the ``from`` and ``to`` query dates (names a class body cannot use) as date_from/date_to."""

    def get_fields(self):
        fields = super().get_fields()
        fields["from"] = CalendarDateField(required=False, source="date_from")
        fields["to"] = CalendarDateField(required=False, source="date_to")
        return fields


# Ids are PostgreSQL bigints: a larger number cannot name anything and would overflow the query.
MAX_ID = 2**63 - 1


def id_field(**kwargs) -> serializers.IntegerField:
    return serializers.IntegerField(min_value=1, max_value=MAX_ID, **kwargs)
