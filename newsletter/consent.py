"""The consent wording shown next to the signup form, versioned: each consent record names its version.

A wording is legal text as it was shown at the time. Its text is stored whole, never filled in from
settings when it is shown: otherwise changing the send schedule or the practice's name would silently
rewrite what earlier subscribers are recorded as having agreed to. A version also states the settings
its text describes; when they change, the form needs a new version (``manage.py check`` says so) and the
old records keep pointing at what their subscribers actually read.
"""

from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

WORDING_REVISED = _("同意文が改訂されました。新しい内容をご確認のうえ、もう一度お申し込みください。")


@dataclass(frozen=True)
class ConsentWording:
    version: str
    text: str
    # What the text says, so that a change of settings can be caught: (weekdays, "HH:MM").
    practice_name: str
    send_weekdays: tuple[int, ...]
    send_time: str

    def describes_settings(self) -> bool:
        return (
            self.practice_name == settings.PRACTICE_NAME
            and self.send_weekdays == tuple(sorted(set(settings.NEWSLETTER_SEND_WEEKDAYS)))
            and self.send_time == settings.NEWSLETTER_SEND_TIME
        )


# Oldest first. Never edit a text that has been shown: add a version instead.
_WORDINGS = (
    ConsentWording(
        version="2026-01",
        text=(
            "こころの相談室から、無料メール講座（毎週月・水・金曜日 7:00（週3回））と講座・カウンセリングの"
            "お知らせをメールで受け取ることに同意します。配信はいつでも、メール内のリンクから停止できます。"
        ),
        practice_name="こころの相談室",
        send_weekdays=(0, 2, 4),
        send_time="07:00",
    ),
)
CONSENT_WORDINGS = {wording.version: wording for wording in _WORDINGS}


def consent_version_current() -> str:
    """The newest version whose text states today's practice name and send schedule."""
    for wording in reversed(_WORDINGS):
        if wording.describes_settings():
            return wording.version
    raise ImproperlyConfigured(
        "No newsletter consent wording describes PRACTICE_NAME and the send schedule in settings: "
        "add a new version to newsletter/consent.py."
    )


def consent_wording(version: str) -> str:
    """The text of ``version`` exactly as it was shown, whatever the settings are today."""
    return CONSENT_WORDINGS[version].text
