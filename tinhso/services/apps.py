from django.apps import AppConfig


class ServicesConfig(AppConfig):
    name = "tinhso.services"
    label = "services"
    default_auto_field = "django.db.models.BigAutoField"
    verbose_name = "Dịch vụ công"

    def ready(self) -> None:
        from tinhso.services import workflow  # noqa: F401  (registers permissions)
