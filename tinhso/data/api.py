"""JSON API of the data app (mounted by tinhso.api)."""

from ninja import Router

router = Router(tags=["data"])
