from django.apps import AppConfig
from django.utils.translation import gettext_lazy


class ServicesConfig(AppConfig):
    name = "tinhso.services"
    label = "services"
    default_auto_field = "django.db.models.BigAutoField"
    verbose_name = gettext_lazy("Dịch vụ công")

    def ready(self) -> None:
        from tinhso.payments.services import payment_success_register
        from tinhso.services import workflow  # noqa: F401  (registers permissions)
        from tinhso.services.services import FEE_PURPOSE, on_fee_paid

        # payments knows nothing of dossiers: it calls this back inside the transaction
        # that records a paid fee (IPN, status query or cash at the counter).
        payment_success_register(FEE_PURPOSE, on_fee_paid)
