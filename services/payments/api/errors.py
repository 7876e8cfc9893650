"""How the payments API answers domain and Stripe failures: one handler per kind."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from fastapi import FastAPI, Request, status
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse

from services.payments.domain.errors import (
    CardNotSavedError,
    PaymentNotFoundError,
    RefundNotAllowedError,
)
from services.payments.gateway_types import (
    CardDeclinedError,
    CardUnavailableError,
    GatewayError,
    StripeRejectedError,
    StripeUnavailableError,
)
from services.payments.profiles import ProfileBusyError
from shared.money import MoneyError

ExceptionHandler = Callable[[Request, Exception], Awaitable[JSONResponse]]


def _answer(code: int, detail: Callable[[Exception], object]) -> ExceptionHandler:
    async def handle(request: Request, exc: Exception) -> JSONResponse:
        return JSONResponse({"detail": detail(exc)}, status_code=code)

    return handle


def _stripe(exc: Exception) -> dict[str, str]:
    assert isinstance(exc, GatewayError)
    return {"code": exc.code, "message": exc.message}


async def _invalid_request(request: Request, exc: Exception) -> JSONResponse:
    """422 naming each bad field, without echoing what was sent (it may hold card data)."""
    assert isinstance(exc, RequestValidationError)
    errors = [
        {"loc": list(error.get("loc", ())), "msg": error.get("msg", ""), "type": error.get("type")}
        for error in exc.errors()
    ]
    return JSONResponse({"detail": errors}, status_code=status.HTTP_422_UNPROCESSABLE_CONTENT)


def install_error_handlers(app: FastAPI) -> None:
    """Register the answers: 402 declined, 404 unknown, 409 refused now, 422 bad, 503 Stripe."""
    answers: dict[type[Exception], ExceptionHandler] = {
        CardDeclinedError: _answer(status.HTTP_402_PAYMENT_REQUIRED, _stripe),
        CardUnavailableError: _answer(status.HTTP_422_UNPROCESSABLE_CONTENT, _stripe),
        StripeRejectedError: _answer(status.HTTP_422_UNPROCESSABLE_CONTENT, _stripe),
        StripeUnavailableError: _answer(
            status.HTTP_503_SERVICE_UNAVAILABLE, lambda _: "payment provider unavailable, retry"
        ),
        CardNotSavedError: _answer(status.HTTP_404_NOT_FOUND, str),
        PaymentNotFoundError: _answer(status.HTTP_404_NOT_FOUND, str),
        RefundNotAllowedError: _answer(status.HTTP_409_CONFLICT, str),
        ProfileBusyError: _answer(
            status.HTTP_409_CONFLICT, lambda _: "the payment profile is busy, retry"
        ),
        MoneyError: _answer(status.HTTP_422_UNPROCESSABLE_CONTENT, lambda e: f"amount: {e}"),
        RequestValidationError: _invalid_request,
    }
    for kind, handler in answers.items():
        app.add_exception_handler(kind, handler)
