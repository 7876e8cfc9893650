"""Bearer-token authorisation shared by the services' HTTP APIs.

Two kinds of token (``Authorization: Bearer <token>``):

- operator tokens, configured through ``OPERATOR_TOKEN`` (a comma-separated list),
  open every path;
- customer tokens: JWTs signed with HS256 and ``CUSTOMER_TOKEN_SECRET``, whose
  ``sub`` is a customer id and which carry ``exp``. They open only that customer's
  paths: another customer's path answers 403 and reveals nothing about it.

Only HS256 is accepted (``alg: none`` and every other algorithm are refused), and
``exp`` and ``sub`` are required.
"""

from __future__ import annotations

import hmac
import time
from dataclasses import dataclass
from typing import Annotated, Literal

import jwt
from fastapi import Depends, HTTPException, Request, status

from shared.settings import ServiceSettings

ALGORITHM = "HS256"
Role = Literal["operator", "customer"]


@dataclass(frozen=True, slots=True)
class Principal:
    """Who is calling: an operator, or one customer."""

    role: Role
    customer_id: str | None = None

    def may_access(self, customer_id: str) -> bool:
        """Tell whether this caller may read or change ``customer_id``'s data."""
        return self.role == "operator" or self.customer_id == customer_id


def issue_customer_token(secret: str, customer_id: str, ttl_seconds: int = 3600) -> str:
    """Return a customer token for ``customer_id``, valid ``ttl_seconds``."""
    now = int(time.time())
    claims = {"sub": customer_id, "iat": now, "exp": now + ttl_seconds}
    return jwt.encode(claims, secret, algorithm=ALGORITHM)


def _unauthorized(detail: str) -> HTTPException:
    return HTTPException(
        status.HTTP_401_UNAUTHORIZED, detail=detail, headers={"WWW-Authenticate": "Bearer"}
    )


def authenticate(token: str, settings: ServiceSettings) -> Principal:
    """Return the principal a token stands for; raise 401 when it stands for nobody."""
    for operator_token in settings.operator_token.split(","):
        expected = operator_token.strip()
        if expected and hmac.compare_digest(token.encode(), expected.encode()):
            return Principal("operator")
    try:
        claims = jwt.decode(
            token,
            settings.customer_token_secret,
            algorithms=[ALGORITHM],
            options={"require": ["exp", "sub"]},
        )
    except jwt.ExpiredSignatureError:
        raise _unauthorized("token expired") from None
    except jwt.InvalidTokenError:
        raise _unauthorized("invalid token") from None
    subject = claims.get("sub")
    if not isinstance(subject, str) or not subject:
        raise _unauthorized("invalid token")
    return Principal("customer", subject)


def settings_of(request: Request) -> ServiceSettings:
    """Return the settings of the service serving ``request``."""
    settings: ServiceSettings = request.app.state.runtime.settings
    return settings


async def current_principal(request: Request) -> Principal:
    """FastAPI dependency: the authenticated caller (401 without a valid token).

    This and the dependencies below are ``async`` (they never block), so FastAPI
    runs them on the event loop instead of handing each to its thread pool.
    """
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise _unauthorized("missing bearer token")
    return authenticate(token.strip(), settings_of(request))


CurrentPrincipal = Annotated[Principal, Depends(current_principal)]


async def require_operator(principal: CurrentPrincipal) -> Principal:
    """FastAPI dependency: only operators pass (403 for customers)."""
    if principal.role != "operator":
        raise HTTPException(status.HTTP_403_FORBIDDEN, detail="operator token required")
    return principal


async def require_customer_access(customer_id: str, principal: CurrentPrincipal) -> Principal:
    """FastAPI dependency for `/customers/{customer_id}/...`: that customer or an operator."""
    if not principal.may_access(customer_id):
        raise HTTPException(status.HTTP_403_FORBIDDEN, detail="forbidden")
    return principal


OperatorPrincipal = Annotated[Principal, Depends(require_operator)]
CustomerAccess = Annotated[Principal, Depends(require_customer_access)]
