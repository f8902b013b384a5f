from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoursesConfig(AppConfig):
    name = "courses"
    verbose_name = _("心理学講座")

    def ready(self) -> None:
        # Registers the export section, the demo step and the outbox send check.
        from courses import demo, exports, notifications  # noqa: F401
