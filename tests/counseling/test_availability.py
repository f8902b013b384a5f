from datetime import UTC, date, datetime, time, timedelta

import pytest
import time_machine

from counseling.selectors.availability import SlotState, slot_list, slot_state
from counseling.services.availability import time_off_create
from tests.accounts.factories import CounselorFactory
from tests.counseling.conftest import NOW, WEDNESDAY, tokyo
from tests.counseling.factories import (
    AvailabilityRuleFactory,
    BookingFactory,
    SessionTypeFactory,
    TimeOffFactory,
)

pytestmark = pytest.mark.django_db

AVAILABILITY = "/api/v1/availability/"


def starts(session_type, day=WEDNESDAY, until=None, now=NOW) -> list[str]:
    slots = slot_list(session_type=session_type, date_from=day, date_to=until or day, now=now)
    return [f"{slot.start.astimezone(tokyo(day, 0).tzinfo):%m-%d %H:%M}" for slot in slots]


def test_slots_lie_on_the_interval_inside_the_rule_and_the_last_ends_exactly_at_its_end(session_type):
    slots = slot_list(session_type=session_type, date_from=WEDNESDAY, date_to=WEDNESDAY, now=NOW)

    assert [(slot.start, slot.end) for slot in slots] == [
        (tokyo(WEDNESDAY, 10), tokyo(WEDNESDAY, 11)),
        (tokyo(WEDNESDAY, 10, 30), tokyo(WEDNESDAY, 11, 30)),
        # Ends at 12:00, exactly the rule's end; 11:30 would end at 12:30 and is not offered.
        (tokyo(WEDNESDAY, 11), tokyo(WEDNESDAY, 12)),
    ]


def test_the_slot_interval_setting_changes_the_grid(session_type, settings):
    settings.COUNSELING_SLOT_INTERVAL = timedelta(minutes=20)

    assert starts(session_type) == ["06-04 10:00", "06-04 10:20", "06-04 10:40", "06-04 11:00"]


def test_the_rule_decides_the_days_and_the_format(session_type, counselor):
    AvailabilityRuleFactory(
        counselor=counselor, weekday=3, start_time=time(14), end_time=time(15), format="tokyo"
    )
    AvailabilityRuleFactory(counselor=counselor, weekday=4, start_time=time(9), end_time=time(10))

    # Thursday's rule is for Tokyo sessions, so the online type gets Wednesday and Friday only.
    assert starts(session_type, until=date(2025, 6, 6)) == [
        "06-04 10:00",
        "06-04 10:30",
        "06-04 11:00",
        "06-06 09:00",
    ]


def test_slots_are_tokyo_wall_clock_times_stored_as_the_right_utc_instants(counselor):
    session_type = SessionTypeFactory(counselor=counselor, duration_minutes=30)
    # Thursday 00:00–01:00 in Tokyo is Wednesday 15:00–16:00 UTC.
    AvailabilityRuleFactory(counselor=counselor, weekday=3, start_time=time(0), end_time=time(1))
    thursday = date(2025, 6, 5)

    slots = slot_list(session_type=session_type, date_from=thursday, date_to=thursday, now=NOW)

    assert [slot.start.astimezone(UTC) for slot in slots] == [
        datetime(2025, 6, 4, 15, 0, tzinfo=UTC),
        datetime(2025, 6, 4, 15, 30, tzinfo=UTC),
    ]
    # Asking for Wednesday (a Tokyo day) does not return them, though they fall on Wednesday in UTC.
    assert slot_list(session_type=session_type, date_from=WEDNESDAY, date_to=WEDNESDAY, now=NOW) == []


def test_time_off_removes_the_slots_it_touches_and_no_others(session_type, counselor):
    TimeOffFactory(counselor=counselor, start=tokyo(WEDNESDAY, 10, 30), end=tokyo(WEDNESDAY, 11))

    # 10:00–11:00 and 10:30–11:30 touch it; 11:00 starts exactly when it ends.
    assert starts(session_type) == ["06-04 11:00"]


