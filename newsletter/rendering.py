"""Markdown to email parts, and what every email to a subscriber carries (footer, unsubscribe headers)."""

import html
import re
from dataclasses import dataclass
from urllib.parse import quote

import markdown
import nh3
from django.conf import settings
from django.urls import get_script_prefix, get_urlconf

from core.links import absolute_url
from counseling.exercises import EXERCISES_BY_CODE
from newsletter.tokens import unsubscribe_token_make, workbook_token_make
from outbox.services import RenderedEmail, email_render

ALLOWED_TAGS = {
    "a", "p", "br", "hr", "strong", "em", "b", "i", "u", "s", "ul", "ol", "li", "blockquote",
    "h2", "h3", "h4", "code", "pre", "table", "thead", "tbody", "tr", "th", "td",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "th": {"align"}, "td": {"align"}}
_LINK = re.compile(r"\[([^\]]+)\]\(([^)\s]+)(?:\s+\"[^\"]*\")?\)")
_EMPHASIS = re.compile(r"(\*\*|__)(.+?)\1")


@dataclass(frozen=True)
class IssueContent:
    """A lesson or broadcast rendered once, then wrapped for each subscriber."""

    subject: str
    html: str
    text: str
    # A lesson's workbook exercise (a code of counseling.exercises); empty for broadcasts.
    exercise: str = ""


def markdown_to_html(source: str) -> str:
    # Markdown passes raw HTML through; nh3 keeps only what a mail client should show.
    rendered = markdown.markdown(source, extensions=["extra", "sane_lists"], output_format="html")
    return nh3.clean(
        rendered,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer",
    )


def markdown_to_text(source: str) -> str:
    """Markdown reads well as it is; links become "label（URL）" so they still work in plain text."""
    text = _LINK.sub(lambda match: f"{match.group(1)}（{match.group(2)}）", source)
    text = _EMPHASIS.sub(r"\2", text)
    return html.unescape(nh3.clean(text, tags=set()))


def markdown_to_subject(source: str) -> str:
    plain = nh3.clean(markdown.markdown(source), tags=set())
    return " ".join(html.unescape(plain).split())


SITE_URL_PLACEHOLDER = "{site_url}"


def issue_content(*, subject: str, body_markdown: str, exercise: str = "") -> IssueContent:
    # Shipped lessons link to the practice's own pages as "{site_url}/…", wherever it is hosted.
    body_markdown = body_markdown.replace(SITE_URL_PLACEHOLDER, settings.SITE_URL)
    return IssueContent(
        subject=markdown_to_subject(subject),
        html=markdown_to_html(body_markdown),
        text=markdown_to_text(body_markdown).strip(),
        exercise=exercise,
    )


_TOKEN_MARK = "0token0"  # noqa: S105 (a stand-in for the token in a reversed path)
_token_links: dict[tuple, tuple[str, str]] = {}


def link_site() -> tuple:
    """What a reversed address depends on: the site, the URL configuration and the script prefix.

    The last two are looked up in asgiref's context-local storage, each lookup costing more than the
    rest of a link: a caller making several links at once asks this once and passes it on."""
    return (settings.SITE_URL, get_urlconf(), get_script_prefix())


def _token_link(name: str, token: str, site: tuple | None) -> str:
    """``absolute_url(name, token=token)`` for a signed token (URL-safe characters only), with the
    page's address reversed once per ``link_site`` rather than per link: a fan-out makes two links
    for every message it sends."""
    key = (site or link_site(), name)
    if key not in _token_links:
        before, after = absolute_url(name, token=_TOKEN_MARK).split(_TOKEN_MARK)
        _token_links[key] = (before, after)
    before, after = _token_links[key]
    return before + token + after


def workbook_link(subscriber_id: int, *, site: tuple | None = None) -> str:
    """The subscriber's own signed download link, made fresh for each email so it is valid on arrival.

    ``site``: ``link_site()``, when the caller has it."""
    return _token_link("newsletter:workbook", workbook_token_make(subscriber_id=subscriber_id), site)


def exercise_context(*, exercise_code: str, workbook_url: str) -> dict:
    """The "today's exercise" block of a lesson email: its texts from the single source, and links."""
    exercise = EXERCISES_BY_CODE.get(exercise_code)
    if exercise is None:
        return {}
    return {
        "exercise": exercise,
        "exercise_url": f"{absolute_url('newsletter:exercises')}#{exercise.anchor}",
        "workbook_url": workbook_url,
    }


def unsubscribe_url(subscriber_id: int, *, site: tuple | None = None) -> str:
    return _token_link("newsletter:unsubscribe", unsubscribe_token_make(subscriber_id=subscriber_id), site)


def list_unsubscribe_headers(url: str) -> dict[str, str]:
    """RFC 2369 and RFC 8058: mail clients show an unsubscribe button that POSTs to ``url``."""
    mailto = f"mailto:{settings.NEWSLETTER_UNSUBSCRIBE_MAILTO}?subject={quote('配信停止')}"
    return {
        "List-Unsubscribe": f"<{url}>, <{mailto}>",
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
    }


def footer_context(unsubscribe_link: str) -> dict:
    return {
        "practice_name": settings.PRACTICE_NAME,
        "practice_postal_address": settings.PRACTICE_POSTAL_ADDRESS,
        "practice_contact_email": settings.PRACTICE_CONTACT_EMAIL,
        "unsubscribe_url": unsubscribe_link,
        "site_url": settings.SITE_URL,
    }


@dataclass(frozen=True)
class SubscriberEmail:
    rendered: RenderedEmail
    headers: dict[str, str]


def subscriber_email_render(*, template: str, subscriber_id: int, context: dict) -> SubscriberEmail:
    """Renders a template for a confirmed subscriber with the legal footer and unsubscribe headers."""
    link = unsubscribe_url(subscriber_id)
    rendered = email_render(template=template, context={**footer_context(link), **context})
    return SubscriberEmail(rendered=rendered, headers=list_unsubscribe_headers(link))
