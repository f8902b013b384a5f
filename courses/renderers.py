import csv
import io
from datetime import datetime

from django.utils.translation import gettext as _
from rest_framework.renderers import BaseRenderer

from core.localtime import local_minute

# Excel treats a cell starting with these as a formula; a guest's name must never run as one.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def _cell(value) -> str:
    text = "" if value is None else str(value)
    return f"'{text}" if text.startswith(FORMULA_PREFIXES) else text


def _local_time(value: str | None) -> str:
    return local_minute(datetime.fromisoformat(value)) if value else ""


class RosterCsvRenderer(BaseRenderer):
    """The roster as CSV that Excel in Japan opens as it is: UTF-8 with a BOM, CRLF, local times."""

    media_type = "text/csv"
    format = "csv"
    charset = "utf-8"

    def render(self, data, accepted_media_type=None, renderer_context=None) -> bytes:
        buffer = io.StringIO()
        writer = csv.writer(buffer)  # the csv module ends rows with CRLF, as Excel expects
        if isinstance(data, dict) and "enrollments" in data:
            writer.writerow([_("氏名"), _("メールアドレス"), _("状態"), _("キャンセル待ち順"), _("申込日時")])
            for row in data["enrollments"]:
                writer.writerow(
                    [
                        _cell(row["name"]),
                        _cell(row["email"]),
                        _cell(row["status_display"]),
                        row["waitlist_position"] or "",
                        _local_time(row["enrolled_at"]),
                    ]
                )
        else:
            # An error (403, 404) asked for as CSV still says what went wrong.
            detail = data.get("detail", data) if isinstance(data, dict) else data
            writer.writerow([_cell(detail)])
        # Without the BOM, Excel in Japan reads UTF-8 as Shift_JIS and garbles every name.
        return ("\ufeff" + buffer.getvalue()).encode("utf-8")
