"""How the invoicing API answers refusals: 422 bad input, 404 unknown invoice, 409 refused now."""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse

from shared.idempotency import IdempotencyConflict

from .domain.errors import CommandRefused, InvalidField, UnknownInvoice


async def _validation_error(request: Request, error: Exception) -> JSONResponse:
    """422 naming each faulty field, without echoing the values sent (they may hold card data)."""
    assert isinstance(error, RequestValidationError)
    detail = [{"loc": list(e["loc"]), "msg": e["msg"], "type": e["type"]} for e in error.errors()]
    return JSONResponse({"detail": detail}, status_code=422)


async def _invalid_field(request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, InvalidField)
    detail = [
        {"loc": ["body", *error.field.split(".")], "msg": error.message, "type": "value_error"}
    ]
    return JSONResponse({"detail": detail}, status_code=422)


async def _unknown_invoice(request: Request, error: Exception) -> JSONResponse:
    return JSONResponse({"detail": "no such invoice"}, status_code=404)


async def _conflict(request: Request, error: Exception) -> JSONResponse:
    return JSONResponse({"detail": str(error)}, status_code=409)


def install_error_handlers(app: FastAPI) -> None:
    """Register the answers to refused requests."""
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(InvalidField, _invalid_field)
    app.add_exception_handler(UnknownInvoice, _unknown_invoice)
    app.add_exception_handler(CommandRefused, _conflict)
    app.add_exception_handler(IdempotencyConflict, _conflict)
