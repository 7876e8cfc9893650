"""Calls to the services' public HTTP APIs on behalf of the signed-in customer.

Each call carries the customer's token as ``Authorization: Bearer``; the portal
adds no rights of its own. Paths are built from validated ids only.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

import httpx

from portal.session import Session
from portal.settings import PortalSettings


class ServiceUnavailableError(Exception):
    """A service did not answer."""


class Backends:
    """One HTTP client per service."""

    def __init__(self, settings: PortalSettings, transport: httpx.AsyncBaseTransport | None = None):
        def client(base: str) -> httpx.AsyncClient:
            return httpx.AsyncClient(
                base_url=base, timeout=settings.service_timeout, transport=transport
            )

        self.credits = client(settings.credits_url)
        self.payments = client(settings.payments_url)
        self.invoicing = client(settings.invoicing_url)

    async def close(self) -> None:
        """Close the clients."""
        for client in (self.credits, self.payments, self.invoicing):
            await client.aclose()

    @staticmethod
    async def call(
        client: httpx.AsyncClient,
        method: str,
        path: str,
        session: Session,
        *,
        json: Any = None,
        params: dict[str, str] | None = None,
        headers: dict[str, str] | None = None,
    ) -> httpx.Response:
        """Send one request as the customer (:class:`ServiceUnavailableError` on I/O errors)."""
        sent = {"Authorization": f"Bearer {session.token}", **(headers or {})}
        try:
            return await client.request(method, path, json=json, params=params, headers=sent)
        except httpx.HTTPError as error:
            raise ServiceUnavailableError(str(client.base_url)) from error


def customer_path(session: Session, tail: str = "") -> str:
    """``/v1/customers/<id><tail>`` for the signed-in customer."""
    return f"/v1/customers/{quote(session.customer_id, safe='')}{tail}"


def segment(value: str) -> str:
    """One path segment, escaped."""
    return quote(value, safe="")
