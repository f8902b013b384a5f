from django.conf import settings
from django.db import models
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _

from core.models import BaseModel
from payments.methods import PaymentMethod


class CourseFormat(models.TextChoices):
    VENUE = "venue", _("会場")
    ONLINE = "online", _("オンライン")


class CourseStatus(models.TextChoices):
    DRAFT = "draft", _("下書き")
    PUBLISHED = "published", _("公開中")
    CANCELLED = "cancelled", _("中止")


# What a paid course says about paying when it has no instructions of its own.
PAYMENT_GUIDANCE_DEFAULT = _("お支払いの方法と期日は、お申込みの確定後に相談室からご案内します。")


def payment_guidance(*, price_jpy: int, payment_instructions: str, default: str | None = None) -> str:
    """``Course.payment_guidance`` of a course's two columns, for answers built from rows. ``default`` is
    ``PAYMENT_GUIDANCE_DEFAULT`` translated once by a caller writing many courses (a translation lookup
    per course was a tenth of the course list's CPU)."""
    if not price_jpy:
        return ""
    return payment_instructions.strip() or (str(PAYMENT_GUIDANCE_DEFAULT) if default is None else default)


class Course(BaseModel):
    Format = CourseFormat

    Status = CourseStatus

    counselor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("担当カウンセラー"),
        on_delete=models.PROTECT,
        related_name="courses",
        limit_choices_to={"role": "counselor"},
    )
    title = models.CharField(_("講座名"), max_length=200)
    description = models.TextField(_("内容"), blank=True)
    format = models.CharField(_("形式"), max_length=16, choices=Format.choices)
    # The venue's address, or the meeting URL of an online course (given only to those enrolled).
    location = models.CharField(_("会場住所・参加URL"), max_length=500)
    capacity = models.PositiveIntegerField(_("定員"))
    price_jpy = models.PositiveIntegerField(_("受講料（円）"), default=0)
    # Until online payment exists, each course says in its own words how and when its fee is paid.
    payment_instructions = models.TextField(
        _("受講料のお支払い方法"),
        blank=True,
        help_text=_("講座ページとメールに載ります。例：初回の講座の当日、受付で現金でお支払いください。"),
    )
    payment_method = models.CharField(
        _("お支払い方法"), max_length=16, choices=PaymentMethod.choices, default=PaymentMethod.ARRANGED
    )
    status = models.CharField(_("状態"), max_length=16, choices=Status.choices, default=Status.DRAFT)
    # Empty: enrollment stays open until the first session starts.
    enrollment_deadline = models.DateTimeField(_("申込締切"), null=True, blank=True)
    cancelled_at = models.DateTimeField(_("中止日時"), null=True, blank=True)
    # Set by a Prefetch(to_attr=…) where the confirmed enrollees are needed (the reminder scan).
    confirmed_enrollments: list["Enrollment"]

    class Meta:
        verbose_name = _("講座")
        verbose_name_plural = _("講座")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(capacity__gte=1), name="courses_course_capacity_positive"
            ),
            models.CheckConstraint(
                condition=models.Q(format__in=CourseFormat.values), name="courses_course_format_valid"
            ),
            models.CheckConstraint(
                condition=models.Q(status__in=CourseStatus.values),
                name="courses_course_status_valid",
            ),
            models.CheckConstraint(
                condition=~models.Q(status=CourseStatus.CANCELLED) | models.Q(cancelled_at__isnull=False),
                name="courses_course_cancelled_has_time",
            ),
            models.CheckConstraint(
                condition=models.Q(payment_method__in=PaymentMethod.values),
                name="courses_course_payment_method_valid",
            ),
            # Paying at the venue needs one: an online course is paid in advance or as arranged.
            models.CheckConstraint(
                condition=~models.Q(payment_method=PaymentMethod.VENUE) | models.Q(format=CourseFormat.VENUE),
                name="courses_course_venue_payment_needs_venue",
                violation_error_message=_("当日会場でのお支払いは会場で開く講座のみです。"),
            ),
        ]

    @property
    def payment_guidance(self) -> str:
        """How and when to pay, as pages and mails say it; empty for a free course."""
        return payment_guidance(price_jpy=self.price_jpy, payment_instructions=self.payment_instructions)

    def __str__(self) -> str:
        return self.title


