from django.apps import AppConfig
from django.utils.translation import gettext_lazy


class SigningConfig(AppConfig):
    name = "tinhso.signing"
    label = "signing"
    verbose_name = gettext_lazy("Ký số")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from tinhso.signing import permissions  # noqa: F401
