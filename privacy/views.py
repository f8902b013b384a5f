"""The privacy policy page: the version in force, or any earlier one by its date."""

from datetime import date

from django.http import Http404
from django.shortcuts import render
from django.utils import translation
from django.views.decorators.http import require_GET

from newsletter.rendering import markdown_to_html
from privacy import selectors
from privacy.models import PrivacyPolicy


@require_GET
def privacy_policy_view(request, version: str | None = None):
    if version is None:
        policy = selectors.privacy_policy_current()
    else:
        try:
            policy = PrivacyPolicy.objects.get(version=date.fromisoformat(version))
        except (ValueError, PrivacyPolicy.DoesNotExist):
            raise Http404 from None
    english = (translation.get_language() or "").startswith("en") and bool(policy.body_en)
    return render(
        request,
        "privacy/policy.html",
        {
            "policy": policy,
            "label": selectors.version_label(policy.version),
            "body_html": markdown_to_html(policy.body_en if english else policy.body),
            "english": english,
            "current": selectors.privacy_policy_current(),
            "versions": [
                (item.version, selectors.version_label(item.version))
                for item in selectors.privacy_policy_list()
            ],
        },
    )
