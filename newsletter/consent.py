"""The consent wording shown next to the signup form, versioned: each consent record names its version.

A wording is legal text as it was shown at the time; a changed wording gets a new version instead of
being edited, so old records keep pointing at what their subscriber actually read.
"""

from django.conf import settings

from newsletter.schedule import slots_description

CONSENT_WORDINGS = {
    "2026-01": (
        "{practice_name}から、無料メール講座（{schedule}）と講座・カウンセリングのお知らせを"
        "メールで受け取ることに同意します。配信はいつでも、メール内のリンクから停止できます。"
    ),
}
CURRENT_CONSENT_VERSION = "2026-01"


def consent_wording(version: str = CURRENT_CONSENT_VERSION) -> str:
    return CONSENT_WORDINGS[version].format(
        practice_name=settings.PRACTICE_NAME, schedule=slots_description()
    )
