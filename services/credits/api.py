"""HTTP API of the credits service: top-ups, grants, the ledger, balances and requests.

Every path belongs to one customer and opens to that customer's token or an
operator's (grants: operators only). Commands answer once they are stored;
reads come from the projections, which follow the event store closely.
"""

from __future__ import annotations

import re
import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, FastAPI, Header, HTTPException, Path, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import AwareDatetime

from shared.auth import CustomerAccess, OperatorPrincipal
from shared.http import current_runtime
from shared.idempotency import IdempotencyConflict, IdempotentCall, body_hash
from shared.log_context import correlation_id_for_command
from shared.money import Money
from shared.runtime import ServiceRuntime

from . import handlers
from .domain.commands import GrantCredit, RequestCredit
from .domain.errors import InvalidField
from .domain.policy import TopUpPolicy
from .http_models import (
    BalanceOut,
    GrantBody,
    GrantOut,
    LedgerEntryOut,
    LedgerOut,
    RequestAccepted,
    RequestOut,
    TopUpBody,
)
from .projections import queries
from .stream import Metadata

_KEY = re.compile(r"^[\x20-\x7e]{1,255}$")

CustomerId = Annotated[str, Path(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9._-]+$")]
RequestId = Annotated[str, Path(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_-]+$")]


async def _key_or_none(idempotency_key: Annotated[str | None, Header()] = None) -> str | None:
    if idempotency_key is not None and not _KEY.fullmatch(idempotency_key):
        raise HTTPException(400, "Idempotency-Key must be 1 to 255 printable ASCII characters")
    return idempotency_key


async def _required_key(key: Annotated[str | None, Depends(_key_or_none)]) -> str:
    if key is None:
        raise HTTPException(400, "the Idempotency-Key header is required")
    return key


IdempotencyKey = Annotated[str, Depends(_required_key)]
OptionalIdempotencyKey = Annotated[str | None, Depends(_key_or_none)]


async def _policy(request: Request) -> TopUpPolicy:
    policy: TopUpPolicy = request.app.state.topup_policy
    return policy


Policy = Annotated[TopUpPolicy, Depends(_policy)]
Runtime = Annotated[ServiceRuntime, Depends(current_runtime)]


def _invalid(error: InvalidField) -> HTTPException:
    return HTTPException(
        422, [{"loc": ["body", error.field], "msg": error.message, "type": "value_error"}]
    )


def _new_meta(customer_id: str) -> Metadata:
    return Metadata(customer_id, correlation_id_for_command())


router = APIRouter(prefix="/v1/customers/{customer_id}", tags=["credits"])


_REFUSALS: dict[int | str, dict[str, object]] = {
    400: {"description": "the Idempotency-Key header is missing or malformed"},
    409: {"description": "the Idempotency-Key was used with another body"},
}


@router.post("/credits", status_code=202, responses=_REFUSALS)
async def request_credit(
    customer_id: CustomerId,
    _: CustomerAccess,
    key: IdempotencyKey,
    body: TopUpBody,
    policy: Policy,
    runtime: Runtime,
) -> RequestAccepted:
    """Ask to top up the balance by card; the charge and the credit follow as events."""
    call = IdempotentCall(customer_id, key, body_hash("credit", body.model_dump(mode="json")))
    try:
        amount = policy.top_up(body.amount, body.currency)
        command = RequestCredit(
            f"req_{uuid.uuid4().hex}", amount, body.description, body.payment_method_id,
            body.save_card, body.set_default,
        )  # fmt: skip
        answer = await handlers.request_credit(
            runtime.pool, runtime.store, command, call, _new_meta(customer_id)
        )
    except InvalidField as error:
        raise _invalid(error) from None
    except IdempotencyConflict as error:
        raise HTTPException(409, str(error)) from None
    return RequestAccepted.model_validate(answer)


@router.post("/credits/grants", status_code=201, responses=_REFUSALS)
async def grant_credit(
    customer_id: CustomerId,
    principal: OperatorPrincipal,
    key: OptionalIdempotencyKey,
    body: GrantBody,
    policy: Policy,
    runtime: Runtime,
) -> GrantOut:
    """Credit the balance without a payment (operators only)."""
    call = None
    if key is not None:
        call = IdempotentCall(customer_id, key, body_hash("grant", body.model_dump(mode="json")))
    try:
        amount = policy.grant(body.amount, body.currency)
        command = GrantCredit(f"grant_{uuid.uuid4().hex}", amount, body.description, principal.role)
        answer = await handlers.grant_credit(
            runtime.pool, runtime.store, command, _new_meta(customer_id), call
        )
    except InvalidField as error:
        raise _invalid(error) from None
    except IdempotencyConflict as error:
        raise HTTPException(409, str(error)) from None
    return GrantOut.model_validate(answer)


@router.get("/credits")
async def list_credits(
    customer_id: CustomerId,
    _: CustomerAccess,
    policy: Policy,
    runtime: Runtime,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    cursor: Annotated[str | None, Query(pattern=r"^[1-9][0-9]{0,9}$")] = None,
) -> LedgerOut:
    """The ledger, newest first, ``limit`` entries a page; ``cursor`` is the last page's
    ``next_cursor``."""
    before = int(cursor) if cursor is not None else None
    balance, entries, next_cursor = await queries.ledger_page(
        runtime.pool, customer_id, limit, before, policy.default_currency
    )
    return LedgerOut(
        balance=balance.amount.to_decimal_string(),
        currency=balance.amount.currency,
        entries=[
            LedgerEntryOut(
                number=e.number,
                amount=e.amount.to_decimal_string(),
                description=e.description,
                created_at=e.created_at,
                balance_after=e.balance_after.to_decimal_string(),
            )
            for e in entries
        ],
        next_cursor=None if next_cursor is None else str(next_cursor),
    )


@router.get(
    "/credits/requests/{request_id}",
    response_model_exclude_none=True,
    responses={404: {"description": "no such request for this customer"}},
)
async def get_request(
    customer_id: CustomerId, request_id: RequestId, _: CustomerAccess, runtime: Runtime
) -> RequestOut:
    """Where a top-up stands: pending, requires_action, succeeded or failed."""
    found = await queries.request(runtime.pool, customer_id, request_id)
    if found is None:
        account, _version = await handlers.load_account(runtime.store, customer_id)
        found = account.requests.get(request_id)
    if found is None:
        raise HTTPException(404, "no such top-up request")
    return RequestOut.of(found)


@router.get("/balance", response_model_exclude_none=True)
async def get_balance(
    customer_id: CustomerId,
    _: CustomerAccess,
    policy: Policy,
    runtime: Runtime,
    as_of: Annotated[AwareDatetime | None, Query()] = None,
) -> BalanceOut:
    """The balance now, or at the instant ``as_of`` (an ISO 8601 timestamp with a zone).

    With ``as_of`` the account's events recorded up to then are folded from the event
    store (the truth), so the answer does not depend on how far the read models are.
    """
    currency = policy.default_currency
    if as_of is None:
        balance = await queries.balance(runtime.pool, customer_id, currency)
    else:
        account, version = await handlers.account_as_of(runtime.store, customer_id, as_of)
        at = account.balance if account.currency is not None else Money.zero(currency)
        balance = queries.Balance(at, version)
    return BalanceOut(
        balance=balance.amount.to_decimal_string(),
        currency=balance.amount.currency,
        version=balance.version,
        as_of=as_of,
    )


async def _validation_error(request: Request, error: Exception) -> JSONResponse:
    """422 naming each faulty field, without echoing the values sent."""
    assert isinstance(error, RequestValidationError)
    detail = [{"loc": list(e["loc"]), "msg": e["msg"], "type": e["type"]} for e in error.errors()]
    return JSONResponse({"detail": detail}, status_code=422)


def install(app: FastAPI, policy: TopUpPolicy) -> None:
    """Give the app the top-up policy and the validation error handler."""
    app.state.topup_policy = policy
    app.add_exception_handler(RequestValidationError, _validation_error)
