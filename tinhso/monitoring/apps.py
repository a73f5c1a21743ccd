from django.apps import AppConfig


class MonitoringConfig(AppConfig):
    name = "tinhso.monitoring"
    label = "monitoring"
    verbose_name = "Theo dõi chuyển đổi số"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from tinhso.monitoring import permissions  # noqa: F401
