"""The browser's JSON calls (``/api/...``), forwarded to the services' public APIs.

Every call acts as the signed-in customer (the token comes from the session cookie,
never from the page); state-changing calls pass the CSRF and Origin checks. Bodies
accept PaymentMethod ids only: card data is refused before anything is forwarded.
A service's answer goes back with its status and JSON body.
"""

from __future__ import annotations

import re
from typing import Annotated, Any, Literal

import httpx
from fastapi import APIRouter, Header, HTTPException, Path, Request
from fastapi.responses import JSONResponse, Response
from pydantic import Field, StrictBool

from portal.backends import Backends, customer_path, segment
from portal.security import Checked, SignedIn
from portal.session import Session
from shared.card_data import StrictBody

PaymentMethodId = Annotated[str, Field(strict=True, pattern=r"^pm_[A-Za-z0-9_]{1,61}$")]
IdPath = Annotated[str, Path(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_-]+$")]
PmPath = Annotated[str, Path(pattern=r"^pm_[A-Za-z0-9_]{1,61}$")]
_KEY = re.compile(r"^[A-Za-z0-9_-]{8,128}$")

router = APIRouter(prefix="/api")


class TopUp(StrictBody):
    """Add credit: amount and description as typed, and the card to charge."""

    amount: Annotated[str, Field(max_length=32)]
    description: Annotated[str, Field(max_length=1000)] = ""
    payment_method_id: PaymentMethodId | None = None
    save_card: StrictBool = False
    set_default: StrictBool = False


class NewCard(StrictBody):
    """Save a card Stripe.js turned into a PaymentMethod."""

    payment_method_id: PaymentMethodId
    set_default: StrictBool = False


class PayInvoice(StrictBody):
    """Pay an invoice's remainder by card: a saved or new card (none: the default)."""

    payment_method_id: PaymentMethodId | None = None


def backends(request: Request) -> Backends:
    """The portal's service clients."""
    found: Backends = request.app.state.backends
    return found


def _relay(answer: httpx.Response) -> Response:
    if answer.status_code == 204 or not answer.content:
        return Response(status_code=answer.status_code)
    try:
        body: Any = answer.json()
    except ValueError:
        body = {"detail": answer.text[:500]}
    return JSONResponse(body, status_code=answer.status_code)


async def _forward(
    request: Request,
    service: Literal["credits", "payments", "invoicing"],
    method: str,
    path: str,
    session: Session,
    **sent: Any,
) -> Response:
    """Send one call to ``service`` as the customer and relay its answer."""
    parts = backends(request)
    client = {"credits": parts.credits, "payments": parts.payments, "invoicing": parts.invoicing}
    return _relay(await parts.call(client[service], method, path, session, **sent))


@router.post("/setup-intents")
async def create_setup_intent(request: Request, session: Checked) -> Response:
    """A SetupIntent's client secret, for Stripe.js's ``confirmCardSetup``."""
    path = customer_path(session, "/setup-intents")
    return await _forward(request, "payments", "POST", path, session)


@router.post("/credits")
async def add_credit(
    request: Request,
    body: TopUp,
    session: Checked,
    idempotency_key: Annotated[str, Header()],
) -> Response:
    """Ask credits for a top-up (202 with the request id); the same key is one top-up."""
    if not _KEY.fullmatch(idempotency_key):
        raise HTTPException(400, "Idempotency-Key must be 8 to 128 letters, digits, - or _")
    sent: dict[str, Any] = {
        "amount": body.amount.strip(),
        "currency": "USD",
        "description": body.description,
        "save_card": body.save_card,
        "set_default": body.set_default,
    }
    if body.payment_method_id is not None:
        sent["payment_method_id"] = body.payment_method_id
    path = customer_path(session, "/credits")
    headers = {"Idempotency-Key": idempotency_key}
    return await _forward(request, "credits", "POST", path, session, json=sent, headers=headers)


@router.get("/credits/requests/{request_id}")
async def credit_request(request: Request, request_id: IdPath, session: SignedIn) -> Response:
    """Where a top-up stands (``requires_action`` carries the PaymentIntent's client secret)."""
    path = customer_path(session, f"/credits/requests/{segment(request_id)}")
    return await _forward(request, "credits", "GET", path, session)


@router.post("/payment-methods")
async def add_payment_method(request: Request, body: NewCard, session: Checked) -> Response:
    """Save a card (201), or Stripe's decline (402)."""
    path = customer_path(session, "/payment-methods")
    return await _forward(request, "payments", "POST", path, session, json=body.model_dump())


@router.post("/payment-methods/{payment_method_id}/default")
async def set_default(request: Request, payment_method_id: PmPath, session: Checked) -> Response:
    """Make a saved card the default one."""
    path = customer_path(session, f"/payment-methods/{segment(payment_method_id)}/default")
    return await _forward(request, "payments", "POST", path, session)


@router.delete("/payment-methods/{payment_method_id}")
async def remove(request: Request, payment_method_id: PmPath, session: Checked) -> Response:
    """Remove a saved card."""
    path = customer_path(session, f"/payment-methods/{segment(payment_method_id)}")
    return await _forward(request, "payments", "DELETE", path, session)


@router.get("/invoices/{invoice_id}")
async def invoice(request: Request, invoice_id: IdPath, session: SignedIn) -> Response:
    """One of the customer's invoices."""
    path = f"/v1/invoices/{segment(invoice_id)}"
    return await _forward(request, "invoicing", "GET", path, session)


@router.post("/invoices/{invoice_id}/pay")
async def pay_invoice(
    request: Request, invoice_id: IdPath, body: PayInvoice, session: Checked
) -> Response:
    """Pay what is left of an active or expired invoice by card (202)."""
    sent: dict[str, Any] = {"method": "card"}
    if body.payment_method_id is not None:
        sent["payment_method_id"] = body.payment_method_id
    path = f"/v1/invoices/{segment(invoice_id)}/pay"
    return await _forward(request, "invoicing", "POST", path, session, json=sent)
