from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FeedbackConfig(AppConfig):
    name = "tinhso.feedback"
    label = "feedback"
    default_auto_field = "django.db.models.BigAutoField"
    verbose_name = _("Phản ánh, kiến nghị")

    def ready(self) -> None:
        from tinhso.feedback import panels, permissions  # noqa: F401  (registers them)
