"""What the counselor's screens share: own records only, read-only screens, the access log of what a
screen shows, and actions run one object at a time through the services."""

from django.contrib import admin

from core.admin import OwnRecordsAdmin as OwnRecordsAdmin
from core.admin import ReadOnlyAdmin as ReadOnlyAdmin
from counseling.models import (
    AccessRecord,
)
from counseling.services.access import access_log


class AccessLoggedAdmin(admin.ModelAdmin):
    """Records in the access log every object a list page or a detail page shows."""

    def get_changelist_instance(self, request):
        changelist = super().get_changelist_instance(request)
        # list() evaluates the page once; the template then reads the same cached rows.
        shown = list(changelist.result_list)
        access_log(request, shown, AccessRecord.Action.LIST)
        return changelist

    def get_object(self, request, object_id, from_field=None):
        obj = super().get_object(request, object_id, from_field)
        # A POST is a write, which its service records.
        if obj is not None and request.method == "GET":
            access_log(request, obj, AccessRecord.Action.READ)
        return obj
