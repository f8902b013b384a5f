"""The privacy policy, versioned: an intake records the version its client agreed to.

A published version is never edited: a change is a new row with a new effective date, so every
recorded consent keeps pointing at the text its client actually read. The model refuses updates
and deletes, and on PostgreSQL a trigger refuses them to any SQL as well.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

from core.models import BaseModel


class PolicyVersionImmutable(Exception):
    def __init__(self):
        super().__init__("A privacy policy version is never changed or deleted: add a new version.")


class PrivacyPolicy(BaseModel):
    version = models.DateField(
        _("施行日（版）"),
        unique=True,
        help_text=_("この日から適用されます。同意の記録はこの日付で版を指します。"),
    )
    body = models.TextField(_("本文（Markdown）"))
    body_en = models.TextField(_("英語の参考訳（Markdown）"), blank=True)

    class Meta:
        verbose_name = _("プライバシーポリシー")
        verbose_name_plural = _("プライバシーポリシー")
        ordering = ["-version"]

    def __str__(self) -> str:
        return self.version.isoformat()

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise PolicyVersionImmutable
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PolicyVersionImmutable
