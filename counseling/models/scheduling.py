"""What can be booked: the session formats, session types, weekly hours, time off, meeting links."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from core.models import BaseModel
from counseling.meeting_url import validate_meeting_url_template
from payments.methods import PaymentMethod


class Format(models.TextChoices):
    TOKYO = "tokyo", _("東京（対面）")
    NAGOYA = "nagoya", _("名古屋（対面）")
    ONLINE = "online", _("オンライン")


class CounselorProfile(BaseModel):
    counselor = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("カウンセラー"),
        on_delete=models.CASCADE,
        related_name="counseling_profile",
    )
    meeting_url = models.URLField(_("オンライン面談のURL"), max_length=500, blank=True)
    # When set, every online booking gets a room of its own: "{room}" is replaced by an unguessable
    # name (see counseling.services.meeting_links), so no two clients ever share a room.
    meeting_url_template = models.CharField(
        _("オンライン面談のURLのひな形"),
        max_length=300,
        blank=True,
        validators=[validate_meeting_url_template],
    )
    # The secret in the private calendar feed's address; empty until the counselor creates one, and
    # replaced (the old address stops working) by counseling.services.calendar_feed.
    calendar_feed_token = models.CharField(
        _("カレンダー配信の秘密の鍵"), max_length=64, unique=True, null=True, blank=True, editable=False
    )

    class Meta:
        verbose_name = _("カウンセラー設定")
        verbose_name_plural = _("カウンセラー設定")

    def __str__(self) -> str:
        return str(self.counselor)


# The length and after-session buffer a session type may have (SessionType.MIN_DURATION_MINUTES, …):
# the constraints below, the service's check and the API's fields all read these.
_MIN_DURATION_MINUTES = 10


_MAX_DURATION_MINUTES = 480


_MAX_BUFFER_MINUTES = 240


class SessionType(BaseModel):
    """A kind of session a client can book; booking it books its counselor."""

    MIN_DURATION_MINUTES = _MIN_DURATION_MINUTES
    MAX_DURATION_MINUTES = _MAX_DURATION_MINUTES
    MAX_BUFFER_MINUTES = _MAX_BUFFER_MINUTES

    counselor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("カウンセラー"),
        on_delete=models.PROTECT,
        related_name="session_types",
    )
    name = models.CharField(_("名称"), max_length=100)
    format = models.CharField(_("形式"), max_length=16, choices=Format.choices)
    location = models.CharField(_("場所"), max_length=200, blank=True)
    duration_minutes = models.PositiveSmallIntegerField(_("時間（分）"))
    price_jpy = models.PositiveIntegerField(_("料金（円）"))
    # Rest and note-taking time after the session, in which nothing else can be booked.
    buffer_minutes = models.PositiveSmallIntegerField(_("終了後の空き時間（分）"), default=0)
    active = models.BooleanField(_("受付中"), default=True)
    payment_method = models.CharField(
        _("お支払い方法"), max_length=16, choices=PaymentMethod.choices, default=PaymentMethod.ARRANGED
    )

    class Meta:
        verbose_name = _("セッション種別")
        verbose_name_plural = _("セッション種別")
        ordering = ["counselor_id", "format", "name", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(
                    duration_minutes__gte=_MIN_DURATION_MINUTES, duration_minutes__lte=_MAX_DURATION_MINUTES
                ),
                name="counseling_sessiontype_duration_range",
                violation_error_message=format_lazy(
                    _("時間は{min}分から{max}分の間で指定してください。"),
                    min=_MIN_DURATION_MINUTES,
                    max=_MAX_DURATION_MINUTES,
                ),
            ),
            models.CheckConstraint(
                condition=Q(buffer_minutes__lte=_MAX_BUFFER_MINUTES),
                name="counseling_sessiontype_buffer_max",
                violation_error_message=format_lazy(
                    _("終了後の空き時間は{max}分までです。"), max=_MAX_BUFFER_MINUTES
                ),
            ),
            models.CheckConstraint(
                condition=Q(format__in=Format.values),
                name="counseling_sessiontype_format_valid",
            ),
            models.CheckConstraint(
                condition=Q(payment_method__in=PaymentMethod.values),
                name="counseling_sessiontype_payment_method_valid",
            ),
            # Paying at the venue needs a venue: the Tokyo and Nagoya rooms, never an online session.
            models.CheckConstraint(
                condition=~Q(payment_method=PaymentMethod.VENUE) | ~Q(format=Format.ONLINE),
                name="counseling_sessiontype_venue_payment_needs_venue",
                violation_error_message=_("当日会場でのお支払いは東京・名古屋の対面セッションのみです。"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name}（{self.get_format_display()}・{self.duration_minutes}分）"

    def clean(self) -> None:
        # A client has to know where to go; online sessions carry the counselor's meeting URL instead.
        if self.format != Format.ONLINE and not self.location.strip():
            raise ValidationError({"location": _("対面のセッションには場所を入力してください。")})


class Weekday(models.IntegerChoices):
    MONDAY = 0, _("月曜日")
    TUESDAY = 1, _("火曜日")
    WEDNESDAY = 2, _("水曜日")
    THURSDAY = 3, _("木曜日")
    FRIDAY = 4, _("金曜日")
    SATURDAY = 5, _("土曜日")
    SUNDAY = 6, _("日曜日")


class AvailabilityRule(BaseModel):
    """Weekly hours in Asia/Tokyo local time: on this weekday, from start to end, sessions of this format."""

    Weekday = Weekday

    counselor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("カウンセラー"),
        on_delete=models.CASCADE,
        related_name="availability_rules",
    )
    weekday = models.PositiveSmallIntegerField(_("曜日"), choices=Weekday.choices)
    start_time = models.TimeField(_("開始時刻"))
    end_time = models.TimeField(_("終了時刻"))
    format = models.CharField(_("形式"), max_length=16, choices=Format.choices)

    class Meta:
        verbose_name = _("受付時間")
        verbose_name_plural = _("受付時間")
        ordering = ["counselor_id", "weekday", "start_time", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(weekday__lte=6), name="counseling_rule_weekday_valid"),
            models.CheckConstraint(
                condition=Q(start_time__lt=models.F("end_time")),
                name="counseling_rule_start_before_end",
                violation_error_message=_("終了時刻は開始時刻より後にしてください。"),
            ),
            models.CheckConstraint(
                condition=Q(format__in=Format.values), name="counseling_rule_format_valid"
            ),
        ]

    def __str__(self) -> str:
        hours = f"{self.start_time:%H:%M}–{self.end_time:%H:%M}"
        return f"{self.get_weekday_display()} {hours} {self.get_format_display()}"


class TimeOff(BaseModel):
    counselor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("カウンセラー"),
        on_delete=models.CASCADE,
        related_name="time_off",
    )
    start = models.DateTimeField(_("開始"))
    end = models.DateTimeField(_("終了"))
    note = models.CharField(_("メモ"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("休み")
        verbose_name_plural = _("休み")
        ordering = ["start", "id"]
        indexes = [models.Index(fields=["counselor", "start"], name="counseling_timeoff_idx")]
        constraints = [
            models.CheckConstraint(
                condition=Q(start__lt=models.F("end")),
                name="counseling_timeoff_start_before_end",
                violation_error_message=_("終了は開始より後にしてください。"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.start:%Y-%m-%d %H:%M}–{self.end:%Y-%m-%d %H:%M}"
