"""The signed links of a fan-out's messages, made with the page's address reversed once."""

import pytest

from core.links import absolute_url
from newsletter.rendering import unsubscribe_url, workbook_link
from newsletter.tokens import unsubscribe_token_read, workbook_token_read


@pytest.mark.parametrize("site_url", ["https://counsel.example.jp", "http://localhost:8000"])
def test_a_link_is_the_one_reversing_gives_on_every_site(settings, site_url):
    settings.SITE_URL = site_url
    for subscriber_id in (1, 42, 10**12):
        link = unsubscribe_url(subscriber_id)
        token = link.rstrip("/").rsplit("/", 1)[1]
        assert link == absolute_url("newsletter:unsubscribe", token=token)
        assert unsubscribe_token_read(token) == subscriber_id

        link = workbook_link(subscriber_id)
        token = link.rstrip("/").rsplit("/", 1)[1]
        assert link == absolute_url("newsletter:workbook", token=token)
        assert workbook_token_read(token) == subscriber_id
