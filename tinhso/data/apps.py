from django.apps import AppConfig


class DataConfig(AppConfig):
    name = "tinhso.data"
    label = "data"
    default_auto_field = "django.db.models.BigAutoField"
