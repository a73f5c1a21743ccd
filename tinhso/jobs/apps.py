from django.apps import AppConfig


class JobsConfig(AppConfig):
    name = "tinhso.jobs"
    label = "jobs"
    default_auto_field = "django.db.models.BigAutoField"
    verbose_name = "Tác vụ nền"

    def ready(self) -> None:
        from tinhso.jobs import engine

        engine.signals_connect()
