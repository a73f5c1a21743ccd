from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "tinhso.web"
    label = "web"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from django.contrib import admin

        from tinhso.audit.adminaudit import admin_audit_wrap
        from tinhso.web import checks  # noqa: F401 (registers the deployment checks)

        # the other packages' admins (registered by admin's autodiscover, which has run)
        admin_audit_wrap(
            admin.site,
            [
                "auth.Group",
                "axes.AccessAttempt",
                "axes.AccessLog",
                "axes.AccessFailureLog",
                "oauth2_provider.Application",
                "oauth2_provider.AccessToken",
                "oauth2_provider.Grant",
                "oauth2_provider.IDToken",
                "oauth2_provider.RefreshToken",
            ],
        )
