from django.apps import AppConfig


class DataConfig(AppConfig):
    name = "tinhso.data"
    label = "data"
    default_auto_field = "django.db.models.BigAutoField"
    verbose_name = "Dữ liệu dùng chung"

    def ready(self) -> None:
        from tinhso.data import panels, permissions  # noqa: F401
