from django.apps import AppConfig


class PaymentsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "payments"
    verbose_name = "お支払い"

    def ready(self) -> None:
        from payments import checks, exports  # noqa: F401  (the system checks and the personal-data section)
