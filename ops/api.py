"""Calls to the services' public HTTP APIs with the operator token, errors made plain."""

from __future__ import annotations

from typing import Any

import httpx

from .config import OpsConfig
from .errors import InputError, UnavailableError

TIMEOUT_SECONDS = 10.0


def _detail(response: httpx.Response) -> str:
    """The reason a service gave for refusing a request, in one line."""
    try:
        body = response.json()
    except ValueError:
        return response.text.strip()[:300] or response.reason_phrase
    detail = body.get("detail", body) if isinstance(body, dict) else body
    if isinstance(detail, list):
        parts = []
        for item in detail:
            if isinstance(item, dict):
                where = ".".join(str(p) for p in item.get("loc", ()) if p != "body")
                parts.append(f"{where}: {item.get('msg', item)}" if where else str(item))
            else:
                parts.append(str(item))
        return "; ".join(parts)
    return str(detail)


def call(
    config: OpsConfig,
    service: str,
    method: str,
    path: str,
    *,
    params: dict[str, str] | None = None,
    json: dict[str, Any] | None = None,
    headers: dict[str, str] | None = None,
) -> Any:
    """Send one request as the operator and return the JSON answer.

    A refusal (4xx) raises :class:`InputError` with the service's reason; no answer
    or a server error (5xx) raises :class:`UnavailableError`.
    """
    url = f"{config.url(service)}{path}"
    sent_headers = {"Authorization": f"Bearer {config.operator_token}", **(headers or {})}
    try:
        response = httpx.request(
            method, url, params=params, json=json, headers=sent_headers, timeout=TIMEOUT_SECONDS
        )
    except httpx.HTTPError as error:
        raise UnavailableError(
            f"{service} does not answer at {config.url(service)} ({type(error).__name__}: "
            f"{error}); set {service.upper()}_URL if it runs elsewhere"
        ) from None
    if response.status_code >= 500:
        raise UnavailableError(f"{service} failed: {response.status_code} {_detail(response)}")
    if response.status_code >= 400:
        raise InputError(f"{service} refused: {response.status_code} {_detail(response)}")
    return response.json()
