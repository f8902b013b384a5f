from collections.abc import Callable
from typing import TypeVar

from django.db import transaction
from rest_framework import serializers

from core.pagination import paginated_response
from counseling.models import AccessRecord
from counseling.services.access import access_log

T = TypeVar("T")


class PatternRefSerializer(serializers.Serializer):
    code = serializers.CharField()
    label_ja = serializers.CharField()
    label_en = serializers.CharField()


def sensitive_page_response(*, request, view, queryset, serializer_class, context: dict | None = None):
    """A page of notes, intakes or worksheets with one access row (list) per object shown, written
    in the transaction that reads them."""

    def record(page: list) -> None:
        access_log(request, page, AccessRecord.Action.LIST)

    with transaction.atomic():
        return paginated_response(
            request=request,
            view=view,
            queryset=queryset,
            serializer_class=serializer_class,
            context=context,
            on_page=record,
        )


def sensitive_read(request, load: Callable[[], T]) -> T:
    """Loads one note, intake or worksheet with ``load`` (a scoped selector: 404 for others') and
    records the read in the same transaction."""
    with transaction.atomic():
        obj = load()
        access_log(request, obj, AccessRecord.Action.READ)
    return obj
