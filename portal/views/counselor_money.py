"""The counselor's money: what is unpaid, transfers to confirm, refunds to make, and the monthly CSV."""

from datetime import date

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from core.csv_export import csv_response
from core.exceptions import ApplicationError
from core.localtime import local_date, local_minute
from payments import selectors
from payments.services.receipts import consumption_tax_included
from payments.services.refunds import refund_mark_made
from payments.services.settlement import payment_mark_received
from portal.access import counselor_required

CSV_HEADER = (
    "日付",
    "お客様",
    "内容",
    "金額（円）",
    "うち消費税（円）",
    "種類",
    "お支払い方法",
    "領収書番号",
)


def _month(value: str) -> date | None:
    try:
        year, month = (int(part) for part in value.split("-"))
        return date(year, month, 1) if 2000 <= year <= 2100 else None
    except ValueError:
        return None


@counselor_required
@require_GET
def money(request):
    view = selectors.money_view(counselor=request.user)
    today = local_date(timezone.now())
    return render(
        request,
        "counselor/money.html",
        {"view": view, "this_month": f"{today:%Y-%m}"},
    )


def _act(request, action, done: str):
    """Runs the service; its refusal (already done, not hers) is shown on the money page."""
    try:
        action()
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, done)
    return redirect("counselor:money")


@counselor_required
@require_POST
def payment_received(request, payment_id: int):
    payment = selectors.payment_get_for_counselor(payment_id=payment_id, counselor=request.user)
    return _act(
        request,
        lambda: payment_mark_received(payment=payment, actor=request.user),
        _("入金を記録し、領収書をお送りしました。"),
    )


@counselor_required
@require_POST
def refund_made(request, refund_id: int):
    refund = selectors.refund_get_for_counselor(refund_id=refund_id, counselor=request.user)
    return _act(
        request, lambda: refund_mark_made(refund=refund, actor=request.user), _("返金を記録しました。")
    )


@counselor_required
@require_GET
def money_export(request):
    """One month's money movements for the accountant: a payment in, a refund out, one row each."""
    month = _month(request.GET.get("month", ""))
    if month is None:
        view = selectors.money_view(counselor=request.user)
        today = local_date(timezone.now())
        return render(
            request,
            "counselor/money.html",
            {
                "view": view,
                "this_month": f"{today:%Y-%m}",
                "error": _("月は YYYY-MM の形で指定してください。"),
            },
            status=400,
        )
    entries = selectors.ledger_month(counselor=request.user, month=month)

    def rows():
        for entry in entries.iterator(chunk_size=500):
            payment = entry.payment
            receipt = getattr(payment, "receipt", None)
            tax = consumption_tax_included(abs(entry.amount_jpy))
            yield (
                local_minute(entry.at),
                payment.payer_name,
                payment.description,
                entry.amount_jpy,
                tax if entry.amount_jpy > 0 else -tax,
                entry.get_kind_display(),
                payment.get_method_display(),
                receipt.display_number if receipt else "",
            )

    return csv_response(filename=f"money-{month:%Y-%m}.csv", rows=rows(), header=CSV_HEADER)
