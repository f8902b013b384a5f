"""What the counselor's screens share: own records only, read-only screens, the access log of what a
screen shows, and actions run one object at a time through the services."""

from django.contrib import admin, messages
from django.db.models import QuerySet

from core.exceptions import ApplicationError
from counseling.models import (
    AccessRecord,
)
from counseling.services.access import access_log


class OwnRecordsAdmin(admin.ModelAdmin):
    """Scopes the screen to the signed-in counselor's records and fills in the counselor on create."""

    owner_field = "counselor"

    def get_queryset(self, request) -> QuerySet:
        queryset = super().get_queryset(request)
        if request.user.is_superuser:
            return queryset
        return queryset.filter(**{self.owner_field: request.user})

    def get_exclude(self, request, obj=None):
        if request.user.is_superuser:
            return super().get_exclude(request, obj)
        return (*(super().get_exclude(request, obj) or ()), self.owner_field)

    def save_model(self, request, obj, form, change):
        if not change and not getattr(obj, f"{self.owner_field}_id", None):
            setattr(obj, self.owner_field, request.user)
        super().save_model(request, obj, form, change)


def _run_on_each(modeladmin, request, queryset, action, done_message) -> None:
    done = 0
    for obj in queryset:
        try:
            action(obj)
        except ApplicationError as error:
            modeladmin.message_user(request, f"{obj}: {error.message}", messages.WARNING)
        else:
            done += 1
    if done:
        modeladmin.message_user(request, done_message % {"count": done}, messages.SUCCESS)


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


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
