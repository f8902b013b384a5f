"""Money in the admin: to read, scoped like the pages (a counselor sees her own practice's money).

Nothing here changes money directly: the two actions run the same services as the counselor's money
page, and the ledger and Stripe's events are never edited.
"""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from core.admin import OwnerOnlyReadOnlyAdmin, OwnRecordsAdmin, ReadOnlyAdmin, run_on_each
from payments.models import LedgerEntry, Payment, Receipt, Refund, StripeEvent
from payments.services.refunds import refund_mark_made
from payments.services.settlement import payment_mark_received


class ReadOnlyOwnRecordsAdmin(ReadOnlyAdmin, OwnRecordsAdmin):
    """Her own money, to read: it changes only through the services (the actions below)."""


@admin.register(Payment)
class PaymentAdmin(ReadOnlyOwnRecordsAdmin):
    list_display = (
        "reference",
        "payer_name",
        "description",
        "amount_jpy",
        "method",
        "status",
        "due_at",
        "paid_at",
    )
    list_filter = ("status", "method")
    list_select_related = ("counselor",)
    search_fields = ("reference", "payer_name", "payer_email", "description")
    actions = ["mark_received"]

    @admin.action(description=_("入金を確認した（銀行振込・当日払い）"), permissions=["view"])
    def mark_received(self, request, queryset):
        run_on_each(
            self,
            request,
            queryset,
            lambda payment: payment_mark_received(payment=payment, actor=request.user),
            _("%(count)d件の入金を記録しました。"),
        )


@admin.register(Refund)
class RefundAdmin(ReadOnlyOwnRecordsAdmin):
    owner_field = "payment__counselor"
    list_display = ("payment", "amount_jpy", "reason", "status", "done_at")
    list_filter = ("status", "reason")
    list_select_related = ("payment",)
    actions = ["mark_made"]

    @admin.action(description=_("返金した（手続き済み）"), permissions=["view"])
    def mark_made(self, request, queryset):
        run_on_each(
            self,
            request,
            queryset,
            lambda refund: refund_mark_made(refund=refund, actor=request.user),
            _("%(count)d件の返金を記録しました。"),
        )


@admin.register(Receipt)
class ReceiptAdmin(ReadOnlyOwnRecordsAdmin):
    owner_field = "payment__counselor"
    list_display = ("number", "recipient_name", "description", "amount_jpy", "tax_jpy", "issued_at", "copies")
    list_select_related = ("payment",)
    search_fields = ("recipient_name", "description")
    actions = None


@admin.register(LedgerEntry)
class LedgerEntryAdmin(ReadOnlyOwnRecordsAdmin):
    """The ledger, to read only: append-only in the database as well."""

    list_display = ("at", "kind", "amount_jpy", "method", "payment", "external_id")
    list_filter = ("kind", "method")
    list_select_related = ("payment",)
    date_hierarchy = "at"
    actions = None


@admin.register(StripeEvent)
class StripeEventAdmin(OwnerOnlyReadOnlyAdmin):
    """Every Stripe event received, for the practice's owner: it names every client who paid."""

    list_display = ("received_at", "event_id", "type", "created")
    search_fields = ("event_id", "type")
