import threading

import pytest
import time_machine
from django.db import connection
from django.utils import timezone
from rest_framework.test import APIClient

from tests.accounts.factories import PASSWORD, ClientFactory

TOKEN = "/api/v1/auth/token/"


def login(client, email, password, ip="203.0.113.5"):
    return client.post(TOKEN, {"email": email, "password": password}, format="json", REMOTE_ADDR=ip)


@pytest.mark.django_db
def test_five_wrong_passwords_lock_the_account_for_that_ip_for_fifteen_minutes(api_client):
    user = ClientFactory()
    statuses = [login(api_client, user.email, "wrong-password").status_code for _ in range(5)]
    # The fifth failure is the one that locks: it already answers with the lockout.
    assert statuses == [400, 400, 400, 400, 429]

    locked = login(api_client, user.email, PASSWORD)
    assert locked.status_code == 429
    assert "15分" in locked.json()["detail"]

    # Another address is not locked out by someone else's guesses.
    assert login(api_client, user.email, PASSWORD, ip="198.51.100.7").status_code == 200

    with time_machine.travel(timezone.now() + timezone.timedelta(minutes=14)):
        assert login(api_client, user.email, PASSWORD).status_code == 429
    with time_machine.travel(timezone.now() + timezone.timedelta(minutes=16)):
        assert login(api_client, user.email, PASSWORD).status_code == 200


@pytest.mark.django_db
def test_lockout_ignores_the_case_of_the_email(api_client):
    user = ClientFactory(email="mixed@example.com")
    for attempt in range(5):
        login(api_client, "MIXED@example.com" if attempt % 2 else "mixed@example.com", "wrong-password")
    assert login(api_client, user.email, PASSWORD).status_code == 429


@pytest.mark.django_db(transaction=True)
def test_lockout_holds_under_twenty_parallel_wrong_attempts():
    user = ClientFactory()
    statuses: list[int] = []
    barrier = threading.Barrier(20)

    def attempt():
        try:
            barrier.wait()
            statuses.append(login(APIClient(), user.email, "wrong-password").status_code)
        finally:
            connection.close()

    threads = [threading.Thread(target=attempt) for _ in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert len(statuses) == 20
    assert set(statuses) <= {400, 429}
    assert login(APIClient(), user.email, PASSWORD).status_code == 429


@pytest.mark.django_db
def test_the_login_page_explains_a_lockout_in_japanese_with_the_time_to_try_again(client, api_client):
    user = ClientFactory()
    # 10:00 in Tokyo; the fifth failure at 10:04 locks until 10:19.
    with time_machine.travel("2026-05-11 01:00:00+00:00", tick=False) as traveller:
        for _attempt in range(4):
            client.post("/accounts/login/", {"email": user.email, "password": "wrong-password"})
            traveller.shift(60)
        locked = client.post("/accounts/login/", {"email": user.email, "password": "wrong-password"})
        again = client.post("/accounts/login/", {"email": user.email, "password": PASSWORD})

        assert locked.status_code == again.status_code == 429
        assert locked["Content-Type"].startswith("text/html")
        body = again.content.decode()
        assert "{&quot;detail&quot;" not in body and not body.startswith("{")
        assert "10:19以降にもう一度お試しください" in body
        assert again["Retry-After"] == "900"
        assert "_auth_user_id" not in client.session

        # The API keeps its JSON answer for the same lockout.
        api = login(api_client, user.email, PASSWORD, ip="127.0.0.1")
        assert api.status_code == 429
        assert "15分" in api.json()["detail"]
        assert api["Retry-After"] == "900"
