from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "tinhso.audit"
    label = "audit"
    default_auto_field = "django.db.models.BigAutoField"
    verbose_name = "Nhật ký"
