"""Bare views: the JSON of two product endpoints, from the same queries, with no DRF and no serializer.

They are the baseline of ``bench.api``: a plain Django function view, a ``JsonResponse`` encoded as DRF's
renderer encodes (UTF-8, compact). What the product adds on top (DRF's request, permission and throttle
handling, input and output serializers, its renderer) is the difference the benchmark measures. The
reads are the domain's, not an API cost, so both sides make the same ones: the slot search
(``slot_list``, its session type fetched with ``.values()``) and the course list's page
(``course_list_page``, one statement that answers rows); `bench.api` checks that both answer the same
JSON.
"""

from datetime import date
from types import SimpleNamespace
from urllib.parse import urlencode

from django.http import Http404, JsonResponse
from django.utils import timezone

from counseling.models import SessionType
from counseling.selectors.availability import slot_list
from courses.models import PAYMENT_GUIDANCE_DEFAULT, Course, payment_guidance
from courses.selectors import course_list_page, enrollment_is_open

PAGE_SIZE = 20
_JSON = {"ensure_ascii": False, "separators": (",", ":")}


def _iso(moment, zone):
    """As DRF's DateTimeField writes it: in the current time zone, ISO 8601."""
    if moment is None:
        return None
    text = moment.astimezone(zone).isoformat()
    return text[:-6] + "Z" if text.endswith("+00:00") else text


def availability(request):
    try:
        session_type_id = int(request.GET["session_type"])
        date_from = date.fromisoformat(request.GET["from"])
        date_to = date.fromisoformat(request.GET["to"])
    except (KeyError, ValueError):
        return JsonResponse({"detail": "session_type, from and to are required"}, status=400)
    fields = ("id", "counselor_id", "format", "duration_minutes", "buffer_minutes", "active")
    row = SessionType.objects.filter(pk=session_type_id, active=True).values(*fields).first()
    if row is None:
        raise Http404
    slots = slot_list(session_type=SessionType(**row), date_from=date_from, date_to=date_to)
    zone = timezone.get_current_timezone()
    body = [{"start": _iso(slot.start, zone), "end": _iso(slot.end, zone)} for slot in slots]
    return JsonResponse(body, safe=False, json_dumps_params=_JSON)


def _page_link(request, page: int) -> str:
    query = request.GET.copy()
    if page == 1:
        query.pop("page", None)
    else:
        query["page"] = str(page)
    base = request.build_absolute_uri(request.path)
    return f"{base}?{urlencode(sorted(query.lists()), doseq=True)}" if query else base


def courses(request):
    try:
        page = int(request.GET.get("page", 1))
    except ValueError:
        raise Http404 from None
    if page < 1:
        raise Http404
    # The product's read of a page: the page's courses, their sessions and the list's length at once.
    count, rows = course_list_page(user=None, offset=(page - 1) * PAGE_SIZE, limit=PAGE_SIZE)
    if page > 1 and not rows:
        raise Http404
    zone, guidance = timezone.get_current_timezone(), str(PAYMENT_GUIDANCE_DEFAULT)
    results = []
    for row in rows:
        own = row["sessions"]
        results.append(
            {
                "id": row["id"],
                "title": row["title"],
                "description": row["description"],
                "format": row["format"],
                # Anonymous readers see a venue's address; an online course's link goes by email only.
                "location": row["location"] if row["format"] == Course.Format.VENUE else "",
                "capacity": row["capacity"],
                "price_jpy": row["price_jpy"],
                # The same rule as the API's field (a free course says nothing, a paid one always does).
                "payment_instructions": payment_guidance(
                    price_jpy=row["price_jpy"],
                    payment_instructions=row["payment_instructions"],
                    default=guidance,
                ),
                "status": row["status"],
                "enrollment_deadline": _iso(row["enrollment_deadline"], zone),
                "enrollment_open": enrollment_is_open(
                    course=SimpleNamespace(**row), sessions=[SimpleNamespace(**session) for session in own]
                ),
                "sessions": [
                    {
                        "id": item["id"],
                        "starts_at": _iso(item["starts_at"], zone),
                        "ends_at": _iso(item["ends_at"], zone),
                    }
                    for item in own
                ],
                "seats_left": max(row["capacity"] - row["confirmed_count"], 0),
                "waitlist_count": row["waitlist_count"],
            }
        )
    body = {
        "count": count,
        "next": _page_link(request, page + 1) if page * PAGE_SIZE < count else None,
        "previous": _page_link(request, page - 1) if page > 1 else None,
        "results": results,
    }
    return JsonResponse(body, json_dumps_params=_JSON)
