"""OpenID Connect relying party: the configured providers (national single sign-on, the
province's directory) as Authlib clients, and the mapping of their claims.

Authlib does the protocol: discovery, authorization code flow with PKCE (S256), ``state``
and ``nonce`` kept in the session, the ID token's signature against the provider's JWKS
(fetched again when an unknown key id appears: key rotation), issuer, audience, expiry and
nonce checks, UserInfo, RP-initiated logout. Nothing here handles a JWT by hand.

Claims seen in public integrations of the national single sign-on (FACTS.md): SoDinhDanh,
HoVaTen, NgayThangNamSinh, LoaiTaiKhoan (1 citizen, 2 business), MaSoThue, TenDoanhNghiep,
``acr`` for the level. They are not an official specification, so the mapping is a setting
(``OIDC_<NAME>_CLAIMS``, JSON {field: claim}).
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
from dataclasses import dataclass, field
from typing import Any

from authlib.integrations.django_client import DjangoOAuth2App, OAuth
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

DEFAULT_CLAIMS: dict[str, str] = {
    "citizen_id": "SoDinhDanh",
    "full_name": "HoVaTen",
    "date_of_birth": "NgayThangNamSinh",
    "level": "acr",
    "account_type": "LoaiTaiKhoan",
    "tax_code": "MaSoThue",
    "business_name": "TenDoanhNghiep",
    "email": "ThuDienTu",
    "phone": "SoDienThoai",
}
OFFICIALS_CLAIMS: dict[str, str] = {"level": "acr", "email": "email", "full_name": "name"}
LABELS = {"vneid": _("Đăng nhập bằng VNeID"), "officials": _("Đăng nhập cán bộ (SSO của tỉnh)")}


@dataclass(frozen=True)
class ProviderConfig:
    name: str
    label: str
    discovery_url: str
    client_id: str
    client_secret: str
    scope: str = "openid profile"
    acr_values: str = ""
    min_level: int = 1
    claims: dict[str, str] = field(default_factory=dict)
    officials: bool = False  # the province's directory: links officials' accounts only

    @property
    def key(self) -> tuple[Any, ...]:
        return (self.name, self.discovery_url, self.client_id, self.client_secret, self.scope)


def _env(name: str, key: str, default: str = "") -> str:
    return os.environ.get(f"OIDC_{name.upper()}_{key}", default)


def _sandbox_defaults(name: str) -> dict[str, str]:
    """DEMO ONLY: the VNEID provider of `make demo` is the in-platform sandbox."""
    if name != "vneid" or not getattr(settings, "OIDC_SANDBOX", False):
        return {}
    from tinhso.accounts import sandbox

    return sandbox.client_settings()


def providers() -> dict[str, ProviderConfig]:
    """The configured providers (those with a discovery URL and a client id), by name.
    ``settings.OIDC_PROVIDERS`` (a dict of dicts, tests) overrides the environment."""
    raw: dict[str, dict[str, Any]] | None = getattr(settings, "OIDC_PROVIDERS", None)
    if raw is None:
        raw = {}
        for name in getattr(settings, "OIDC_PROVIDER_NAMES", []):
            conf: dict[str, Any] = dict(_sandbox_defaults(name))
            for key in ("DISCOVERY_URL", "CLIENT_ID", "CLIENT_SECRET", "SCOPE", "ACR_VALUES"):
                value = _env(name, key)
                if value:
                    conf[key.lower()] = value
            if _env(name, "MIN_LEVEL"):
                conf["min_level"] = int(_env(name, "MIN_LEVEL"))
            if _env(name, "CLAIMS"):
                try:
                    conf["claims"] = json.loads(_env(name, "CLAIMS"))
                except ValueError as exc:
                    raise ImproperlyConfigured(f"OIDC_{name.upper()}_CLAIMS: {exc}") from exc
            if _env(name, "LABEL"):
                conf["label"] = _env(name, "LABEL")
            raw[name] = conf
    result = {}
    for name, conf in raw.items():
        if not conf.get("discovery_url") or not conf.get("client_id"):
            continue
        officials = bool(conf.get("officials", name == "officials"))
        defaults = OFFICIALS_CLAIMS if officials else DEFAULT_CLAIMS
        result[name] = ProviderConfig(
            name=name,
            label=str(conf.get("label") or LABELS.get(name, name)),
            discovery_url=conf["discovery_url"],
            client_id=conf["client_id"],
            client_secret=conf.get("client_secret", ""),
            scope=conf.get("scope") or "openid profile",
            acr_values=conf.get("acr_values", ""),
            min_level=int(conf.get("min_level", 1)),
            claims={**defaults, **(conf.get("claims") or {})},
            officials=officials,
        )
    return result


def provider_get(name: str) -> ProviderConfig | None:
    return providers().get(name)


_clients: dict[tuple[Any, ...], DjangoOAuth2App] = {}


def client_for(conf: ProviderConfig) -> DjangoOAuth2App:
    """The Authlib client of a provider (kept per configuration: it caches the discovery
    document and the JWKS, fetched again on an unknown key id)."""
    app = _clients.get(conf.key)
    if app is None:
        registry = OAuth()
        app = registry.register(
            name=conf.name,
            client_id=conf.client_id,
            client_secret=conf.client_secret,
            server_metadata_url=conf.discovery_url,
            client_kwargs={
                "scope": conf.scope,
                "code_challenge_method": "S256",
                "token_endpoint_auth_method": "client_secret_post",
                "default_timeout": 10,
            },
        )
        _clients[conf.key] = app
    return app


@dataclass(frozen=True)
class Identity:
    """What a provider asserts about the person, after the claims mapping."""

    provider: str
    subject: str
    level: int
    citizen_id: str = ""
    full_name: str = ""
    date_of_birth: dt.date | None = None
    is_business: bool = False
    tax_code: str = ""
    business_name: str = ""
    email: str = ""
    phone: str = ""

    def session_data(self) -> dict[str, Any]:
        data = self.__dict__.copy()
        data["date_of_birth"] = self.date_of_birth.isoformat() if self.date_of_birth else None
        return data

    @classmethod
    def from_session(cls, data: dict[str, Any]) -> Identity:
        data = dict(data)
        dob = data.get("date_of_birth")
        data["date_of_birth"] = dt.date.fromisoformat(dob) if dob else None
        return cls(**data)


def level_parse(value: Any) -> int:
    """``acr`` as seen: "LoA2", "2", "urn:…:loa2", 2 → 2; anything else → 0."""
    if isinstance(value, int):
        return value
    found = re.findall(r"\d+", str(value or ""))
    return int(found[-1]) if found else 0


def date_parse(value: Any) -> dt.date | None:
    text = str(value or "").strip()
    for fmt in ("%d/%m/%Y", "%Y-%m-%d", "%d-%m-%Y", "%Y%m%d"):
        try:
            return dt.datetime.strptime(text, fmt).replace(tzinfo=dt.UTC).date()
        except ValueError:
            continue
    return None


def identity_from_claims(conf: ProviderConfig, claims: dict[str, Any]) -> Identity:
    def get(name: str) -> str:
        claim = conf.claims.get(name)
        value = claims.get(claim) if claim else None
        return "" if value is None else str(value).strip()

    account_type = get("account_type")
    return Identity(
        provider=conf.name,
        subject=str(claims.get("sub", "")),
        level=level_parse(claims.get(conf.claims.get("level", "acr"), "")),
        citizen_id=re.sub(r"\s", "", get("citizen_id")),
        full_name=get("full_name"),
        date_of_birth=date_parse(get("date_of_birth")),
        is_business=account_type == "2",
        tax_code=re.sub(r"[\s-]", "", get("tax_code")),
        business_name=get("business_name"),
        email=get("email"),
        phone=get("phone"),
    )
