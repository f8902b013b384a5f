"""Start-up checks: a receipt must never print a malformed registration number."""

import re

from django.conf import settings
from django.core.checks import Error, register

REGISTRATION_NUMBER = re.compile(r"T\d{13}")


@register()
def invoice_registration_number_check(app_configs, **kwargs) -> list[Error]:
    if REGISTRATION_NUMBER.fullmatch(settings.PAYMENTS_INVOICE_REGISTRATION_NUMBER or ""):
        return []
    return [
        Error(
            "PAYMENTS_INVOICE_REGISTRATION_NUMBER must be 'T' followed by 13 digits "
            "(適格請求書発行事業者の登録番号).",
            id="payments.E001",
        )
    ]
