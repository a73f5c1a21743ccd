from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class JobsConfig(AppConfig):
    name = "tinhso.jobs"
    label = "jobs"
    default_auto_field = "django.db.models.BigAutoField"
    verbose_name = _("Tác vụ nền")

    def ready(self) -> None:
        from tinhso.jobs import engine

        engine.signals_connect()
