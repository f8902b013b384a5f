"""What every admin screen a counselor can open shares: her own records, and nobody else's."""

from django.contrib import admin, messages
from django.db.models import QuerySet

from core.exceptions import ApplicationError


class OwnRecordsAdmin(admin.ModelAdmin):
    """Scopes the screen to the signed-in counselor's records and fills in the counselor on create.

    ``owner_field`` is the path to the owning counselor ("counselor", "course__counselor"). The
    queryset is what the change, delete and history pages and every action look objects up in, so
    another counselor's object is "not found" everywhere. A superuser (the practice owner) sees all.
    """

    owner_field = "counselor"

    def get_queryset(self, request) -> QuerySet:
        queryset = super().get_queryset(request)
        if request.user.is_superuser:
            return queryset
        return queryset.filter(**{self.owner_field: request.user})

    def get_exclude(self, request, obj=None):
        if request.user.is_superuser or "__" in self.owner_field:
            return super().get_exclude(request, obj)
        return (*(super().get_exclude(request, obj) or ()), self.owner_field)

    def save_model(self, request, obj, form, change):
        if not change and "__" not in self.owner_field and not getattr(obj, f"{self.owner_field}_id", None):
            setattr(obj, self.owner_field, request.user)
        super().save_model(request, obj, form, change)


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


def run_on_each(modeladmin, request, queryset, action, done_message) -> None:
    """Runs ``action`` (a service) on each selected object; a refusal is reported, the rest go on."""
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


class OwnerOnlyReadOnlyAdmin(ReadOnlyAdmin):
    """A read-only screen for the practice's owner (superusers) alone: what it lists spans every
    counselor's clients, so no counselor's permissions open it."""

    actions = None

    def has_module_permission(self, request) -> bool:
        return request.user.is_active and request.user.is_superuser

    def has_view_permission(self, request, obj=None) -> bool:
        return request.user.is_active and request.user.is_superuser
