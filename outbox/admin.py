from django.contrib import admin

from outbox.models import OutboundEmail

# What was sent, to whom, when and how it went: never the body, headers, attachments or dedupe key.
# Bodies hold verification, password-reset, unsubscribe and cancel links; whoever reads one holds
# the key it carries (the owner's reset link is the owner's account).
METADATA_FIELDS = (
    "created_at",
    "kind",
    "recipient",
    "from_email",
    "subject",
    "status",
    "attempts",
    "last_error",
    "queued_at",
    "sent_at",
    "carries_secret",
)


@admin.register(OutboundEmail)
class OutboundEmailAdmin(admin.ModelAdmin):
    """The outbox for the practice owner (superusers) alone, read-only and metadata only.

    The outbox holds every counselor's clients' mail, so no counselor's permissions open it.
    """

    list_display = ("created_at", "kind", "recipient", "subject", "status", "attempts", "sent_at")
    list_filter = ("status", "kind", "created_at")
    search_fields = ("recipient", "subject")
    date_hierarchy = "created_at"
    ordering = ("-created_at",)
    list_per_page = 50
    fields = METADATA_FIELDS
    readonly_fields = METADATA_FIELDS
    actions = None

    def get_queryset(self, request):
        return super().get_queryset(request).defer(*OutboundEmail.SECRET_FIELDS, "dedupe_key", "context")

    def has_module_permission(self, request) -> bool:
        return request.user.is_active and request.user.is_superuser

    def has_view_permission(self, request, obj=None) -> bool:
        return request.user.is_active and request.user.is_superuser

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
