"""Errors every layer shares: the shells turn them into 404s and error messages."""

from __future__ import annotations


class NotFound(LookupError):
    """No job (or not this employer's) or no live worker with this external id: a 404."""

    def __init__(self, kind: str, external_id: str) -> None:
        super().__init__(f"no {kind} with external id {external_id!r}")
        self.kind = kind
        self.external_id = external_id
