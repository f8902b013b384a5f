"""The append-only access log of sensitive records (要配慮個人情報)."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class AccessRecordImmutableError(Exception):
    def __init__(self):
        super().__init__("Access records are append-only: they are never changed or deleted.")


class AccessRecordQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise AccessRecordImmutableError

    def delete(self):
        raise AccessRecordImmutableError


class AccessAction(models.TextChoices):
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

    Action = AccessAction

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
