"""A fan-out's message built once, then each recipient's copy made by filling in bytes.

``EmailMultiAlternatives(...).message().as_bytes()`` costs about a millisecond a message (header
encoding of the Japanese subject and sender, MIME generation). A fan-out's messages differ only in
To, Date, Message-ID, and the recipient's values (name, signed links) in the body and headers. So the
shared body (``OutboundBody``) is built once with Django's classes into a skeleton, and each copy is
the skeleton's bytes with those headers folded by the same ``email`` policy Django's generator uses and
the values put into the 8-bit text and HTML parts (the HTML ones escaped as the template escapes them).

The copy is byte for byte what the full build gives (tests/outbox/test_mime.py parses both and
compares every header and part), except the MIME boundary, which is the skeleton's. Where a copy could
differ (a non-ASCII address or header value, a line the values would push past 998 bytes, a part
Django would encode otherwise), ``Skeleton.fill`` returns None and the caller builds the message whole.
"""

import functools
import re
import time
from dataclasses import dataclass, field
from email import policy
from email.utils import formatdate, make_msgid
from html import escape as escape_html
from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.core.mail.message import sanitize_address
from django.core.mail.utils import DNS_NAME
from django.utils.html import escape

PLACEHOLDER = "%%OUTBOX:{}%%"
_PLACEHOLDER = re.compile(rb"%%OUTBOX:(\w+)%%")
_SIMPLE_ADDRESS = re.compile(r"[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+")
# The To address of the skeleton, replaced in every copy.
_SKELETON_TO = "skeleton@outbox.invalid"
_LINE_LIMIT = 998  # RFC 5322; Django switches a part to quoted-printable past it
_FOLD = policy.compat32.clone(linesep="\r\n")
_FOLD_WIDTH = _FOLD.max_line_length or 78
_PER_MESSAGE = {"to", "date", "message-id"}
# A value the policy writes as it is when the line fits: printable ASCII words, single spaces between.
_PLAIN = re.compile(r"[!-~]+(?: [!-~]+)*")
# Any printable ASCII but whitespace: a value folding treats as one word (only its length and last
# character matter to where the lines break).
_WORD = re.compile(r"[!-~]+")
_DUMMY = "~"


def fold(name: str, value: str) -> bytes:
    """``name: value`` folded as Django's generator folds it (``_FOLD``); a line that fits, of plain
    ASCII, is written as it is without the policy's machinery (a tenth of the cost)."""
    line = f"{name}: {value}"
    if len(line) <= _FOLD_WIDTH and _PLAIN.fullmatch(value):
        return line.encode("ascii") + b"\r\n"
    return _FOLD.fold_binary(name, value)


def placeholders_in(*texts: str) -> frozenset[str]:
    """The placeholder keys that ``texts`` hold."""
    return frozenset(key.decode("ascii") for text in texts for key in _PLACEHOLDER.findall(text.encode()))


def fill_text(text: str, values: dict[str, str], *, html: bool = False) -> str:
    """``text`` with each placeholder replaced by its value (HTML-escaped for an HTML part)."""
    for key, value in values.items():
        text = text.replace(PLACEHOLDER.format(key), escape(value) if html else value)
    return text


def message_of(
    *, subject: str, text: str, html: str, from_email: str, to: str, headers: dict, connection=None
) -> EmailMultiAlternatives:
    message = EmailMultiAlternatives(
        subject=subject, body=text, from_email=from_email, to=[to], headers=headers, connection=connection
    )
    if html:
        message.attach_alternative(html, "text/html")
    return message


