"""Start-up check: the signup form can show a consent wording that states the settings in force."""

from django.core.checks import Error, register
from django.core.exceptions import ImproperlyConfigured

from newsletter.consent import consent_version_current


@register()
def consent_wording_check(app_configs, **kwargs) -> list[Error]:
    try:
        consent_version_current()
    except ImproperlyConfigured as error:
        return [
            Error(
                str(error),
                hint="A shown wording is never edited: a changed schedule or name needs a new version.",
                id="newsletter.E001",
            )
        ]
    return []
