"""The access log of sensitive records: read only, for everyone."""

from django.contrib import admin
from django.db.models import QuerySet

from counseling.admin.common import ReadOnlyAdmin
from counseling.models import (
    AccessRecord,
)
from counseling.selectors.clients import counselor_client_q


@admin.register(AccessRecord)
class AccessRecordAdmin(ReadOnlyAdmin):
    """The access log, to read only: nobody adds, changes or deletes a record here."""

    list_display = ("at", "actor", "client", "object_type", "object_id", "action", "ip_address")
    list_filter = ("object_type", "action")
    list_select_related = ("actor", "client")
    search_fields = ("client__email", "client__display_name", "actor__email")
    date_hierarchy = "at"
    ordering = ("-at", "-id")
    actions = None

    def get_queryset(self, request) -> QuerySet:
        queryset = super().get_queryset(request)
        if request.user.is_superuser:
            return queryset
        return queryset.filter(counselor_client_q(counselor=request.user, client_field="client"))
