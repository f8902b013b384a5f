from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OutboxConfig(AppConfig):
    name = "outbox"
    verbose_name = _("送信メール")

    def ready(self) -> None:
        # Registers the send tasks, which the services look up by name.
        from outbox import tasks  # noqa: F401
