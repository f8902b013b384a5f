"""The signed links of a fan-out's messages, made with the page's address reversed once."""

from types import SimpleNamespace

import pytest
from django.urls import set_script_prefix

from core.links import absolute_url
from newsletter.rendering import unsubscribe_url, workbook_link
from newsletter.send_checks import newsletter_email_links
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


def test_the_links_of_a_copy_follow_the_script_prefix_in_force_as_it_is_built(settings):
    settings.SITE_URL = "https://counsel.example.jp"
    email = SimpleNamespace(context={"subscriber_id": 7})
    keys = frozenset({"unsubscribe_url", "workbook_url"})
    plain = newsletter_email_links(email, keys)
    set_script_prefix("/clinic/")
    try:
        prefixed = newsletter_email_links(email, keys)
        pages = (("newsletter:unsubscribe", "unsubscribe_url"), ("newsletter:workbook", "workbook_url"))
        for name, key in pages:
            token = prefixed[key].rstrip("/").rsplit("/", 1)[1]
            assert prefixed[key] == absolute_url(name, token=token)
    finally:
        set_script_prefix("/")

    assert prefixed["unsubscribe_url"].startswith("https://counsel.example.jp/clinic/")
    assert not plain["unsubscribe_url"].startswith("https://counsel.example.jp/clinic/")
    assert unsubscribe_token_read(plain["unsubscribe_url"].rstrip("/").rsplit("/", 1)[1]) == 7
