"""The access log of sensitive records: read only, for everyone."""

from django.contrib import admin
from django.db.models import Q, QuerySet

from counseling.admin.common import ReadOnlyAdmin
from counseling.models import (
    AccessRecord,
    SessionNote,
    Worksheet,
)
from counseling.selectors.intakes import intake_list


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
        # The records of what she may read herself, not of every client she shares with another
        # counselor: another counselor's reads of their own notes are theirs.
        user = request.user
        return queryset.filter(
            Q(
                object_type=AccessRecord.ObjectType.SESSION_NOTE,
                object_id__in=SessionNote.objects.filter(counselor=user).values("pk"),
            )
            | Q(
                object_type=AccessRecord.ObjectType.INTAKE,
                object_id__in=intake_list(user=user).prefetch_related(None).values("pk"),
            )
            | Q(
                object_type=AccessRecord.ObjectType.WORKSHEET,
                object_id__in=Worksheet.objects.filter(counselor=user).values("pk"),
            )
        )
