from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "tinhso.web"
    label = "web"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from tinhso.web import checks  # noqa: F401 (registers the deployment checks)
