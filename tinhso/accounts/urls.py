from django.contrib.auth import views as auth_views
from django.urls import path, reverse_lazy

from tinhso.accounts import views
from tinhso.accounts.forms import LoginForm

app_name = "accounts"
urlpatterns = [
    path(
        "dang-nhap/",
        auth_views.LoginView.as_view(
            template_name="accounts/login.html", authentication_form=LoginForm
        ),
        name="login",
    ),
    path("dang-xuat/", views.logout_view, name="logout"),
    path("dinh-danh/<slug:provider>/", views.oidc_start, name="oidc_start"),
    path("dinh-danh/<slug:provider>/callback/", views.oidc_callback, name="oidc_callback"),
    path("dinh-danh-lien-ket/", views.oidc_link, name="oidc_link"),
    path("dang-ky/", views.register, name="register"),
    path("dang-ky/da-nhan/", views.register_done, name="register_done"),
    path("cua-toi/", views.profile, name="profile"),
    path("dang-ky/doanh-nghiep/", views.register, {"kind": "business"}, name="register_business"),
    path(
        "quen-mat-khau/",
        auth_views.PasswordResetView.as_view(
            template_name="accounts/password_reset.html",
            email_template_name="accounts/password_reset_email.txt",
            subject_template_name="accounts/password_reset_subject.txt",
            success_url=reverse_lazy("accounts:password_reset_done"),
        ),
        name="password_reset",
    ),
    path(
        "quen-mat-khau/da-gui/",
        auth_views.PasswordResetDoneView.as_view(template_name="accounts/password_reset_done.html"),
        name="password_reset_done",
    ),
    path(
        "dat-lai-mat-khau/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(
            template_name="accounts/password_reset_confirm.html",
            success_url=reverse_lazy("accounts:password_reset_complete"),
        ),
        name="password_reset_confirm",
    ),
    path(
        "dat-lai-mat-khau/xong/",
        auth_views.PasswordResetCompleteView.as_view(
            template_name="accounts/password_reset_complete.html"
        ),
        name="password_reset_complete",
    ),
]