@dataclass
class Skeleton:
    """The shared body's message as bytes: header lines and body sections split at placeholders."""

    envelope_from: str
    # (header name, its folded bytes) in Django's order; a None name is a fixed line.
    headers: list[tuple[str | None, bytes]]
    header_templates: dict[str, str]
    # Body sections, each a list alternating literal bytes and placeholder keys, with its escaping.
    sections: list[tuple[list[bytes | str], bool]]
    # Each line holding placeholders: its own bytes' length, its placeholders, whether HTML; to know
    # when values would make a line longer than Django writes in 8 bits.
    placeholder_lines: list[tuple[int, list[str], bool]]
    keys: frozenset[str]
    # Every placeholder key of the message, the headers' included: the values a copy needs.
    needs: frozenset[str]
    # A header with one placeholder, folded once per length of its value (see ``_fold_template``).
    folded: dict[tuple[str, int, str], bytes] = field(default_factory=dict)

    @classmethod
    def compose(
        cls, *, subject: str, text: str, html: str, from_email: str, headers: dict
    ) -> "Skeleton | None":
        message = message_of(
            subject=subject, text=text, html=html, from_email=from_email, to=_SKELETON_TO, headers=headers
        )
        built: Any = message.message()
        parts: list[Any] = [built] if not built.is_multipart() else built.get_payload()
        if any(part.get("Content-Transfer-Encoding") not in ("8bit", "7bit") for part in parts):
            return None  # quoted-printable or base64 parts: not filled in as bytes
        data: bytes = built.as_bytes(linesep="\r\n")
        head, body = data.split(b"\r\n\r\n", 1)
        header_lines: list[tuple[str | None, bytes]] = []
        for line in re.split(rb"\r\n(?![ \t])", head):
            name = line.split(b":", 1)[0].decode("ascii")
            template = next((value for key, value in headers.items() if key.lower() == name.lower()), None)
            if name.lower() in _PER_MESSAGE or (template is not None and "%%OUTBOX:" in template):
                header_lines.append((name, b""))
            else:
                header_lines.append((None, line + b"\r\n"))
        sections: list[tuple[list[bytes | str], bool]] = []
        html_start = body.find(b"Content-Type: text/html") if html else -1
        pieces = (
            [(body, False)] if html_start < 0 else [(body[:html_start], False), (body[html_start:], True)]
        )
        for piece, is_html in pieces:
            split = _PLACEHOLDER.split(piece)
            sections.append(
                (
                    [chunk if index % 2 == 0 else chunk.decode("ascii") for index, chunk in enumerate(split)],
                    is_html,
                )
            )
        placeholder_lines = []
        for piece, is_html in pieces:
            for line in piece.split(b"\r\n"):
                if b"%%OUTBOX:" in line:
                    keys = [key.decode("ascii") for key in _PLACEHOLDER.findall(line)]
                    placeholder_lines.append((len(_PLACEHOLDER.sub(b"", line)), keys, is_html))
        return cls(
            envelope_from=sanitize_address(from_email, settings.DEFAULT_CHARSET),
            headers=header_lines,
            header_templates={key.lower(): value for key, value in headers.items()},
            sections=sections,
            placeholder_lines=placeholder_lines,
            keys=frozenset(
                str(key) for chunks, _html in sections for index, key in enumerate(chunks) if index % 2
            ),
            needs=placeholders_in(text, html, *headers.values()),
        )

    def fill(
        self, *, to: str, values: dict[str, str], date: str | None = None, message_id: str | None = None
    ) -> bytes | None:
        """One recipient's message as the bytes Django would build; None where it might differ.

        ``date`` and ``message_id`` are made as Django makes them unless given."""
        if not _SIMPLE_ADDRESS.fullmatch(to) or not self.keys <= values.keys():
            return None
        encoded = {key: value.encode("utf-8") for key, value in values.items()}
        # What django.utils.html.escape returns, without its lazy-string wrapping.
        escaped = {key: escape_html(value).encode("utf-8") for key, value in values.items()}
        if any(b"\r" in value or b"\n" in value for value in encoded.values()):
            return None
        for length, keys, is_html in self.placeholder_lines:
            source = escaped if is_html else encoded
            if length + sum(len(source.get(key, b"")) for key in keys) > _LINE_LIMIT:
                return None
        out: list[bytes] = []
        for name, line in self.headers:
            if name is None:
                out.append(line)
                continue
            lowered = name.lower()
            if lowered == "to":
                value = to
            elif lowered == "date":
                value = date or _date_now()
            elif lowered == "message-id":
                value = message_id or make_msgid(domain=DNS_NAME)
            else:
                template = self.header_templates[lowered]
                value = fill_text(template, values)
                if not value.isascii():
                    return None
                out.append(self._fold_template(name, template, values) or fold(name, value))
                continue
            out.append(fold(name, value))
        out.append(b"\r\n")
        for chunks, is_html in self.sections:
            source = escaped if is_html else encoded
            for chunk in chunks:
                out.append(chunk if isinstance(chunk, bytes) else source[chunk])
        return b"".join(out)

    def _fold_template(self, name: str, template: str, values: dict[str, str]) -> bytes | None:
        """A header whose template has one placeholder, for a value that folding treats as one word
        (a link): folded once with a stand-in of the same length and last character, then the value
        put in its place. None where that does not apply."""
        key = _single_placeholder(template)
        if key is None:
            return None
        value = values.get(key, "")
        if not _WORD.fullmatch(value) or _DUMMY in value:
            return None
        stand_in = _DUMMY * (len(value) - 1) + value[-1]
        cache_key = (name, len(value), value[-1])
        if cache_key not in self.folded:
            if len(self.folded) > 256:
                self.folded.clear()
            folded = _FOLD.fold_binary(name, fill_text(template, {key: stand_in}))
            if folded.count(stand_in.encode()) != 1:
                return None
            self.folded[cache_key] = folded
        return self.folded[cache_key].replace(stand_in.encode(), value.encode())


_dates: dict[tuple[int, bool], str] = {}


def _date_now() -> str:
    """The Date header as Django writes it, made once a second rather than once a message."""
    key = (int(time.time()), settings.EMAIL_USE_LOCALTIME)
    if key not in _dates:
        _dates.clear()
        _dates[key] = formatdate(key[0], localtime=key[1])
    return _dates[key]


@functools.lru_cache(maxsize=64)
def _single_placeholder(template: str) -> str | None:
    """The key of a header template's one placeholder; None for none, several, or a template holding
    the stand-in character (asked once per template, not per message)."""
    keys = _PLACEHOLDER.findall(template.encode())
    if len(keys) != 1 or _DUMMY in template:
        return None
    return keys[0].decode("ascii")
