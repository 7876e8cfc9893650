"""Security of the portal's pages and calls: session, CSRF, Origin and response headers.

- The session is the HttpOnly, SameSite=Strict cookie holding the customer token.
- A state-changing call (POST, DELETE) needs the page's CSRF token in
  ``X-CSRF-Token``, and an ``Origin`` (and ``Sec-Fetch-Site``) naming this origin
  when the browser sends them.
- Every response carries a Content-Security-Policy allowing scripts only from this
  origin and the Stripe.js base, and headers that keep pages out of frames and
  referrers.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Annotated

from fastapi import Depends, HTTPException, Request, Response

from portal.session import CSRF_HEADER, SESSION_COOKIE, CsrfTokens, Session, read_token
from portal.settings import PortalSettings, origin_of

UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


def content_security_policy(settings: PortalSettings) -> str:
    """The CSP of every response: our origin, plus Stripe.js's for scripts, calls, frames."""
    stripe = " ".join(settings.stripe_origins)
    return "; ".join(
        (
            "default-src 'self'",
            f"script-src 'self' {stripe}",
            f"connect-src 'self' {stripe}",
            f"frame-src {stripe}",
            "img-src 'self' data:",
            "style-src 'self'",
            "object-src 'none'",
            "base-uri 'none'",
            "form-action 'self'",
            "frame-ancestors 'none'",
        )
    )


def security_headers(
    settings: PortalSettings,
) -> Callable[[Request, Callable[[Request], Awaitable[Response]]], Awaitable[Response]]:
    """An HTTP middleware adding the security headers to every response."""
    headers = {
        "Content-Security-Policy": content_security_policy(settings),
        "X-Content-Type-Options": "nosniff",
        "X-Frame-Options": "DENY",
        "Referrer-Policy": "no-referrer",
        "Cache-Control": "no-store",
    }

    async def middleware(
        request: Request, call_next: Callable[[Request], Awaitable[Response]]
    ) -> Response:
        response = await call_next(request)
        for name, value in headers.items():
            response.headers.setdefault(name, value)
        return response

    return middleware


def settings_of(request: Request) -> PortalSettings:
    """The portal's settings."""
    settings: PortalSettings = request.app.state.settings
    return settings


def csrf_of(request: Request) -> CsrfTokens:
    """The portal's CSRF token issuer."""
    tokens: CsrfTokens = request.app.state.csrf
    return tokens


def session_or_none(request: Request) -> Session | None:
    """The signed-in customer, or None."""
    token = request.cookies.get(SESSION_COOKIE)
    if not token:
        return None
    return read_token(token, settings_of(request).customer_token_secret)


def require_session(request: Request) -> Session:
    """FastAPI dependency of the JSON calls: the signed-in customer (401 otherwise)."""
    session = session_or_none(request)
    if session is None:
        raise HTTPException(401, "signed out: open your sign-in link again")
    return session


def _same_origin(request: Request) -> bool:
    origin = request.headers.get("origin")
    if origin is not None and origin != origin_of(str(request.base_url)):
        return False
    site = request.headers.get("sec-fetch-site")
    return site is None or site == "same-origin"


def require_csrf(
    request: Request, session: Annotated[Session, Depends(require_session)]
) -> Session:
    """FastAPI dependency of state-changing calls: same origin and the page's CSRF token."""
    if request.method in UNSAFE_METHODS and not (
        _same_origin(request) and csrf_of(request).valid(session, request.headers.get(CSRF_HEADER))
    ):
        raise HTTPException(403, "cross-site request refused: reload the page and try again")
    return session


SignedIn = Annotated[Session, Depends(require_session)]
Checked = Annotated[Session, Depends(require_csrf)]
