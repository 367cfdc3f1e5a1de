"""Bearer tokens for the API: only their SHA-256 is stored; revoked tokens and inactive users fail."""

from flask import request
from sqlalchemy import select

from app.extensions import db, login_manager
from app.models import ApiToken
from app.models.staff import sha256_hex


def bearer_token() -> str | None:
    header = request.headers.get("Authorization", "")
    scheme, _, value = header.partition(" ")
    return value.strip() if scheme.lower() == "bearer" and value.strip() else None


@login_manager.request_loader
def load_user_from_request(req):
    if not req.path.startswith("/api/"):
        return None
    token = bearer_token()
    if token is None:
        return None
    row = db.session.execute(select(ApiToken).where(ApiToken.token_hash == sha256_hex(token))).scalar_one_or_none()
    if row is None or row.revoked_at is not None or not row.user.active:
        return None
    return row.user
