"""JSON API errors with a stable ``code`` and a message in the user's language.

Every app's ninja router raises ``ApiError``; ``tinhso.api`` turns it (and validation,
permission and not-found errors) into ``{"code": ..., "message": ..., "details": ...}``.
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import Field

# Integer query/path parameters are bounded so that no value reaches the database as an
# out-of-range integer (a 500); out of range is a 422 with the parameter named.
BIGINT_MAX = 2**63 - 1
OFFSET_MAX = 1_000_000
Id = Annotated[int, Field(ge=1, le=BIGINT_MAX)]
Offset = Annotated[int, Field(ge=0, le=OFFSET_MAX)]


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
