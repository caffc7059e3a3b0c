"""One error type for the service layer: a stable code the face turns into a sentence."""
from __future__ import annotations

from ..infra.extensions import db
from ..models import Request


class DomainError(Exception):
    def __init__(self, code: str):
        super().__init__(code)
        self.code = code


def load_request(reference: str, error: type[DomainError] = DomainError) -> Request:
    """The request with this reference, or `error("not_found")`."""
    req = db.session.execute(db.select(Request).filter_by(reference=reference)).scalar_one_or_none()
    if req is None:
        raise error("not_found")
    return req
