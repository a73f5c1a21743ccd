"""JSON API errors with a stable ``code`` and a message in the user's language.

Every app's ninja router raises ``ApiError``; ``tinhso.api`` turns it (and validation,
permission and not-found errors) into ``{"code": ..., "message": ..., "details": ...}``.
"""

from __future__ import annotations

from typing import Any


class ApiError(Exception):
    def __init__(
        self,
        code: str,
        message: str,
        *,
        status: int = 400,
        details: Any = None,
    ) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.status = status
        self.details = details
