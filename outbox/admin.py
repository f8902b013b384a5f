from django.contrib import admin

from core.admin import OwnerOnlyReadOnlyAdmin
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
class OutboundEmailAdmin(OwnerOnlyReadOnlyAdmin):
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

    def get_queryset(self, request):
        return super().get_queryset(request).defer(*OutboundEmail.SECRET_FIELDS, "dedupe_key", "context")
