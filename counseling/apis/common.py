from rest_framework import serializers
from rest_framework.response import Response

from core.pagination import PageNumberPagination


class MethodPermissionsMixin:
    """Per-method permission classes (``method_permissions = {"POST": (IsClient,)}``); others fall back
    to ``permission_classes``."""

    method_permissions: dict = {}

    def get_permissions(self):
        classes = self.method_permissions.get(self.request.method, self.permission_classes)
        return [permission() for permission in classes]


def paginated_response(*, request, view, queryset, serializer_class, context: dict | None = None) -> Response:
    paginator = PageNumberPagination()
    page = paginator.paginate_queryset(queryset, request, view=view)
    return paginator.get_paginated_response(serializer_class(page, many=True, context=context or {}).data)


class PersonSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    display_name = serializers.CharField()
    email = serializers.EmailField()


class PatternRefSerializer(serializers.Serializer):
    code = serializers.CharField()
    label_ja = serializers.CharField()
    label_en = serializers.CharField()


class FromToFilterSerializer(serializers.Serializer):
    """Adds the ``from`` and ``to`` query dates (names a class body cannot use) as date_from/date_to."""

    def get_fields(self):
        fields = super().get_fields()
        fields["from"] = serializers.DateField(required=False, source="date_from")
        fields["to"] = serializers.DateField(required=False, source="date_to")
        return fields
