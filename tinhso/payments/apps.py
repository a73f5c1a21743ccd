from django.apps import AppConfig


class PaymentsConfig(AppConfig):
    name = "tinhso.payments"
    label = "payments"
    verbose_name = "Thanh toán"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from tinhso.payments import panels, permissions  # noqa: F401
