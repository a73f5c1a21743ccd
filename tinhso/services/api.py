"""JSON API of the services app (mounted by tinhso.api)."""

from ninja import Router

router = Router(tags=["services"])
