import uuid

from django.conf import settings
from django.contrib.postgres.fields import RangeOperators
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.models import BaseModel
from counseling.constraints import PostgresOnlyExclusionConstraint, TsTzRange
from counseling.encryption import EncryptedTextField
from counseling.meeting_url import validate_meeting_url_template


class Format(models.TextChoices):
    TOKYO = "tokyo", _("東京（対面）")
    NAGOYA = "nagoya", _("名古屋（対面）")
    ONLINE = "online", _("オンライン")


class Pattern(models.Model):
    """One pattern of the practice's method (scene, reason, pain, step), loaded by a data migration."""

    class Kind(models.TextChoices):
        SCENE = "scene", _("場面")
        REASON = "reason", _("理由")
        PAIN = "pain", _("つらさ")
        STEP = "step", _("ステップ")

    code = models.CharField(_("コード"), max_length=64, unique=True)
    kind = models.CharField(_("種類"), max_length=16, choices=Kind.choices)
    label_ja = models.CharField(_("名称（日本語）"), max_length=200)
    label_en = models.CharField(_("名称（英語）"), max_length=200)
    # The childhood sub-patterns hang under reason.childhood.
    parent = models.ForeignKey(
        "self",
        verbose_name=_("上位パターン"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
    )
    position = models.PositiveSmallIntegerField(_("表示順"))
    # The practice's own suggestion (the article states no such mapping), edited in the admin as
    # StepSuggestion rows; decision support for the counselor only, never shown to a client.
    suggested_steps = models.ManyToManyField(
        "self",
        verbose_name=_("当相談室の推奨ステップ"),
        symmetrical=False,
        blank=True,
        related_name="suggested_for",
        through="StepSuggestion",
        through_fields=("reason", "step"),
    )

    class Meta:
        verbose_name = _("パターン")
        verbose_name_plural = _("パターン")
        ordering = ["position"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=["scene", "reason", "pain", "step"]),
                name="counseling_pattern_kind_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.label_ja}"


class StepSuggestion(models.Model):
    """The practice's setting: a step it suggests to the counselor when a reason scores high at intake.

    Not the article's teaching: the practice chose these and edits them in the admin; a fresh install
    ships with the defaults of DESIGN section 3.
    """

    reason = models.ForeignKey(
        Pattern,
        verbose_name=_("理由"),
        on_delete=models.CASCADE,
        related_name="+",
        limit_choices_to={"kind": "reason", "parent__isnull": True},
    )
    step = models.ForeignKey(
        Pattern,
        verbose_name=_("推奨するステップ"),
        on_delete=models.CASCADE,
        related_name="+",
        limit_choices_to={"kind": "step"},
    )

    class Meta:
        verbose_name = _("推奨ステップ（当相談室の設定）")
        verbose_name_plural = _("推奨ステップ（当相談室の設定）")
        ordering = ["reason__position", "step__position"]
        constraints = [
            models.UniqueConstraint(fields=["reason", "step"], name="counseling_stepsuggestion_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.reason.code} → {self.step.code}"

    def clean(self) -> None:
        errors = {}
        if self.reason_id and (self.reason.kind != Pattern.Kind.REASON or self.reason.parent_id is not None):
            errors["reason"] = _("セルフチェックの5つの理由から選んでください。")
        if self.step_id and self.step.kind != Pattern.Kind.STEP:
            errors["step"] = _("ステップを選んでください。")
        if errors:
            raise ValidationError(errors)


class Intake(BaseModel):
    """What a client tells the practice before the first session (要配慮個人情報)."""

    class Status(models.TextChoices):
        SUBMITTED = "submitted", _("受付")
        REVIEWED = "reviewed", _("確認済み")
        ACCEPTED = "accepted", _("受け入れ")
        DECLINED = "declined", _("お断り")

    client = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("クライアント"),
        on_delete=models.CASCADE,
        related_name="intakes",
    )
    # The counselor who took the intake on; empty while it waits in the practice's inbox.
    counselor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("担当カウンセラー"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="assigned_intakes",
    )
    scenes = models.ManyToManyField(
        Pattern, verbose_name=_("場面"), related_name="+", limit_choices_to={"kind": "scene"}
    )
    concern = models.TextField(_("ご相談内容"))
    preferred_format = models.CharField(_("希望する形式"), max_length=16, choices=Format.choices)
    contact = models.CharField(_("連絡方法"), max_length=200)
    in_crisis = models.BooleanField(_("今、危機的な状況にある"), default=False)
    consent_version = models.CharField(_("同意したプライバシーポリシーの版"), max_length=32)
    consented_at = models.DateTimeField(_("同意日時"))
    status = models.CharField(_("状態"), max_length=16, choices=Status.choices, default=Status.SUBMITTED)
    status_changed_at = models.DateTimeField(_("状態の変更日時"), null=True, blank=True)
    status_changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("状態を変更した人"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("インテーク")
        verbose_name_plural = _("インテーク")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["client", "-created_at"], name="counseling_intake_client_idx")]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=["submitted", "reviewed", "accepted", "declined"]),
                name="counseling_intake_status_valid",
            ),
            models.CheckConstraint(
                condition=Q(preferred_format__in=["tokyo", "nagoya", "online"]),
                name="counseling_intake_format_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.client} {self.created_at:%Y-%m-%d} ({self.get_status_display()})"


class IntakeAnswer(models.Model):
    """One statement of the self-check: how strongly a reason applies, 1 (not at all) to 5 (very much)."""

    intake = models.ForeignKey(Intake, on_delete=models.CASCADE, related_name="answers")
    reason = models.ForeignKey(
        Pattern,
        verbose_name=_("理由"),
        on_delete=models.PROTECT,
        related_name="+",
        limit_choices_to={"kind": "reason"},
    )
    score = models.PositiveSmallIntegerField(_("回答（1〜5）"))

    class Meta:
        verbose_name = _("セルフチェックの回答")
        verbose_name_plural = _("セルフチェックの回答")
        ordering = ["reason__position"]
        constraints = [
            models.UniqueConstraint(fields=["intake", "reason"], name="counseling_answer_one_per_reason"),
            models.CheckConstraint(
                condition=Q(score__gte=1, score__lte=5),
                name="counseling_answer_score_1_5",
                violation_error_message=_("回答は1〜5で指定してください。"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.reason.code}: {self.score}"


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


class SessionType(BaseModel):
    """A kind of session a client can book; booking it books its counselor."""

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

    class Meta:
        verbose_name = _("セッション種別")
        verbose_name_plural = _("セッション種別")
        ordering = ["counselor_id", "format", "name", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(duration_minutes__gte=10, duration_minutes__lte=480),
                name="counseling_sessiontype_duration_range",
                violation_error_message=_("時間は10分から480分の間で指定してください。"),
            ),
            models.CheckConstraint(
                condition=Q(buffer_minutes__lte=240),
                name="counseling_sessiontype_buffer_max",
                violation_error_message=_("終了後の空き時間は240分までです。"),
            ),
            models.CheckConstraint(
                condition=Q(format__in=["tokyo", "nagoya", "online"]),
                name="counseling_sessiontype_format_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name}（{self.get_format_display()}・{self.duration_minutes}分）"

    def clean(self) -> None:
        # A client has to know where to go; online sessions carry the counselor's meeting URL instead.
        if self.format != Format.ONLINE and not self.location.strip():
            raise ValidationError({"location": _("対面のセッションには場所を入力してください。")})


class AvailabilityRule(BaseModel):
    """Weekly hours in Asia/Tokyo local time: on this weekday, from start to end, sessions of this format."""

    class Weekday(models.IntegerChoices):
        MONDAY = 0, _("月曜日")
        TUESDAY = 1, _("火曜日")
        WEDNESDAY = 2, _("水曜日")
        THURSDAY = 3, _("木曜日")
        FRIDAY = 4, _("金曜日")
        SATURDAY = 5, _("土曜日")
        SUNDAY = 6, _("日曜日")

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
                condition=Q(format__in=["tokyo", "nagoya", "online"]), name="counseling_rule_format_valid"
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


class Booking(BaseModel):
    class Status(models.TextChoices):
        CONFIRMED = "confirmed", _("予約確定")
        CANCELLED = "cancelled", _("キャンセル")
        LATE_CANCELLED = "late_cancelled", _("直前キャンセル")
        COMPLETED = "completed", _("実施済み")
        NO_SHOW = "no_show", _("無断欠席")

    # Statuses whose time stays taken; a cancelled booking frees its slot.
    BLOCKING_STATUSES = (Status.CONFIRMED, Status.COMPLETED, Status.NO_SHOW)

    client = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("クライアント"),
        on_delete=models.PROTECT,
        related_name="bookings",
    )
    counselor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("カウンセラー"),
        on_delete=models.PROTECT,
        related_name="counselor_bookings",
    )
    session_type = models.ForeignKey(
        SessionType, verbose_name=_("セッション種別"), on_delete=models.PROTECT, related_name="bookings"
    )
    start = models.DateTimeField(_("開始"))
    end = models.DateTimeField(_("終了"))
    # End plus the session type's buffer: the time no other booking of the counselor may touch.
    buffer_end = models.DateTimeField(_("空き時間の終了"))
    status = models.CharField(_("状態"), max_length=16, choices=Status.choices, default=Status.CONFIRMED)
    meeting_url = models.URLField(_("オンライン面談のURL"), max_length=500, blank=True)
    # Calendar identity: the UID stays for the booking's life, SEQUENCE rises with every change.
    uid = models.UUIDField(_("カレンダーUID"), default=uuid.uuid4, unique=True, editable=False)
    # Shared by the bookings the counselor made at once as a weekly or fortnightly series.
    series_id = models.UUIDField(_("連続予約のID"), null=True, blank=True, db_index=True, editable=False)
    sequence = models.PositiveIntegerField(_("変更回数"), default=0)
    idempotency_key = models.CharField(_("冪等キー"), max_length=255, blank=True)
    # What the key's first request asked for (session type and start): the same key with another
    # request is refused rather than answered with this booking.
    idempotency_request = models.CharField(_("冪等キーの要求"), max_length=64, blank=True)
    reminder_due_at = models.DateTimeField(_("リマインダー送信予定"), null=True, blank=True)
    reminder_queued_at = models.DateTimeField(_("リマインダー送信日時"), null=True, blank=True)
    cancelled_at = models.DateTimeField(_("キャンセル日時"), null=True, blank=True)
    cancelled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("キャンセルした人"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    cancellation_reason = models.CharField(_("キャンセル理由"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("予約")
        verbose_name_plural = _("予約")
        ordering = ["start", "id"]
        indexes = [
            models.Index(fields=["counselor", "start"], name="counseling_bk_counselor_idx"),
            models.Index(fields=["client", "start"], name="counseling_bk_client_idx"),
            models.Index(
                fields=["reminder_due_at"],
                name="counseling_bk_remind_idx",
                condition=Q(status="confirmed", reminder_queued_at__isnull=True),
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(start__lt=models.F("end")), name="counseling_booking_start_before_end"
            ),
            models.CheckConstraint(
                condition=Q(end__lte=models.F("buffer_end")), name="counseling_booking_buffer_after_end"
            ),
            models.CheckConstraint(
                condition=Q(status__in=["confirmed", "cancelled", "late_cancelled", "completed", "no_show"]),
                name="counseling_booking_status_valid",
            ),
            # A retried create with the same Idempotency-Key finds the first booking instead of making one.
            models.UniqueConstraint(
                fields=["client", "idempotency_key"],
                condition=~Q(idempotency_key=""),
                name="counseling_booking_idempotency_key_unique",
            ),
            # The last word on double booking, whatever the application does: no two live bookings
            # of one counselor overlap, buffers included.
            PostgresOnlyExclusionConstraint(
                name="counseling_booking_no_overlap",
                expressions=[
                    ("counselor", RangeOperators.EQUAL),
                    (TsTzRange("start", "buffer_end"), RangeOperators.OVERLAPS),
                ],
                condition=Q(status__in=["confirmed", "completed", "no_show"]),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.start:%Y-%m-%d %H:%M} {self.client} ({self.get_status_display()})"

    @property
    def is_live(self) -> bool:
        return self.status in self.BLOCKING_STATUSES


class SessionNote(BaseModel):
    """The counselor's record of one session, in sections, tagged with the method's patterns.

    The text is encrypted at rest. Only the authoring counselor ever reaches a note; once signed it
    is final, and later thoughts go into addenda.
    """

    class Status(models.TextChoices):
        DRAFT = "draft", _("下書き")
        SIGNED = "signed", _("署名済み")

    # The sections a note is written in, in the order they are read.
    SECTIONS = ("presenting_concern", "observations", "interventions", "homework", "plan")

    counselor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("記録したカウンセラー"),
        on_delete=models.PROTECT,
        related_name="authored_session_notes",
    )
    client = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("クライアント"),
        on_delete=models.PROTECT,
        related_name="session_notes",
    )
    # Empty for sessions held outside the booking system; the date then says when.
    booking = models.ForeignKey(
        Booking,
        verbose_name=_("予約"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="session_notes",
    )
    date = models.DateField(_("セッションの日付"))
    presenting_concern = EncryptedTextField(_("主訴"), blank=True)
    observations = EncryptedTextField(_("観察したこと"), blank=True)
    interventions = EncryptedTextField(_("取り組んだこと"), blank=True)
    homework = EncryptedTextField(_("ホームワーク"), blank=True)
    plan = EncryptedTextField(_("今後の方針"), blank=True)
    tags = models.ManyToManyField(Pattern, verbose_name=_("タグ"), blank=True, related_name="session_notes")
    status = models.CharField(_("状態"), max_length=16, choices=Status.choices, default=Status.DRAFT)
    signed_at = models.DateTimeField(_("署名日時"), null=True, blank=True)

    class Meta:
        verbose_name = _("セッションノート")
        verbose_name_plural = _("セッションノート")
        ordering = ["-date", "-id"]
        indexes = [
            models.Index(fields=["counselor", "client", "-date"], name="counseling_note_client_idx"),
            models.Index(fields=["counselor", "-date"], name="counseling_note_date_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=["draft", "signed"]), name="counseling_note_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(status="draft", signed_at__isnull=True)
                | Q(status="signed", signed_at__isnull=False),
                name="counseling_note_signed_at_iff_signed",
            ),
            # One record per session: a second note for the same booking would split its story.
            models.UniqueConstraint(
                fields=["booking"], condition=Q(booking__isnull=False), name="counseling_note_one_per_booking"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.date:%Y-%m-%d} {self.client} ({self.get_status_display()})"

    @property
    def is_signed(self) -> bool:
        return self.status == self.Status.SIGNED


class SessionNoteAddendum(BaseModel):
    """Text appended to a signed note: the note itself stays as it was signed."""

    note = models.ForeignKey(
        SessionNote, verbose_name=_("セッションノート"), on_delete=models.PROTECT, related_name="addenda"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("記入者"), on_delete=models.PROTECT, related_name="+"
    )
    text = EncryptedTextField(_("追記"))

    class Meta:
        verbose_name = _("追記")
        verbose_name_plural = _("追記")
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.note} {self.created_at:%Y-%m-%d %H:%M}"


class WorksheetTemplate(models.Model):
    """A practice from one step of the method, with the JSON Schema its entries' answers must meet.

    Loaded by data migrations; ``code`` is stable, the wording may be corrected by later migrations.
    """

    code = models.CharField(_("コード"), max_length=64, unique=True)
    step = models.ForeignKey(
        Pattern,
        verbose_name=_("ステップ"),
        on_delete=models.PROTECT,
        related_name="worksheet_templates",
        limit_choices_to={"kind": "step"},
    )
    title = models.CharField(_("名称"), max_length=200)
    instructions = models.TextField(_("取り組み方"))
    answer_schema = models.JSONField(_("回答の形式（JSON Schema）"))
    # A daily practice ("three things today") takes one entry a day; a log takes as many as happen.
    one_entry_per_day = models.BooleanField(_("1日1回の記入"), default=False)
    position = models.PositiveSmallIntegerField(_("表示順"))
    active = models.BooleanField(_("割り当て可能"), default=True)

    class Meta:
        verbose_name = _("ワークシートのひな形")
        verbose_name_plural = _("ワークシートのひな形")
        ordering = ["position"]

    def __str__(self) -> str:
        return f"{self.code} {self.title}"


class Worksheet(BaseModel):
    """A template assigned by a counselor to one of their clients: filled in, submitted, reviewed."""

    class Status(models.TextChoices):
        ASSIGNED = "assigned", _("取り組み中")
        SUBMITTED = "submitted", _("提出済み")
        REVIEWED = "reviewed", _("確認済み")

    template = models.ForeignKey(
        WorksheetTemplate, verbose_name=_("ひな形"), on_delete=models.PROTECT, related_name="worksheets"
    )
    counselor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("カウンセラー"),
        on_delete=models.PROTECT,
        related_name="assigned_worksheets",
    )
    client = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("クライアント"),
        on_delete=models.PROTECT,
        related_name="worksheets",
    )
    # The note whose homework this is, when it was assigned from one: the digest tells from it
    # whether the homework was done.
    session_note = models.ForeignKey(
        SessionNote,
        verbose_name=_("ホームワークとして出したノート"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="homework_worksheets",
    )
    due_date = models.DateField(_("期限"))
    message = models.TextField(_("カウンセラーからのメッセージ"), blank=True)
    status = models.CharField(_("状態"), max_length=16, choices=Status.choices, default=Status.ASSIGNED)
    submitted_at = models.DateTimeField(_("提出日時"), null=True, blank=True)
    reviewed_at = models.DateTimeField(_("確認日時"), null=True, blank=True)
    review_comment = models.TextField(_("カウンセラーのコメント"), blank=True)

    class Meta:
        verbose_name = _("ワークシート")
        verbose_name_plural = _("ワークシート")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["client", "-created_at"], name="counseling_ws_client_idx"),
            # The review queue: a counselor's submitted worksheets, oldest first.
            models.Index(
                fields=["counselor", "submitted_at"],
                name="counseling_ws_queue_idx",
                condition=Q(status="submitted"),
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=["assigned", "submitted", "reviewed"]),
                name="counseling_ws_status_valid",
            ),
            models.CheckConstraint(
                condition=Q(status="assigned") | Q(submitted_at__isnull=False),
                name="counseling_ws_submitted_has_time",
            ),
            models.CheckConstraint(
                condition=~Q(status="reviewed") | Q(reviewed_at__isnull=False),
                name="counseling_ws_reviewed_has_time",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.template.title} – {self.client} ({self.get_status_display()})"


class SubmittedWorksheet(Worksheet):
    """The review queue: the admin screen of worksheets waiting for their counselor's comment."""

    class Meta:
        proxy = True
        verbose_name = _("確認待ちのワークシート")
        verbose_name_plural = _("確認待ちのワークシート")


class WorksheetEntry(BaseModel):
    """One dated entry of a worksheet; ``answers`` met the template's schema when it was added."""

    worksheet = models.ForeignKey(
        Worksheet, verbose_name=_("ワークシート"), on_delete=models.CASCADE, related_name="entries"
    )
    date = models.DateField(_("日付"))
    answers = models.JSONField(_("回答"))

    class Meta:
        verbose_name = _("記入")
        verbose_name_plural = _("記入")
        ordering = ["date", "id"]

    def __str__(self) -> str:
        return f"{self.worksheet_id} {self.date:%Y-%m-%d}"


class AccessRecordImmutableError(Exception):
    def __init__(self):
        super().__init__("Access records are append-only: they are never changed or deleted.")


class AccessRecordQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise AccessRecordImmutableError

    def delete(self):
        raise AccessRecordImmutableError


class AccessRecord(models.Model):
    """Who read or wrote which note, intake or worksheet, when and from where (要配慮個人情報の閲覧記録).

    Append-only: written in the transaction of the read or write it records (see
    ``counseling.services.access.access_record``); the model refuses changes and deletes, and on
    PostgreSQL a trigger refuses them to any SQL as well.
    """

    class ObjectType(models.TextChoices):
        SESSION_NOTE = "session_note", _("セッションノート")
        INTAKE = "intake", _("インテーク")
        WORKSHEET = "worksheet", _("ワークシート")

    class Action(models.TextChoices):
        LIST = "list", _("一覧で閲覧")
        READ = "read", _("閲覧")
        CREATE = "create", _("作成")
        UPDATE = "update", _("編集")
        DELETE = "delete", _("削除")
        SIGN = "sign", _("署名")
        ADDENDUM = "addendum", _("追記")
        STATUS = "status", _("状態の変更")
        ENTRY = "entry", _("記入")
        SUBMIT = "submit", _("提出")
        REVIEW = "review", _("確認")
        PROFILE = "profile", _("パターン集計で閲覧")
        EXPORT = "export", _("データの書き出し")

    at = models.DateTimeField(_("日時"), default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("操作した人"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    # Whose record it is: the log a counselor lists for a client, and the client's own export.
    client = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("クライアント"),
        on_delete=models.PROTECT,
        related_name="access_records",
    )
    object_type = models.CharField(_("対象の種類"), max_length=32, choices=ObjectType.choices)
    # No foreign key: the record outlives a deleted draft note.
    object_id = models.BigIntegerField(_("対象のID"))
    action = models.CharField(_("操作"), max_length=16, choices=Action.choices)
    ip_address = models.GenericIPAddressField(_("IPアドレス"), null=True, blank=True)

    objects = AccessRecordQuerySet.as_manager()

    class Meta:
        verbose_name = _("閲覧・操作の記録")
        verbose_name_plural = _("閲覧・操作の記録")
        ordering = ["-at", "-id"]
        indexes = [
            models.Index(fields=["client", "-at"], name="counseling_access_client_idx"),
            models.Index(fields=["object_type", "object_id"], name="counseling_access_object_idx"),
        ]

    def __str__(self) -> str:
        target = f"{self.object_type}#{self.object_id}"
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor} {self.get_action_display()} {target}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise AccessRecordImmutableError
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AccessRecordImmutableError
