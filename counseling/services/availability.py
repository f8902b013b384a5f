"""The counselor's side of scheduling: session types, weekly hours, time off, the meeting URL."""

from datetime import datetime, time

from django.db import transaction
from django.utils.translation import gettext as _

from core.exceptions import ApplicationError, ConflictError
from counseling.models import AvailabilityRule, Booking, CounselorProfile, Format, SessionType, TimeOff
from counseling.selectors.schedule import TimeOffWithBookings, time_off_bookings
from counseling.services.meeting_links import meeting_url_template_check
from payments.methods import PaymentMethod

SESSION_TYPE_FIELDS = (
    "name",
    "format",
    "location",
    "duration_minutes",
    "price_jpy",
    "buffer_minutes",
    "active",
    "payment_method",
)
RULE_FIELDS = ("weekday", "start_time", "end_time", "format")
TIME_OFF_FIELDS = ("start", "end", "note")


def _require_counselor(user) -> None:
    if not user.is_counselor:
        raise ApplicationError(_("カウンセラーのみが設定できます。"))


def _assign(instance, changes: dict, allowed: tuple[str, ...]) -> None:
    for field, value in changes.items():
        if field not in allowed:
            raise ApplicationError(_("変更できない項目です。"), extra={field: [_("変更できません。")]})
        setattr(instance, field, value.strip() if isinstance(value, str) else value)


def _save(instance):
    # The checks before this give readable messages; the database constraints back them.
    instance.full_clean(validate_constraints=False)
    instance.save()
    return instance


def _session_type_save(session_type: SessionType) -> SessionType:
    shortest, longest = SessionType.MIN_DURATION_MINUTES, SessionType.MAX_DURATION_MINUTES
    if not shortest <= session_type.duration_minutes <= longest:
        raise ApplicationError(
            _("時間は%(min)d分から%(max)d分の間で指定してください。") % {"min": shortest, "max": longest},
            extra={
                "duration_minutes": [
                    _("%(min)d〜%(max)dの範囲で指定してください。") % {"min": shortest, "max": longest}
                ]
            },
        )
    if session_type.buffer_minutes > SessionType.MAX_BUFFER_MINUTES:
        limit = {"max": SessionType.MAX_BUFFER_MINUTES}
        raise ApplicationError(
            _("終了後の空き時間は%(max)d分までです。") % limit,
            extra={"buffer_minutes": [_("%(max)d以下で指定してください。") % limit]},
        )
    if session_type.payment_method == PaymentMethod.VENUE and session_type.format == Format.ONLINE:
        raise ApplicationError(
            _("当日会場でのお支払いは東京・名古屋の対面セッションのみです。"),
            extra={"payment_method": [_("対面のセッションでのみ選べます。")]},
        )
    return _save(session_type)


@transaction.atomic
def session_type_create(
    *,
    counselor,
    name: str,
    format: str,
    duration_minutes: int,
    price_jpy: int,
    location: str = "",
    buffer_minutes: int = 0,
    active: bool = True,
    payment_method: str = PaymentMethod.ARRANGED,
) -> SessionType:
    _require_counselor(counselor)
    session_type = SessionType(counselor=counselor)
    _assign(
        session_type,
        {
            "name": name,
            "format": format,
            "location": location,
            "duration_minutes": duration_minutes,
            "price_jpy": price_jpy,
            "buffer_minutes": buffer_minutes,
            "active": active,
            "payment_method": payment_method,
        },
        SESSION_TYPE_FIELDS,
    )
    return _session_type_save(session_type)


@transaction.atomic
def session_type_update(*, session_type: SessionType, **changes) -> SessionType:
    """Changes apply to new bookings; existing ones keep the times they were booked with."""
    session_type = SessionType.objects.select_for_update().get(pk=session_type.pk)
    _assign(session_type, changes, SESSION_TYPE_FIELDS)
    return _session_type_save(session_type)


