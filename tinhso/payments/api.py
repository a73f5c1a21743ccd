"""JSON API of the payments app (mounted by tinhso.api)."""

from ninja import Router

router = Router(tags=["payments"])
