from django.urls import path

from tinhso.signing import views

app_name = "signing"
urlpatterns = [
    path("xac-minh/", views.verify_page, name="verify"),
    path("ca-tinh.pem", views.ca_certificate, name="ca_certificate"),
]
