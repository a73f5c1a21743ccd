"""Authenticating, rate-limiting and authorising client systems at the gateway."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac

from django.conf import settings
from django.core.cache import cache
from django.utils import timezone
from django.utils.translation import gettext as _

from tinhso.data.models import (
    ApiKey,
    ClientSystem,
    Dataset,
    Grant,
    Resource,
)
from tinhso.data.services.common import _vn_date
from tinhso.data.services.sharing import KEY_PREFIX, apikey_hash

# --- authenticating and authorising client systems ------------------------------------------


class SharingError(Exception):
    def __init__(
        self,
        code: str,
        message: str,
        status: int,
        *,
        client: ClientSystem | None = None,
        key_prefix: str = "",
    ) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.status = status
        self.client = client
        self.key_prefix = key_prefix


def _check_key(key: ApiKey) -> tuple[ClientSystem, ApiKey]:
    now = timezone.now()
    if key.revoked_at is not None and key.revoked_at <= now:
        raise SharingError(
            "key_revoked",
            _("Khóa API đã bị thu hồi lúc %(t)s. Hãy dùng khóa mới của hệ thống.")
            % {"t": timezone.localtime(key.revoked_at).strftime("%H:%M %d/%m/%Y")},
            401,
            client=key.client,
            key_prefix=key.prefix,
        )
    if not key.client.is_active:
        raise SharingError(
            "client_disabled",
            _("Hệ thống kết nối đã bị ngừng."),
            403,
            client=key.client,
            key_prefix=key.prefix,
        )
    if key.last_used_at is None or now - key.last_used_at > dt.timedelta(minutes=1):
        ApiKey.objects.filter(pk=key.pk).update(last_used_at=now)
    return key.client, key


def lgsp_authenticate(*, raw_key: str) -> tuple[ClientSystem, ApiKey]:
    """The client system and key for a presented API key (or an OAuth2 access token issued
    at ``/lgsp/token``, see ``tinhso.data.oauth``), or ``SharingError``."""
    raw_key = (raw_key or "").strip()
    if not raw_key:
        raise SharingError(
            "missing_key",
            _("Thiếu khóa API: gửi trong header X-API-Key hoặc Authorization: Bearer."),
            401,
        )
    if not raw_key.startswith(KEY_PREFIX + "_"):
        return _token_authenticate(raw_key)
    parts = raw_key.split("_", 2)
    key = None
    if len(parts) == 3:
        key = ApiKey.objects.select_related("client__org_unit").filter(prefix=parts[1]).first()
    if key is None or not hmac.compare_digest(key.key_hash, apikey_hash(raw_key)):
        raise SharingError("invalid_key", _("Khóa API không hợp lệ."), 401)
    return _check_key(key)


def _token_authenticate(token: str) -> tuple[ClientSystem, ApiKey]:
    """An OAuth2 access token issued by django-oauth-toolkit (``tinhso.data.oauth``): valid,
    with the ``lgsp`` scope, and its API key still valid (revocation stops it at once)."""
    from oauth2_provider.models import get_access_token_model

    access = (
        get_access_token_model()
        .objects.select_related("lgsp__key__client__org_unit")
        .filter(token_checksum=hashlib.sha256(token.encode("utf-8")).hexdigest())
        .first()
    )
    link = getattr(access, "lgsp", None) if access is not None else None
    if access is None or link is None or not access.allow_scopes(["lgsp"]):
        raise SharingError("invalid_key", _("Khóa API không hợp lệ."), 401)
    if access.is_expired():
        raise SharingError("token_expired", _("Mã truy cập đã hết hạn."), 401)
    return _check_key(link.key)


def rate_limit() -> int:
    return int(getattr(settings, "DATA_LGSP_RATE_LIMIT", 120))


def lgsp_rate_check(*, client: ClientSystem) -> None:
    """At most ``DATA_LGSP_RATE_LIMIT`` requests per client per minute (the Django cache)."""
    window = int(timezone.now().timestamp() // 60)
    key = f"data:lgsp:rate:{client.pk}:{window}"
    cache.add(key, 0, timeout=120)
    try:
        count = cache.incr(key)
    except ValueError:  # evicted between add and incr
        cache.set(key, 1, timeout=120)
        count = 1
    if count > rate_limit():
        raise SharingError(
            "rate_limited",
            _("Vượt giới hạn %(n)s yêu cầu mỗi phút. Vui lòng thử lại sau.") % {"n": rate_limit()},
            429,
        )


def lgsp_token_scopes(*, raw_key: str) -> frozenset[str] | None:
    """The scopes of a presented OAuth2 access token; None for an API key (which reaches
    every current grant of its system)."""
    from oauth2_provider.models import get_access_token_model

    raw_key = (raw_key or "").strip()
    if not raw_key or raw_key.startswith(KEY_PREFIX + "_"):
        return None
    scope = (
        get_access_token_model()
        .objects.filter(token_checksum=hashlib.sha256(raw_key.encode("utf-8")).hexdigest())
        .values_list("scope", flat=True)
        .first()
    )
    return frozenset((scope or "").split())


def lgsp_authorise(
    *,
    client: ClientSystem,
    dataset: Dataset,
    resource: Resource | None = None,
    scopes: frozenset[str] | None = None,
) -> Grant:
    """The grant that lets ``client`` read ``dataset`` (or ``resource``) today, or the
    clearest reason why not. For dataset metadata (``resource=None``) a grant on any of its
    resources is enough; for rows, the grant must cover the dataset or that resource. With
    an access token, its scopes must also name the dataset (``dataset:<name>``)."""
    if scopes is not None and f"dataset:{dataset.name}" not in scopes:
        raise SharingError(
            "insufficient_scope",
            _(
                "Mã truy cập không bao gồm bộ dữ liệu “%(what)s”. Hãy xin mã truy cập mới "
                "(phạm vi dataset:%(name)s)."
            )
            % {"what": dataset.title, "name": dataset.name},
            403,
        )
    if dataset.archived_at is not None:
        raise SharingError(
            "dataset_archived",
            _("Bộ dữ liệu “%(what)s” đã được đơn vị chủ quản lưu trữ, không còn chia sẻ.")
            % {"what": dataset.title},
            410,
        )
    grants = list(Grant.objects.filter(client=client, dataset=dataset).order_by("-created_at"))
    if resource is not None:
        grants = [g for g in grants if g.resource_id in (None, resource.pk)]
    today = timezone.localdate()
    for g in grants:
        if g.revoked_at is None and g.valid_from <= today <= g.valid_until:
            return g
    if not grants:
        raise SharingError(
            "no_grant",
            _("Hệ thống “%(client)s” chưa được cấp quyền truy cập “%(what)s”.")
            % {"client": client.name, "what": resource.name if resource else dataset.title},
            403,
        )
    latest = grants[0]
    if latest.revoked_at is not None:
        raise SharingError(
            "grant_revoked",
            _("Quyền truy cập đã bị thu hồi ngày %(d)s.")
            % {"d": _vn_date(timezone.localtime(latest.revoked_at).date())},
            403,
        )
    if latest.valid_from > today:
        raise SharingError(
            "grant_not_started",
            _("Quyền truy cập có hiệu lực từ ngày %(d)s.") % {"d": _vn_date(latest.valid_from)},
            403,
        )
    raise SharingError(
        "grant_expired",
        _("Quyền truy cập đã hết hạn ngày %(d)s.") % {"d": _vn_date(latest.valid_until)},
        403,
    )
