"""Invitation links that keep working: a person's token is derived, never stored.

token = base64url(HMAC-SHA256(SECRET_KEY, "invitation:<id>:<generation>")) cut to 192 bits; the database
keeps only its SHA-256. The same link can therefore be printed and sent again (a reminder, a reprinted
QR sheet) without cancelling anything, while the database alone yields no working link. A link is found
by its hash and then checked by deriving it again with the current key, so rotating SECRET_KEY stops
every derived link (reissue them afterwards). "重新生成" is the only thing that changes a link: it
increments the generation. Invitations from before derived links (generation NULL) keep their random
token, which works until it is reissued; it cannot be derived, so it cannot be printed or sent again.
"""

from __future__ import annotations

import base64
import hashlib
import hmac

TOKEN_BYTES = 24  # 192 bits, as the random tokens had


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def derive_token(secret_key: str | bytes, invitation_id: int, generation: int) -> str:
    key = secret_key.encode("utf-8") if isinstance(secret_key, str) else secret_key
    digest = hmac.new(key, f"invitation:{invitation_id}:{generation}".encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest[:TOKEN_BYTES]).decode("ascii").rstrip("=")


def verify_token(secret_key: str | bytes, token: str, invitation_id: int, generation: int | None) -> bool:
    """Whether `token` (already matched by hash) is this invitation's link under the current key.

    A legacy invitation (generation None) has a random token: its hash match is the whole check.
    """
    if generation is None:
        return True
    return hmac.compare_digest(derive_token(secret_key, invitation_id, generation), token)


def invitation_url(base_url: str, token: str) -> str:
    return base_url.rstrip("/") + "/s/" + token
