from __future__ import annotations

from django import template

from tinhso.accounts import oidc

register = template.Library()


@register.simple_tag
def oidc_providers() -> list[oidc.ProviderConfig]:
    """The configured OpenID Connect providers, citizens' first."""
    return sorted(oidc.providers().values(), key=lambda p: p.officials)
