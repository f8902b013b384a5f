"""Many clients at once, each on its own database connection, as under real web workers."""

import threading
from collections import Counter

import pytest
import time_machine
from django.db import connection

from counseling.models import Booking
from tests.accounts.factories import ClientFactory
from tests.conftest import authenticated_client
from tests.counseling.conftest import NOW, WEDNESDAY, tokyo
from tests.counseling.factories import IntakeFactory

BOOKINGS = "/api/v1/bookings/"


def run_at_once(requests) -> list:
    """Starts every request at the same moment; returns (status, body) in order."""
    barrier = threading.Barrier(len(requests))
    results: list = [None] * len(requests)

    def worker(index, request):
        try:
            barrier.wait()
            response = request()
            results[index] = (response.status_code, response.json())
        except Exception as error:  # recorded, so a crash shows up as a failed assertion
            results[index] = (500, repr(error))
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(i, r)) for i, r in enumerate(requests)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


def clients_with_intakes(count: int) -> list:
    clients = []
    for _ in range(count):
        client = ClientFactory()
        IntakeFactory(client=client)
        clients.append(authenticated_client(client))
    return clients


def booking_request(api, session_type, start, **headers):
    return lambda: api.post(
        BOOKINGS, {"session_type": session_type.pk, "start": start.isoformat()}, format="json", **headers
    )


@pytest.mark.slow
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_twenty_clients_booking_one_slot_at_once_give_one_201_and_nineteen_409(session_type):
    apis = clients_with_intakes(20)

    with time_machine.travel(NOW, tick=False):
        results = run_at_once([booking_request(api, session_type, tokyo(WEDNESDAY, 10)) for api in apis])

    assert Counter(status for status, _ in results) == {201: 1, 409: 19}
    assert Booking.objects.count() == 1


@pytest.mark.slow
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_overlapping_slots_booked_at_once_never_both_succeed(session_type):
    apis = clients_with_intakes(10)
    starts = [tokyo(WEDNESDAY, 10), tokyo(WEDNESDAY, 10, 30)] * 5

    with time_machine.travel(NOW, tick=False):
        results = run_at_once(
            [booking_request(api, session_type, start) for api, start in zip(apis, starts, strict=True)]
        )

    assert Counter(status for status, _ in results) == {201: 1, 409: 9}


@pytest.mark.slow
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_one_client_retrying_with_one_key_at_once_gets_one_booking(session_type):
    [api] = clients_with_intakes(1)

    with time_machine.travel(NOW, tick=False):
        results = run_at_once(
            [
                booking_request(api, session_type, tokyo(WEDNESDAY, 10), HTTP_IDEMPOTENCY_KEY="retry-7")
                for _ in range(8)
            ]
        )

    statuses = Counter(status for status, _ in results)
    assert statuses[201] == 1
    assert statuses[200] == 7
    assert len({body["id"] for _, body in results}) == 1
    assert Booking.objects.count() == 1


@pytest.fixture
def without_overlap_constraint():
    """Drops the exclusion constraint for one test, as on SQLite, to try the lock-then-check alone."""
    constraint = next(c for c in Booking._meta.constraints if c.name == "counseling_booking_no_overlap")
    with connection.schema_editor() as editor:
        editor.remove_constraint(Booking, constraint)
    try:
        yield
    finally:
        Booking.objects.all().delete()
        with connection.schema_editor() as editor:
            editor.add_constraint(Booking, constraint)


@pytest.mark.slow
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_counselor_lock_alone_keeps_concurrent_bookings_to_one(session_type, without_overlap_constraint):
    apis = clients_with_intakes(20)

    with time_machine.travel(NOW, tick=False):
        results = run_at_once([booking_request(api, session_type, tokyo(WEDNESDAY, 10)) for api in apis])

    assert Counter(status for status, _ in results) == {201: 1, 409: 19}
    assert Booking.objects.count() == 1


@pytest.mark.slow
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_adjacent_slots_booked_at_once_both_succeed_and_a_cancel_frees_a_slot_at_once(session_type):
    first, second, third = clients_with_intakes(3)

    with time_machine.travel(NOW, tick=False):
        adjacent = run_at_once(
            [
                booking_request(first, session_type, tokyo(WEDNESDAY, 10)),
                booking_request(second, session_type, tokyo(WEDNESDAY, 11)),
            ]
        )
        booking_id = adjacent[0][1]["id"]
        # The cancel and a new booking of the freed slot race; the booking may only win after the cancel.
        freed = run_at_once(
            [
                lambda: first.post(f"{BOOKINGS}{booking_id}/cancel/", {}, format="json"),
                booking_request(third, session_type, tokyo(WEDNESDAY, 10)),
            ]
        )

    assert [status for status, _ in adjacent] == [201, 201]
    assert freed[0][0] == 200
    assert freed[1][0] in (201, 409)
    if freed[1][0] == 409:
        assert book_after_cancel(third, session_type) == 201
    assert Booking.objects.filter(status="confirmed").count() == 2


def book_after_cancel(api, session_type) -> int:
    with time_machine.travel(NOW, tick=False):
        return booking_request(api, session_type, tokyo(WEDNESDAY, 10))().status_code
