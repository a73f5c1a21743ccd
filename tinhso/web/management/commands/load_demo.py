from __future__ import annotations

import importlib
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand

from tinhso.accounts.demo import DEMO_LOGINS, DEMO_PASSWORD

# Order follows the dependencies between apps.
DEMO_APPS = [
    "orgs",
    "accounts",
    "payments",
    "signing",
    "services",
    "services.studio",  # after the services demo: forms published in the procedure studio
    "feedback",
    "monitoring",
    "data",
    "web",
]


class Command(BaseCommand):
    help = "Nạp dữ liệu trình diễn (idempotent) và in các tài khoản demo."

    def handle(self, *args: Any, **options: Any) -> None:
        for app in DEMO_APPS:
            try:
                module = importlib.import_module(f"tinhso.{app}.demo")
            except ModuleNotFoundError as exc:
                if exc.name == f"tinhso.{app}.demo":
                    continue
                raise
            self.stdout.write(f"Dữ liệu demo: {app}")
            module.demo_load(stdout=self.stdout)
            history = getattr(module, "demo_history", None)  # services: generated dossiers
            if history is not None:
                history(stdout=self.stdout)
        if settings.OIDC_SANDBOX:  # DEMO ONLY: the identity sandbox standing in for VNeID
            from tinhso.accounts.sandbox import sandbox_demo_load

            sandbox_demo_load(stdout=self.stdout)
        self.stdout.write("")
        self.stdout.write(self.style.SUCCESS(f"Tài khoản demo (mật khẩu: {DEMO_PASSWORD}):"))
        for username, label in DEMO_LOGINS:
            self.stdout.write(f"  {username:<14} {label}")
