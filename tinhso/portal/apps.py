from django.apps import AppConfig


class PortalConfig(AppConfig):
    name = "tinhso.portal"
    label = "portal"
    default_auto_field = "django.db.models.BigAutoField"
    verbose_name = "Cổng Dịch vụ công quốc gia"
