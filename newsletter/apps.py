from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NewsletterConfig(AppConfig):
    name = "newsletter"
    verbose_name = _("メール講座")

    def ready(self) -> None:
        # Registers the consent wording check, the outbox send check, the ESP tracking receiver, the
        # export section and demo step.
        from newsletter import checks, demo, exports, receivers, send_checks  # noqa: F401
