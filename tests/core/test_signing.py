"""signed_dumps writes the tokens django.core.signing.dumps writes."""

import time

import pytest
from django.core import signing

from core.signing import signed_dumps


@pytest.fixture
def clock(monkeypatch):
    """Both signers read the time through time.time."""
    now = [1_795_953_600.25]
    monkeypatch.setattr(time, "time", lambda: now[0])
    return now


@pytest.mark.parametrize("salt", ["newsletter.unsubscribe", "newsletter.workbook", "x" * 200, "名前"])
@pytest.mark.parametrize("obj", [{"s": 1}, {"s": 2**40, "c": 7}, {"name": "読者"}, [1, "a"], "text", 0])
def test_a_token_is_the_one_django_signs_at_the_same_second(clock, salt, obj):

    token = signed_dumps(obj, salt=salt)

    assert token == signing.dumps(obj, salt=salt)
    assert signing.loads(token, salt=salt) == obj


def test_a_token_follows_the_secret_key_and_its_salt(settings, clock):
    first = signed_dumps({"s": 1}, salt="newsletter.unsubscribe")
    settings.SECRET_KEY = "another-secret-key-" * 3

    second = signed_dumps({"s": 1}, salt="newsletter.unsubscribe")

    assert second != first
    assert second == signing.dumps({"s": 1}, salt="newsletter.unsubscribe")
    with pytest.raises(signing.BadSignature):
        signing.loads(second, salt="newsletter.workbook")


def test_a_token_carries_the_time_it_was_made(clock):
    token = signed_dumps({"s": 1}, salt="newsletter.workbook")
    clock[0] += 30

    assert signing.loads(token, salt="newsletter.workbook", max_age=60) == {"s": 1}
    with pytest.raises(signing.SignatureExpired):
        signing.loads(token, salt="newsletter.workbook", max_age=10)


def test_the_timestamp_turns_with_the_second(clock):
    first = signed_dumps({"s": 1}, salt="newsletter.workbook")
    clock[0] += 0.5
    same_second = signed_dumps({"s": 1}, salt="newsletter.workbook")
    clock[0] += 1

    next_second = signed_dumps({"s": 1}, salt="newsletter.workbook")

    assert same_second == first
    assert next_second != first
    assert next_second == signing.dumps({"s": 1}, salt="newsletter.workbook")
