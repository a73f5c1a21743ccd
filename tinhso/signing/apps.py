from django.apps import AppConfig


class SigningConfig(AppConfig):
    name = "tinhso.signing"
    label = "signing"
    verbose_name = "Ký số"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from tinhso.signing import permissions  # noqa: F401