@transaction.atomic
def session_type_delete(*, session_type: SessionType) -> None:
    """Only a type never booked goes: a booked one stays for its bookings' history (deactivate it)."""
    session_type = SessionType.objects.select_for_update().get(pk=session_type.pk)
    if Booking.objects.filter(session_type=session_type).exists():
        raise ConflictError(
            _("予約のあるセッション種別は削除できません。受付を停止してください。"),
            extra={"session_type": [_("予約があります。")]},
        )
    session_type.delete()


def _rule_save(rule: AvailabilityRule) -> AvailabilityRule:
    if rule.start_time >= rule.end_time:
        raise ApplicationError(
            _("終了時刻は開始時刻より後にしてください。"),
            extra={"end_time": [_("開始時刻より後にしてください。")]},
        )
    return _save(rule)


@transaction.atomic
def availability_rule_create(
    *, counselor, weekday: int, start_time: time, end_time: time, format: str
) -> AvailabilityRule:
    _require_counselor(counselor)
    rule = AvailabilityRule(counselor=counselor)
    _assign(
        rule,
        {"weekday": weekday, "start_time": start_time, "end_time": end_time, "format": format},
        RULE_FIELDS,
    )
    return _rule_save(rule)


@transaction.atomic
def availability_rule_update(*, rule: AvailabilityRule, **changes) -> AvailabilityRule:
    """Bookings already made keep their times even when the hours change."""
    rule = AvailabilityRule.objects.select_for_update().get(pk=rule.pk)
    _assign(rule, changes, RULE_FIELDS)
    return _rule_save(rule)


@transaction.atomic
def availability_rule_delete(*, rule: AvailabilityRule) -> None:
    AvailabilityRule.objects.filter(pk=rule.pk).delete()


def _time_off_save(time_off: TimeOff) -> TimeOff:
    if time_off.start >= time_off.end:
        raise ApplicationError(
            _("終了は開始より後にしてください。"), extra={"end": [_("開始より後にしてください。")]}
        )
    return _save(time_off)


@transaction.atomic
def time_off_create(*, counselor, start: datetime, end: datetime, note: str = "") -> TimeOffWithBookings:
    """Blocks new bookings in the range; bookings already in it stay for the counselor to move or cancel,
    and come back with the time off so the counselor can be told about them."""
    _require_counselor(counselor)
    time_off = TimeOff(counselor=counselor)
    _assign(time_off, {"start": start, "end": end, "note": note}, TIME_OFF_FIELDS)
    time_off = _time_off_save(time_off)
    return TimeOffWithBookings(time_off=time_off, bookings=time_off_bookings(time_off=time_off))


@transaction.atomic
def time_off_update(*, time_off: TimeOff, **changes) -> TimeOff:
    time_off = TimeOff.objects.select_for_update().get(pk=time_off.pk)
    _assign(time_off, changes, TIME_OFF_FIELDS)
    return _time_off_save(time_off)


@transaction.atomic
def time_off_delete(*, time_off: TimeOff) -> None:
    TimeOff.objects.filter(pk=time_off.pk).delete()


@transaction.atomic
def counselor_profile_update(
    *, counselor, meeting_url: str | None = None, meeting_url_template: str | None = None
) -> CounselorProfile:
    """The meeting-link settings, for online bookings made from now on and those rescheduled.

    ``meeting_url_template`` ("https://meet.jit.si/{room}") gives each booking a room of its own;
    left empty, every online booking carries the fixed ``meeting_url``. ``None`` leaves a field as it is.
    """
    _require_counselor(counselor)
    profile, _created = CounselorProfile.objects.select_for_update().get_or_create(counselor=counselor)
    changes = {}
    if meeting_url is not None:
        changes["meeting_url"] = meeting_url
    if meeting_url_template is not None:
        changes["meeting_url_template"] = meeting_url_template_check(meeting_url_template)
    _assign(profile, changes, ("meeting_url", "meeting_url_template"))
    return _save(profile)
