from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from django.utils.translation import gettext_lazy as _

from tinhso.api import api
from tinhso.monitoring import views as monitoring_views

admin.site.site_header = _("Tỉnh Số — Quản trị")
admin.site.site_title = "Tỉnh Số"

urlpatterns = [
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("api/", api.urls),
    path("tai-khoan/", include("tinhso.accounts.urls")),
    path("nhat-ky/", include("tinhso.web.audit_urls")),
    path("don-vi/", include("tinhso.orgs.urls")),
    path("dich-vu-cong/", include("tinhso.services.urls")),
    path("phan-anh/", include("tinhso.feedback.urls")),
    path("payments/", include("tinhso.payments.urls")),
    path("ky-so/", include("tinhso.signing.urls")),
    path("chuyen-doi-so/", include("tinhso.monitoring.urls")),
    path("minh-bach/", monitoring_views.transparency, name="transparency"),
    path("", include("tinhso.data.urls")),
    path("", include("tinhso.web.urls")),
]

handler403 = "tinhso.web.views.error_403"
handler404 = "tinhso.web.views.error_404"
handler500 = "tinhso.web.views.error_500"

if settings.DEBUG:  # pragma: no cover
    pass

if settings.DEMO:
    # DEMO ONLY: the sandbox identity provider standing in for VNeID (tinhso.accounts.sandbox)
    urlpatterns += [path("sandbox/vneid/", include("tinhso.accounts.sandbox"))]
