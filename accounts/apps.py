from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = _("アカウント")

    def ready(self) -> None:
        from accounts import demo, exports  # noqa: F401  (registers the export section and demo step)
