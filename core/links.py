"""Absolute links for mail, feeds and exports: the site's address plus a path reversed from a URL name."""

from urllib.parse import urlencode

from django.conf import settings
from django.urls import reverse


def absolute_url(name: str, *, query: dict[str, str] | None = None, **kwargs) -> str:
    """``SITE_URL`` + ``reverse(name, kwargs=kwargs)``, with ``query`` as the query string.

    E.g. ``absolute_url("newsletter:confirm", token=token)``. A renamed or moved page changes its
    links everywhere at once, and a name that no longer exists fails loudly instead of mailing a 404.
    """
    url = settings.SITE_URL + reverse(name, kwargs=kwargs or None)
    return f"{url}?{urlencode(query, safe=':')}" if query else url
