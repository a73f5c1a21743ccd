from django.urls import path

from tinhso.web import views

app_name = "web"
urlpatterns = [
    path("", views.home, name="home"),
    path("trang-cua-toi/", views.dashboard, name="dashboard"),
    path("healthz", views.healthz, name="healthz"),
    path("favicon.ico", views.favicon),
    path("robots.txt", views.robots_txt, name="robots"),
    path("tro-giup/", views.help_page, name="help"),
]
