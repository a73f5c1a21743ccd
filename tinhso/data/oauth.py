"""OAuth2 client credentials for the LGSP sharing API, on django-oauth-toolkit.

A client system authenticates at ``/api/v1/data/lgsp/token`` with its code as ``client_id``
and one of its API keys as ``client_secret`` (HTTP Basic or form body): the keys keep their
rotation and revocation. The toolkit issues and stores the access token; its scopes are
``lgsp`` and ``dataset:<name>`` for each dataset the client's grants cover at issue time.
Each token remembers the key it came from (``LgspToken``), so revoking the key or disabling
the system stops its tokens at once (checked on every request in ``lgsp_authenticate``).
"""

from __future__ import annotations

import base64
from typing import Any
from urllib.parse import unquote_plus

from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from oauth2_provider.models import get_application_model
from oauth2_provider.oauth2_validators import OAuth2Validator
from oauth2_provider.views import TokenView
from oauthlib.oauth2 import BackendApplicationServer

from tinhso.data.models import ClientSystem, Grant, LgspToken

BASE_SCOPE = "lgsp"


def client_scopes(*, client: ClientSystem) -> list[str]:
    """``lgsp`` and one ``dataset:<name>`` per dataset an active grant covers today."""
    today = timezone.localdate()
    names = (
        Grant.objects.filter(
            client=client, revoked_at__isnull=True, valid_from__lte=today, valid_until__gte=today
        )
        .values_list("dataset__name", flat=True)
        .distinct()
    )
    return [BASE_SCOPE, *sorted(f"dataset:{n}" for n in names)]


def _application_for(client: ClientSystem) -> Any:
    """The toolkit's application record of a client system (created on first use)."""
    app_model = get_application_model()
    app, _created = app_model.objects.get_or_create(
        client_id=client.code,
        defaults={
            "name": client.name[:255],
            "client_type": app_model.CLIENT_CONFIDENTIAL,
            "authorization_grant_type": app_model.GRANT_CLIENT_CREDENTIALS,
            "redirect_uris": "",
        },
    )
    return app


class LgspValidator(OAuth2Validator):
    def _credentials(self, request: Any) -> tuple[str, str]:
        basic = self._extract_basic_auth(request)
        if basic:
            try:
                client_id, _sep, secret = base64.b64decode(basic).decode("utf-8").partition(":")
            except ValueError:
                return "", ""
            return unquote_plus(client_id), unquote_plus(secret)
        return request.client_id or "", request.client_secret or ""

    def authenticate_client(self, request: Any, *args: Any, **kwargs: Any) -> bool:
        from tinhso.data.services import SharingError, lgsp_authenticate

        client_id, secret = self._credentials(request)
        if not secret.startswith("tsk_"):
            return False  # an API key, never an access token
        try:
            client, key = lgsp_authenticate(raw_key=secret)
        except SharingError:
            return False
        if client.code != client_id:
            return False
        request.client = _application_for(client)
        request.client_id = client.code
        request.lgsp_client = client
        request.lgsp_key = key
        return True

    def authenticate_client_id(
        self, client_id: str, request: Any, *args: Any, **kwargs: Any
    ) -> bool:
        return False  # every LGSP client is confidential

    def get_default_scopes(
        self, client_id: str, request: Any, *args: Any, **kwargs: Any
    ) -> list[str]:
        return client_scopes(client=request.lgsp_client)

    def validate_scopes(
        self,
        client_id: str,
        scopes: list[str],
        client: Any,
        request: Any,
        *args: Any,
        **kwargs: Any,
    ) -> bool:
        return set(scopes) <= set(client_scopes(client=request.lgsp_client))

    def _create_access_token(
        self, expires: Any, request: Any, token: Any, source_refresh_token: Any = None
    ) -> Any:
        access_token = super()._create_access_token(expires, request, token, source_refresh_token)
        LgspToken.objects.create(access_token=access_token, key=request.lgsp_key)
        return access_token


class LgspTokenView(TokenView):
    server_class = BackendApplicationServer  # client credentials only
    validator_class = LgspValidator


_token_view = LgspTokenView.as_view()


def lgsp_token_response(request: HttpRequest) -> HttpResponse:
    return _token_view(request)