def test_a_booking_and_its_buffer_block_the_slots_they_overlap(session_type, counselor):
    AvailabilityRuleFactory(counselor=counselor, weekday=2, start_time=time(12), end_time=time(14))
    other_type = SessionTypeFactory(counselor=counselor, buffer_minutes=30)
    BookingFactory(session_type=other_type, start=tokyo(WEDNESDAY, 10))  # busy 10:00–11:30 with buffer

    assert starts(session_type) == ["06-04 11:30", "06-04 12:00", "06-04 12:30", "06-04 13:00"]


def test_a_slots_own_buffer_must_not_run_into_the_next_booking(counselor):
    AvailabilityRuleFactory(counselor=counselor, weekday=2, start_time=time(10), end_time=time(13))
    buffered = SessionTypeFactory(counselor=counselor, buffer_minutes=30)
    BookingFactory(session_type=SessionTypeFactory(counselor=counselor), start=tokyo(WEDNESDAY, 12))

    # 10:00 plus 60 min and the 30 min buffer reaches 11:30, 10:30 reaches 12:00 exactly, 11:00 runs into it.
    assert starts(buffered) == ["06-04 10:00", "06-04 10:30"]


def test_cancelled_bookings_and_other_counselors_bookings_do_not_block(session_type):
    BookingFactory(session_type=session_type, start=tokyo(WEDNESDAY, 10), status="cancelled")
    BookingFactory(session_type=session_type, start=tokyo(WEDNESDAY, 10, 30), status="late_cancelled")
    BookingFactory(session_type=SessionTypeFactory(counselor=CounselorFactory()), start=tokyo(WEDNESDAY, 11))

    assert starts(session_type) == ["06-04 10:00", "06-04 10:30", "06-04 11:00"]


def test_completed_and_no_show_bookings_keep_their_time(session_type):
    BookingFactory(session_type=session_type, start=tokyo(WEDNESDAY, 10), status="completed")

    assert starts(session_type) == ["06-04 11:00"]


def test_a_slot_starting_exactly_at_the_minimum_notice_is_offered_and_a_second_later_is_not(session_type):
    notice_edge = tokyo(WEDNESDAY, 10) - timedelta(hours=24)

    assert starts(session_type, now=notice_edge) == ["06-04 10:00", "06-04 10:30", "06-04 11:00"]
    assert starts(session_type, now=notice_edge + timedelta(seconds=1)) == ["06-04 10:30", "06-04 11:00"]


def test_the_minimum_notice_setting_changes_the_result(session_type, settings):
    settings.COUNSELING_MIN_NOTICE = timedelta(hours=50)

    # Now + 50 h is Wednesday 11:00.
    assert starts(session_type) == ["06-04 11:00"]


def test_slots_end_at_the_booking_window(session_type, settings):
    last_wednesday = WEDNESDAY + timedelta(weeks=8)  # 2025-07-30, 58 days ahead
    edge = tokyo(last_wednesday, 10, 30) - settings.COUNSELING_BOOKING_WINDOW

    assert starts(session_type, day=last_wednesday, now=edge) == ["07-30 10:00", "07-30 10:30"]
    settings.COUNSELING_BOOKING_WINDOW = timedelta(days=30)
    assert starts(session_type, day=last_wednesday, now=edge) == []


def test_slot_state_tells_a_taken_slot_from_a_time_that_is_no_slot(session_type):
    BookingFactory(session_type=session_type, start=tokyo(WEDNESDAY, 10))

    assert slot_state(session_type=session_type, start=tokyo(WEDNESDAY, 11), now=NOW) is SlotState.FREE
    assert (
        slot_state(session_type=session_type, start=tokyo(WEDNESDAY, 10, 30), now=NOW)
        is SlotState.UNAVAILABLE
    )
    assert (
        slot_state(session_type=session_type, start=tokyo(WEDNESDAY, 10, 15), now=NOW) is SlotState.NOT_A_SLOT
    )
    assert (
        slot_state(session_type=session_type, start=tokyo(WEDNESDAY, 11, 30), now=NOW) is SlotState.NOT_A_SLOT
    )


