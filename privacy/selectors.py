"""Which privacy policy applies, and how a version is named to people."""

from datetime import date

from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from privacy.models import PrivacyPolicy


def privacy_policy_current(*, on: date | None = None) -> PrivacyPolicy:
    """The version in force on ``on`` (today in the practice's time zone): the latest that has begun."""
    on = on or timezone.localdate()
    policy = PrivacyPolicy.objects.filter(version__lte=on).order_by("-version").first()
    # Before the first version's date, the first version is what a reader is shown.
    policy = policy or PrivacyPolicy.objects.order_by("version").first()
    if policy is None:
        raise PrivacyPolicy.DoesNotExist("No privacy policy: the data migration adds the first version.")
    return policy


def privacy_policy_list():
    return PrivacyPolicy.objects.order_by("-version").only("version")


def version_label(version: date | str) -> str:
    """「2025年4月1日版」: how a version (the date it applies from) is named on pages and in forms."""
    if isinstance(version, str):
        version = date.fromisoformat(version)
    return _("%(date)s版") % {"date": date_format(version, _("Y年n月j日"))}
