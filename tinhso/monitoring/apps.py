from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MonitoringConfig(AppConfig):
    name = "tinhso.monitoring"
    label = "monitoring"
    verbose_name = _("Theo dõi chuyển đổi số")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from tinhso.monitoring import permissions  # noqa: F401
