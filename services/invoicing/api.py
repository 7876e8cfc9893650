"""HTTP API of the invoicing service: issue, read, list, pay and void invoices.

An invoice opens to an operator's token and to its customer's; another
customer's token gets the same 404 as an invoice that does not exist. Voiding
is for operators only. Reads fold the invoice's stream, so they are current as
soon as a command has answered.
"""

from __future__ import annotations

import re
import secrets
from typing import Annotated

from fastapi import APIRouter, Depends, Header, HTTPException, Path, Query, Request

from shared.auth import CurrentPrincipal, CustomerAccess, OperatorPrincipal, Principal
from shared.eventstore import utc_now
from shared.http import current_runtime
from shared.idempotency import IdempotentCall, body_hash
from shared.log_context import correlation_id_for_command
from shared.runtime import ServiceRuntime

from . import handlers, invoice_index
from .domain.commands import IssueInvoice, PayInvoice, VoidInvoice
from .domain.policy import InvoicePolicy
from .domain.state import Invoice
from .http_models import (
    InvoiceBody,
    InvoiceOut,
    InvoicePage,
    InvoiceSummaryOut,
    PayBody,
    VoidBody,
)
from .stream import Metadata, fold_stored

_KEY = re.compile(r"^[\x20-\x7e]{1,255}$")

CustomerId = Annotated[str, Path(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9._-]+$")]
InvoiceId = Annotated[str, Path(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_-]+$")]


async def _key_or_none(idempotency_key: Annotated[str | None, Header()] = None) -> str | None:
    if idempotency_key is not None and not _KEY.fullmatch(idempotency_key):
        raise HTTPException(400, "Idempotency-Key must be 1 to 255 printable ASCII characters")
    return idempotency_key


async def _policy(request: Request) -> InvoicePolicy:
    policy: InvoicePolicy = request.app.state.invoice_policy
    return policy


OptionalIdempotencyKey = Annotated[str | None, Depends(_key_or_none)]
Policy = Annotated[InvoicePolicy, Depends(_policy)]
Runtime = Annotated[ServiceRuntime, Depends(current_runtime)]

router = APIRouter(prefix="/v1", tags=["invoices"])

_NOT_FOUND: dict[int | str, dict[str, object]] = {
    404: {"description": "no such invoice for this caller"}
}
_ISSUE_REFUSALS: dict[int | str, dict[str, object]] = {
    400: {"description": "the Idempotency-Key header is malformed"},
    403: {"description": "the invoice would belong to another customer"},
    409: {"description": "the Idempotency-Key was used with another body"},
}
_REFUSED: dict[int | str, dict[str, object]] = {
    **_NOT_FOUND,
    409: {"description": "the invoice's state refuses it (paid, void, a payment under way)"},
}


async def _visible(runtime: ServiceRuntime, invoice_id: str, principal: Principal) -> InvoiceOut:
    invoice, events = await handlers.load_invoice(runtime.store, invoice_id)
    _check_access(invoice, principal)
    return InvoiceOut.of(invoice, events)


def _check_access(invoice: Invoice, principal: Principal) -> str:
    if invoice.customer_id is None or not principal.may_access(invoice.customer_id):
        raise HTTPException(404, "no such invoice")
    return invoice.customer_id


@router.post("/invoices", status_code=201, responses=_ISSUE_REFUSALS)
async def issue_invoice(
    body: InvoiceBody,
    principal: CurrentPrincipal,
    key: OptionalIdempotencyKey,
    policy: Policy,
    runtime: Runtime,
) -> InvoiceOut:
    """Issue an invoice; credits is asked to pay it first, then the default card."""
    if not principal.may_access(body.customer_id):
        raise HTTPException(403, "forbidden")
    call = None
    if key is not None:
        hashed = body_hash("invoice", body.model_dump(mode="json"))
        call = IdempotentCall(body.customer_id, key, hashed)
    command = IssueInvoice(
        invoice_id=secrets.token_hex(12),
        currency=policy.currency(body.currency),
        lines=policy.lines([(x.description, x.amount) for x in body.lines], body.currency),
        due_at=policy.due_at(body.due_at, utc_now()),
    )
    meta = Metadata(body.customer_id, correlation_id_for_command())
    invoice_id = await handlers.issue_invoice(runtime.pool, runtime.store, command, meta, call)
    return await _visible(runtime, invoice_id, principal)


@router.get("/invoices/{invoice_id}", responses=_NOT_FOUND)
async def get_invoice(
    invoice_id: InvoiceId, principal: CurrentPrincipal, runtime: Runtime
) -> InvoiceOut:
    """One invoice: status, amounts, lines, the last payment error and its history."""
    return await _visible(runtime, invoice_id, principal)


@router.get("/customers/{customer_id}/invoices")
async def list_invoices(
    customer_id: CustomerId,
    _: CustomerAccess,
    runtime: Runtime,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
    cursor: Annotated[str | None, Query(pattern=r"^[1-9][0-9]{0,18}$")] = None,
) -> InvoicePage:
    """The customer's invoices, newest first, ``limit`` a page (without their history);
    ``cursor`` is the last page's ``next_cursor``."""
    before = int(cursor) if cursor is not None else None
    ids, next_cursor = await invoice_index.customer_page(runtime.pool, customer_id, limit, before)
    streams = await invoice_index.streams(runtime.pool, ids)
    invoices = [
        InvoiceSummaryOut.of(fold_stored(i, streams[i]), streams[i]) for i in ids if streams[i]
    ]
    cursor_out = None if next_cursor is None else str(next_cursor)
    return InvoicePage(invoices=invoices, next_cursor=cursor_out)


@router.post("/invoices/{invoice_id}/pay", status_code=202, responses=_REFUSED)
async def pay_invoice(
    invoice_id: InvoiceId, body: PayBody, principal: CurrentPrincipal, runtime: Runtime
) -> InvoiceOut:
    """Pay what is left of an active or expired invoice: by card (a saved card, or the
    default one) or from the credits. The outcome follows as events."""
    invoice, _events = await handlers.load_invoice(runtime.store, invoice_id)
    customer_id = _check_access(invoice, principal)
    command = PayInvoice(body.method, body.payment_method_id)
    meta = Metadata(customer_id, correlation_id_for_command())
    await handlers.pay(runtime.store, invoice_id, command, meta)
    return await _visible(runtime, invoice_id, principal)


@router.post("/invoices/{invoice_id}/void", responses=_REFUSED)
async def void_invoice(
    invoice_id: InvoiceId,
    principal: OperatorPrincipal,
    runtime: Runtime,
    body: VoidBody | None = None,
) -> InvoiceOut:
    """Void an unpaid invoice (operators only); credits gives back what it paid. Voiding a
    void invoice again answers 200 and changes nothing."""
    invoice, _events = await handlers.load_invoice(runtime.store, invoice_id)
    customer_id = _check_access(invoice, principal)
    command = VoidInvoice((body or VoidBody()).reason)
    meta = Metadata(customer_id, correlation_id_for_command())
    await handlers.void(runtime.store, invoice_id, command, meta)
    return await _visible(runtime, invoice_id, principal)
