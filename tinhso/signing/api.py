"""JSON API of the signing app (mounted by tinhso.api)."""

from ninja import Router

router = Router(tags=["signing"])
