"""ASGI middleware: one correlation id per HTTP request, bound for its logs and returned.

The id comes from the request's ``X-Correlation-ID`` header when it is a UUID
(a header that is not one answers 422 and nothing runs), else it is new. It is
bound in ``shared.log_context`` while the request runs, so the events a
command appends carry it (``correlation_id_for_command``) and every log line
names it, and it goes back in the response's ``X-Correlation-ID`` header. Each
command (any method but GET, HEAD and OPTIONS) is logged once at INFO with its
answer's status.
"""

from __future__ import annotations

import json
import logging
import time
import uuid
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from shared.log_context import CORRELATION_HEADER, bound_log_fields, parse_correlation_id

log = logging.getLogger("shared.http")

_HEADER = CORRELATION_HEADER.lower().encode()
_READS = frozenset({"GET", "HEAD", "OPTIONS"})


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope.get("headers", ()):
        if key.lower() == name:
            return bytes(value).decode("latin-1")
    return None


async def _refuse(send: Send, message: str) -> None:
    body = json.dumps(
        {
            "detail": [
                {"loc": ["header", CORRELATION_HEADER], "msg": message, "type": "uuid_parsing"}
            ]
        }
    ).encode()
    await send(
        {
            "type": "http.response.start",
            "status": 422,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


class CorrelationIdMiddleware:
    """Binds, returns and logs each request's correlation id."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Run the request with its correlation id bound."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        given = _header(scope, _HEADER)
        try:
            correlation_id = parse_correlation_id(given) if given is not None else uuid.uuid4()
        except ValueError as exc:
            await _refuse(send, str(exc))
            return
        value = str(correlation_id).encode()
        status: dict[str, Any] = {}

        async def send_with_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                status["code"] = message["status"]
                headers = [(k, v) for k, v in message.get("headers", ()) if k.lower() != _HEADER]
                message = {**message, "headers": [*headers, (_HEADER, value)]}
            await send(message)

        started = time.perf_counter()
        with bound_log_fields(correlation_id=correlation_id):
            try:
                await self.app(scope, receive, send_with_id)
            finally:
                if scope["method"] not in _READS:
                    self._log_command(scope, status.get("code"), time.perf_counter() - started)

    @staticmethod
    def _log_command(scope: Scope, status: int | None, seconds: float) -> None:
        outcome = "accepted" if status is not None and status < 400 else "refused"
        log.info(
            "command %s %s %s (%s)",
            scope["method"],
            scope["path"],
            outcome,
            status if status is not None else "no answer",
            extra={
                "method": scope["method"],
                "path": scope["path"],
                "status": status,
                "duration_ms": round(seconds * 1000, 2),
            },
        )
