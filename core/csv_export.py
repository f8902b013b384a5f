"""Every CSV the practice hands out (the admin's, the API's, the course roster) is written here.

Two guarantees: a cell that a spreadsheet would run as a formula (starting with = + - @, a tab or a
carriage return) is written with a leading apostrophe, so ``=HYPERLINK(...)`` typed into a signup
form stays text; and the file starts with a UTF-8 byte-order mark, without which Excel in Japan
reads UTF-8 as Shift_JIS and garbles every name. Rows end with CRLF, as Excel expects.
"""

import csv
from collections.abc import Iterable, Iterator, Sequence

from django.http import StreamingHttpResponse

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
BOM = "\ufeff"


def csv_cell(value) -> str | int | float:
    """One cell as written: numbers stay numbers, None is empty, text never starts a formula."""
    if value is None:
        return ""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return value
    text = str(value)
    return f"'{text}" if text.startswith(FORMULA_PREFIXES) else text


class _Line:
    def write(self, line: str) -> str:
        return line


def csv_lines(rows: Iterable[Iterable], *, header: Sequence[str] = ()) -> Iterator[str]:
    """The file as text lines: the BOM, the header (when given), then every row, each cell guarded."""
    writer = csv.writer(_Line())
    yield BOM
    if header:
        yield writer.writerow([csv_cell(name) for name in header])
    for row in rows:
        yield writer.writerow([csv_cell(value) for value in row])


def csv_text(rows: Iterable[Iterable], *, header: Sequence[str] = ()) -> str:
    return "".join(csv_lines(rows, header=header))


def csv_response(
    *, filename: str, rows: Iterable[Iterable], header: Sequence[str] = ()
) -> StreamingHttpResponse:
    """A download streamed row by row, so a long export never sits whole in memory."""
    response = StreamingHttpResponse(csv_lines(rows, header=header), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
