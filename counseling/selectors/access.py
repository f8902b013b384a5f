from django.db.models import QuerySet
from django.http import Http404

from counseling.models import AccessRecord
from counseling.selectors.clients import client_is_counselors


def access_record_list_for_client(*, counselor, client_id: int) -> QuerySet[AccessRecord]:
    """Who read or wrote the records of one of ``counselor``'s clients, newest first (404 otherwise)."""
    if not client_is_counselors(client_id=client_id, counselor=counselor):
        raise Http404
    return AccessRecord.objects.filter(client_id=client_id).select_related("actor").order_by("-at", "-id")
