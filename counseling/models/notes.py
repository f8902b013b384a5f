"""Session notes (encrypted at rest), signed and then only amended by addenda."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from core.models import BaseModel
from counseling.encryption import EncryptedTextField
from counseling.models.bookings import Booking
from counseling.models.patterns import Pattern

# The sections a note is written in, in the order they are read.
SESSION_NOTE_SECTIONS = ("presenting_concern", "observations", "interventions", "homework", "plan")


class SessionNoteStatus(models.TextChoices):
    DRAFT = "draft", _("下書き")
    SIGNED = "signed", _("署名済み")


class SessionNote(BaseModel):
    """The counselor's record of one session, in sections, tagged with the method's patterns.

    The text is encrypted at rest. Only the authoring counselor ever reaches a note; once signed it
    is final, and later thoughts go into addenda.
    """

    Status = SessionNoteStatus

    SECTIONS = SESSION_NOTE_SECTIONS

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
                condition=Q(status__in=SessionNoteStatus.values), name="counseling_note_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(status=SessionNoteStatus.DRAFT, signed_at__isnull=True)
                | Q(status=SessionNoteStatus.SIGNED, signed_at__isnull=False),
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
