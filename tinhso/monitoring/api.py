"""JSON API of the monitoring app (mounted by tinhso.api)."""

from ninja import Router

router = Router(tags=["monitoring"])
