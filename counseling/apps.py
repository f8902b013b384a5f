from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CounselingConfig(AppConfig):
    name = "counseling"
    verbose_name = _("カウンセリング")

    def ready(self) -> None:
        # Registers the export sections, the demo step, the note-key check and the outbox send checks
        # for booking mail.
        from counseling import checks, demo, exports  # noqa: F401
        from counseling.services import booking_mail, series_mail  # noqa: F401
