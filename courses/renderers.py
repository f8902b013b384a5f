from datetime import datetime

from django.utils import timezone
from django.utils.translation import gettext as _
from rest_framework.renderers import BaseRenderer

from core.csv_export import csv_text


def _local_time(value: str | None) -> str:
    if not value:
        return ""
    return timezone.localtime(datetime.fromisoformat(value)).strftime("%Y-%m-%d %H:%M")


class RosterCsvRenderer(BaseRenderer):
    """The roster as CSV that Excel in Japan opens as it is: UTF-8 with a BOM, CRLF, local times."""

    media_type = "text/csv"
    format = "csv"
    charset = "utf-8"

    def render(self, data, accepted_media_type=None, renderer_context=None) -> bytes:
        if isinstance(data, dict) and "enrollments" in data:
            header = [_("氏名"), _("メールアドレス"), _("状態"), _("キャンセル待ち順"), _("申込日時")]
            rows = (
                [
                    row["name"],
                    row["email"],
                    row["status_display"],
                    row["waitlist_position"],
                    _local_time(row["enrolled_at"]),
                ]
                for row in data["enrollments"]
            )
            return csv_text(rows, header=header).encode("utf-8")
        # An error (403, 404) asked for as CSV still says what went wrong.
        detail = data.get("detail", data) if isinstance(data, dict) else data
        return csv_text([[detail]]).encode("utf-8")
