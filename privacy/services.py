"""Publishing a privacy policy version: always a new row, never an edit."""

from datetime import date

from django.db import transaction
from django.utils.translation import gettext as _

from core.exceptions import ApplicationError
from privacy.models import PrivacyPolicy


@transaction.atomic
def privacy_policy_publish(*, version: date, body: str, body_en: str = "") -> PrivacyPolicy:
    """Adds a version that applies from ``version`` on; earlier versions stay as they were."""
    if not body.strip():
        raise ApplicationError(_("本文を入力してください。"), extra={"body": [_("入力してください。")]})
    if PrivacyPolicy.objects.filter(version=version).exists():
        raise ApplicationError(
            _("この日付の版は既にあります。改訂は新しい日付の版として追加してください。"),
            extra={"version": [_("既にある版です。")]},
        )
    policy = PrivacyPolicy(version=version, body=body.strip(), body_en=body_en.strip())
    policy.full_clean()
    policy.save()
    return policy
