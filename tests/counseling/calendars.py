"""What every .ics of the product must meet: times a calendar cannot misread."""

from datetime import datetime

from icalendar import Calendar


def assert_unambiguous_event(ics: bytes, *, start: datetime, end: datetime | None = None) -> None:
    """The calendar holds one VEVENT whose DTSTART/DTEND are UTC (``…Z``) or name a TZID that the
    calendar's own VTIMEZONE defines, and whose DTSTART is ``start`` (DTEND ``end``), as instants.

    Fails on floating times (no zone at all) and on a fixed-offset TZID such as ``UTC+09:00`` that
    no VTIMEZONE defines, which calendars read as floating time.
    """
    calendar = Calendar.from_ical(ics)
    [event] = calendar.walk("VEVENT")
    assert_unambiguous_times(calendar)
    assert event.decoded("DTSTART") == start
    if end is not None:
        assert event.decoded("DTEND") == end


def assert_unambiguous_times(calendar: Calendar) -> None:
    zones = {str(zone["TZID"]) for zone in calendar.walk("VTIMEZONE")}
    for event in calendar.walk("VEVENT"):
        for name in ("DTSTART", "DTEND"):
            if name not in event:
                continue
            prop = event[name]
            tzid = prop.params.get("TZID")
            if tzid is None:
                assert prop.to_ical().endswith(b"Z"), f"{name} is floating: {prop.to_ical()!r}"
            else:
                assert tzid in zones, f"{name} names TZID {tzid!r}, which no VTIMEZONE defines"
            assert event.decoded(name).tzinfo is not None, f"{name} has no time zone"