def test_the_api_answers_anyone_with_iso_times_carrying_the_tokyo_offset(
    api_client, session_type, frozen_now
):
    response = api_client.get(
        AVAILABILITY, {"session_type": session_type.pk, "from": "2025-06-02", "to": "2025-06-08"}
    )

    assert response.status_code == 200
    assert response.json() == [
        {"start": "2025-06-04T10:00:00+09:00", "end": "2025-06-04T11:00:00+09:00"},
        {"start": "2025-06-04T10:30:00+09:00", "end": "2025-06-04T11:30:00+09:00"},
        {"start": "2025-06-04T11:00:00+09:00", "end": "2025-06-04T12:00:00+09:00"},
    ]


def test_the_api_defaults_to_the_coming_week(api_client, session_type, frozen_now):
    response = api_client.get(AVAILABILITY, {"session_type": session_type.pk})

    assert response.status_code == 200
    assert len(response.json()) == 3


def test_a_range_of_62_days_is_served_and_63_days_is_a_400(api_client, session_type, frozen_now):
    served = api_client.get(
        AVAILABILITY, {"session_type": session_type.pk, "from": "2025-06-02", "to": "2025-08-02"}
    )
    refused = api_client.get(
        AVAILABILITY, {"session_type": session_type.pk, "from": "2025-06-02", "to": "2025-08-03"}
    )

    assert served.status_code == 200
    # Wednesdays within the 60-day window (until 2025-08-01 09:00): 9 of them, three slots each.
    assert len(served.json()) == 27
    assert refused.status_code == 400
    assert "62" in refused.json()["to"][0]


@pytest.mark.parametrize(
    "params",
    [
        {"from": "2025-06-02", "to": "2025-06-08"},
        {"session_type": 999999},
        {"session_type": "abc"},
        {"session_type": "ST", "from": "2025-06-10", "to": "2025-06-02"},
        {"session_type": "ST", "from": "June 2nd"},
    ],
)
def test_bad_availability_queries_are_400(api_client, session_type, frozen_now, params):
    params = {key: session_type.pk if value == "ST" else value for key, value in params.items()}

    response = api_client.get(AVAILABILITY, params)

    assert response.status_code == 400
    assert set(response.json()) & {"session_type", "from", "to"}


def test_an_inactive_session_type_has_no_availability(api_client, session_type, frozen_now):
    session_type.active = False
    session_type.save()

    response = api_client.get(AVAILABILITY, {"session_type": session_type.pk})

    assert response.status_code == 400
    assert "session_type" in response.json()


def test_slots_move_with_the_clock(api_client, session_type):
    with time_machine.travel(tokyo(WEDNESDAY, 10, 15) - timedelta(hours=24), tick=False):
        response = api_client.get(
            AVAILABILITY, {"session_type": session_type.pk, "from": "2025-06-04", "to": "2025-06-04"}
        )

    assert [slot["start"] for slot in response.json()] == [
        "2025-06-04T10:30:00+09:00",
        "2025-06-04T11:00:00+09:00",
    ]


def test_touching_rules_make_one_span_so_a_session_may_cross_from_one_to_the_next(session_type, counselor):
    AvailabilityRuleFactory(counselor=counselor, weekday=2, start_time=time(12), end_time=time(13))

    assert starts(session_type) == ["06-04 10:00", "06-04 10:30", "06-04 11:00", "06-04 11:30", "06-04 12:00"]


def test_a_new_time_off_comes_back_with_the_live_bookings_it_overlaps_and_only_those(
    session_type, counselor, frozen_now
):
    inside = BookingFactory(session_type=session_type, start=tokyo(WEDNESDAY, 10))
    BookingFactory(session_type=session_type, start=tokyo(WEDNESDAY, 11), status="cancelled")
    BookingFactory(session_type=session_type, start=tokyo(WEDNESDAY, 15))
    BookingFactory(session_type=SessionTypeFactory(counselor=CounselorFactory()), start=tokyo(WEDNESDAY, 10))

    created = time_off_create(counselor=counselor, start=tokyo(WEDNESDAY, 9), end=tokyo(WEDNESDAY, 13))

    assert created.time_off.pk is not None
    assert created.bookings == [inside] and inside.status == "confirmed"
