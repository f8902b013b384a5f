"""The availability answer is built without SlotSerializer; it is byte for byte what the serializer
writes, and its queries do not grow with the days asked or the bookings in them."""

from datetime import date, timedelta

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from drf_spectacular.generators import SchemaGenerator
from rest_framework.renderers import JSONRenderer

from counseling.apis.scheduling import AvailabilityApi
from counseling.selectors.availability import slot_list
from tests.counseling.factories import SessionTypeFactory
from tests.counseling.schedules import FIRST_DAY, LAST_DAY, NOW, busy_counselor

pytestmark = pytest.mark.django_db

AVAILABILITY = "/api/v1/availability/"


@pytest.mark.parametrize("zone", ["Asia/Tokyo", "UTC", "America/New_York"])
def test_the_availability_answer_is_byte_for_byte_what_the_serializer_writes(
    api_client, counselor, settings, zone
):
    settings.TIME_ZONE = zone
    with time_machine.travel(NOW, tick=False):
        session_type = busy_counselor(counselor, days=60)
        query = {"session_type": session_type.pk, "from": FIRST_DAY.isoformat(), "to": LAST_DAY.isoformat()}

        response = api_client.get(AVAILABILITY, query)

        slots = slot_list(session_type=session_type, date_from=FIRST_DAY, date_to=LAST_DAY)
        assert len(slots) > 500
        assert response.status_code == 200
        assert response.content == JSONRenderer().render(
            AvailabilityApi.SlotSerializer(slots, many=True).data
        )


def test_an_empty_availability_is_an_empty_list_as_before(api_client, counselor):
    with time_machine.travel(NOW, tick=False):
        session_type = SessionTypeFactory(counselor=counselor)  # no weekly hours at all

        response = api_client.get(AVAILABILITY, {"session_type": session_type.pk})

        assert response.status_code == 200
        assert response.content == JSONRenderer().render(AvailabilityApi.SlotSerializer([], many=True).data)
        assert response.json() == []


def test_availability_takes_the_same_queries_for_a_day_and_for_sixty_busy_days(api_client, counselor):
    with time_machine.travel(NOW, tick=False):
        session_type = busy_counselor(counselor, days=60)

        def queries_for(first_day: date, last_day: date) -> int:
            query = {
                "session_type": session_type.pk,
                "from": first_day.isoformat(),
                "to": last_day.isoformat(),
            }
            with CaptureQueriesContext(connection) as queries:
                response = api_client.get(AVAILABILITY, query)
            assert response.status_code == 200
            assert response.json()
            return len(queries)

        one_day = FIRST_DAY + timedelta(days=2)
        assert queries_for(one_day, one_day) == queries_for(FIRST_DAY, LAST_DAY)


def test_a_slot_carries_exactly_the_fields_the_openapi_schema_documents(api_client, counselor):
    schema = SchemaGenerator().get_schema(request=None, public=True)["components"]["schemas"]
    with time_machine.travel(NOW, tick=False):
        session_type = busy_counselor(counselor, days=10)

        response = api_client.get(AVAILABILITY, {"session_type": session_type.pk})

    assert response.json()
    assert all(list(slot) == list(schema["AvailabilitySlot"]["properties"]) for slot in response.json())
