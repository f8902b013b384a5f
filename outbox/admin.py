from django.contrib import admin

from outbox.models import OutboundEmail


@admin.register(OutboundEmail)
class OutboundEmailAdmin(admin.ModelAdmin):
    """Read-only: the outbox is a record of what the system sent; it is changed only by sending."""

    list_display = ("created_at", "kind", "recipient", "subject", "status", "attempts", "sent_at")
    list_filter = ("status", "kind", "created_at")
    search_fields = ("recipient", "subject", "dedupe_key")
    date_hierarchy = "created_at"
    ordering = ("-created_at",)
    list_per_page = 50

    def get_readonly_fields(self, request, obj=None):
        return [field.name for field in self.model._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
