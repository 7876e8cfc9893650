"""Who is signed in, and the CSRF token of their pages.

The session cookie holds the customer token (a JWT, HS256, ``sub`` = customer id,
with ``exp``) and is HttpOnly and SameSite=Strict, so page scripts never read it.
Each page carries a CSRF token derived from the session (an HMAC under a key of
this process); every state-changing call must send it back in ``X-CSRF-Token``.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass

import jwt

SESSION_COOKIE = "portal_session"
CSRF_HEADER = "X-CSRF-Token"
ALGORITHM = "HS256"


@dataclass(frozen=True, slots=True)
class Session:
    """A signed-in customer: their id, their token, and when it expires (epoch s)."""

    customer_id: str
    token: str
    expires_at: int


def read_token(token: str, secret: str) -> Session | None:
    """The session a customer token opens, or None when it is invalid or expired."""
    try:
        claims = jwt.decode(
            token, secret, algorithms=[ALGORITHM], options={"require": ["exp", "sub"]}
        )
    except jwt.InvalidTokenError:
        return None
    subject, expires = claims.get("sub"), claims.get("exp")
    if not isinstance(subject, str) or not subject or not isinstance(expires, int):
        return None
    return Session(subject, token, expires)


class CsrfTokens:
    """Issues and checks CSRF tokens bound to a session token."""

    def __init__(self, key: bytes | None = None) -> None:
        self._key = key or secrets.token_bytes(32)

    def issue(self, session: Session) -> str:
        """The CSRF token of ``session``'s pages."""
        return hmac.new(self._key, session.token.encode(), hashlib.sha256).hexdigest()

    def valid(self, session: Session, sent: str | None) -> bool:
        """Tell whether ``sent`` is ``session``'s CSRF token."""
        return sent is not None and hmac.compare_digest(self.issue(session), sent)
