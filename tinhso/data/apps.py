from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DataConfig(AppConfig):
    name = "tinhso.data"
    label = "data"
    default_auto_field = "django.db.models.BigAutoField"
    verbose_name = _("Dữ liệu dùng chung")

    def ready(self) -> None:
        from tinhso.data import panels, permissions  # noqa: F401
