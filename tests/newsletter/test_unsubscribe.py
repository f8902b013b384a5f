import pytest
from django.test import Client

from newsletter.models import Subscriber
from newsletter.tokens import unsubscribe_token_make, workbook_token_make
from tests.newsletter.factories import SubscriberFactory

pytestmark = pytest.mark.django_db


def unsubscribe_url(subscriber) -> str:
    return f"/newsletter/unsubscribe/{unsubscribe_token_make(subscriber_id=subscriber.pk)}/"


def test_the_one_click_post_unsubscribes_without_cookies_or_csrf_token():
    subscriber = SubscriberFactory()
    # What a mail provider sends (RFC 8058): a bare POST, CSRF checks on, no cookie at all.
    client = Client(enforce_csrf_checks=True)

    response = client.post(
        unsubscribe_url(subscriber),
        data="List-Unsubscribe=One-Click",
        content_type="application/x-www-form-urlencoded",
    )

    assert response.status_code == 200
    assert not response.cookies
    subscriber.refresh_from_db()
    assert subscriber.status == Subscriber.Status.UNSUBSCRIBED
    assert subscriber.unsubscribed_at is not None


def test_a_get_shows_a_button_and_unsubscribes_nobody():
    subscriber = SubscriberFactory()

    response = Client().get(unsubscribe_url(subscriber))

    assert response.status_code == 200
    page = response.content.decode()
    assert '<form method="post">' in page
    assert "配信を停止する" in page
    subscriber.refresh_from_db()
    assert subscriber.status == Subscriber.Status.ACTIVE


def test_the_button_unsubscribes_and_shows_the_unsubscribed_page():
    subscriber = SubscriberFactory()
    client = Client(enforce_csrf_checks=True)

    response = client.post(unsubscribe_url(subscriber), follow=True)

    assert response.redirect_chain == [("/newsletter/unsubscribed/", 302)]
    assert "配信を停止しました" in response.content.decode()
    subscriber.refresh_from_db()
    assert subscriber.status == Subscriber.Status.UNSUBSCRIBED


def test_unsubscribing_twice_is_harmless_and_the_page_says_it_is_done():
    subscriber = SubscriberFactory()
    client = Client()
    client.post(unsubscribe_url(subscriber), {"List-Unsubscribe": "One-Click"})
    first_time = Subscriber.objects.get().unsubscribed_at

    assert client.post(unsubscribe_url(subscriber), {"List-Unsubscribe": "One-Click"}).status_code == 200
    assert Subscriber.objects.get().unsubscribed_at == first_time
    assert "停止済み" in client.get(unsubscribe_url(subscriber)).content.decode()


@pytest.mark.parametrize("method", ["get", "post"])
def test_a_forged_or_foreign_unsubscribe_token_is_404_and_changes_nothing(method):
    subscriber = SubscriberFactory()
    client = Client()
    other_purpose = workbook_token_make(subscriber_id=subscriber.pk)

    for token in ("forged", other_purpose):
        response = getattr(client, method)(f"/newsletter/unsubscribe/{token}/")
        assert response.status_code == 404
    subscriber.refresh_from_db()
    assert subscriber.status == Subscriber.Status.ACTIVE


def test_the_unsubscribe_link_of_a_deleted_subscriber_is_404():
    subscriber = SubscriberFactory()
    url = unsubscribe_url(subscriber)
    subscriber.delete()

    assert Client().post(url, {"List-Unsubscribe": "One-Click"}).status_code == 404
