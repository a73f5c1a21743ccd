from django.apps import AppConfig
from django.utils.translation import gettext_lazy


class PaymentsConfig(AppConfig):
    name = "tinhso.payments"
    label = "payments"
    verbose_name = gettext_lazy("Thanh toán")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from tinhso.payments import panels, permissions  # noqa: F401