class CourseSession(BaseModel):
    course = models.ForeignKey(
        Course, verbose_name=_("講座"), on_delete=models.CASCADE, related_name="sessions"
    )
    starts_at = models.DateTimeField(_("開始日時"))
    ends_at = models.DateTimeField(_("終了日時"))

    class Meta:
        verbose_name = _("講座の回")
        verbose_name_plural = _("講座の回")
        ordering = ["starts_at", "id"]
        indexes = [models.Index(fields=["starts_at"], name="courses_session_starts_idx")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_at__gt=models.F("starts_at")), name="courses_session_ends_after_start"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.course} {self.starts_at:%Y-%m-%d %H:%M}"


class EnrollmentStatus(models.TextChoices):
    # A seat held until paid or until the payment deadline (see payments.services.holds).
    PENDING_PAYMENT = "pending_payment", _("お支払い待ち")
    CONFIRMED = "confirmed", _("確定")
    WAITLISTED = "waitlisted", _("キャンセル待ち")
    CANCELLED = "cancelled", _("取り消し")


# What takes one of the course's seats: a confirmed enrollee, or one whose payment is awaited.
SEAT_STATUSES = (EnrollmentStatus.PENDING_PAYMENT, EnrollmentStatus.CONFIRMED)
# A seat or a place in the queue: what a second enrollment of the same person would clash with.
ACTIVE_STATUSES = (*SEAT_STATUSES, EnrollmentStatus.WAITLISTED)


class Enrollment(BaseModel):
    """A seat (confirmed) or a place in the queue (waitlisted) for a client or a guest.

    The id orders arrivals: enrollments of one course are written while the course row is locked,
    so a smaller id always came first, and the waitlist is promoted in id order.
    """

    Status = EnrollmentStatus

    course = models.ForeignKey(
        Course, verbose_name=_("講座"), on_delete=models.CASCADE, related_name="enrollments"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("クライアント"),
        on_delete=models.CASCADE,
        related_name="course_enrollments",
        null=True,
        blank=True,
    )
    guest_name = models.CharField(_("ゲスト氏名"), max_length=100, blank=True)
    guest_email = models.EmailField(_("ゲストのメールアドレス"), max_length=254, blank=True)
    status = models.CharField(_("状態"), max_length=16, choices=Status.choices)
    confirmed_at = models.DateTimeField(_("確定日時"), null=True, blank=True)
    promoted_at = models.DateTimeField(_("繰り上げ日時"), null=True, blank=True)
    cancelled_at = models.DateTimeField(_("取り消し日時"), null=True, blank=True)

    class Meta:
        verbose_name = _("受講申込")
        verbose_name_plural = _("受講申込")
        ordering = ["id"]
        indexes = [models.Index(fields=["course", "status"], name="courses_enrollment_status_idx")]
        constraints = [
            # One active enrollment per person and course: a double click or a retry finds the first one.
            models.UniqueConstraint(
                fields=["course", "user"],
                condition=models.Q(status__in=ACTIVE_STATUSES, user__isnull=False),
                name="courses_enrollment_one_active_per_user",
            ),
            models.UniqueConstraint(
                models.F("course"),
                Lower("guest_email"),
                condition=models.Q(status__in=ACTIVE_STATUSES, user__isnull=True),
                name="courses_enrollment_one_active_per_guest",
            ),
            models.CheckConstraint(
                condition=models.Q(status__in=EnrollmentStatus.values),
                name="courses_enrollment_status_valid",
            ),
            # Either a client account or a guest's address says who is coming, never neither.
            models.CheckConstraint(
                condition=models.Q(user__isnull=False) | ~models.Q(guest_email=""),
                name="courses_enrollment_has_person",
            ),
            models.CheckConstraint(
                condition=~models.Q(status=EnrollmentStatus.CANCELLED) | models.Q(cancelled_at__isnull=False),
                name="courses_enrollment_cancelled_has_time",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person_name} — {self.course} ({self.get_status_display()})"

    @property
    def person_name(self) -> str:
        if self.user_id is not None:
            return self.user.display_name or self.user.email
        return self.guest_name or self.guest_email

    @property
    def person_email(self) -> str:
        return self.user.email if self.user_id is not None else self.guest_email

    @property
    def is_active(self) -> bool:
        return self.status in ACTIVE_STATUSES
