"""The portal's pages and the fragments its script reloads, rendered on the server.

Pages: Credits (balance, table, Refresh, the Add credit form), Invoices and Payment
options. Fragments (``/fragments/...``) are the parts of a page that change after an
action; the page's script fetches them again instead of rendering data itself.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates

from portal.backends import Backends, ServiceUnavailableError, customer_path
from portal.formatting import created, table_amount
from portal.security import Checked, csrf_of, session_or_none, settings_of
from portal.session import SESSION_COOKIE, Session, read_token

templates = Jinja2Templates(directory=Path(__file__).parent / "templates")
router = APIRouter()

LEDGER_PAGE = 20
Cursor = Annotated[str | None, Query(pattern=r"^[1-9][0-9]{0,18}$")]


class LoadError(Exception):
    """A service could not give what a page shows."""


def _backends(request: Request) -> Backends:
    found: Backends = request.app.state.backends
    return found


async def _get(request: Request, service: str, path: str, session: Session, **params: str) -> Any:
    parts = _backends(request)
    client = getattr(parts, service)
    try:
        answer = await parts.call(client, "GET", path, session, params=params or None)
    except ServiceUnavailableError:
        raise LoadError(f"The {service} service does not answer; try Refresh.") from None
    if answer.status_code != 200:
        raise LoadError(f"The {service} service answered {answer.status_code}; try Refresh.")
    return answer.json()


async def _ledger(request: Request, session: Session, cursor: str | None) -> dict[str, Any]:
    params = {"limit": str(LEDGER_PAGE)} | ({"cursor": cursor} if cursor else {})
    try:
        page = await _get(request, "credits", customer_path(session, "/credits"), session, **params)
    except LoadError as error:
        return {"ledger_error": str(error), "cursor": cursor}
    entries = [
        {
            "number": e["number"],
            "amount": table_amount(e["amount"]),
            "description": e["description"],
            "created": created(e["created_at"]),
        }
        for e in page["entries"]
    ]
    ledger = {
        "balance": page["balance"],
        "currency": page["currency"],
        "entries": entries,
        "next_cursor": page.get("next_cursor"),
    }
    return {"ledger": ledger, "cursor": cursor}


async def _cards(request: Request, session: Session) -> dict[str, Any]:
    path = customer_path(session, "/payment-methods")
    try:
        cards: list[dict[str, Any]] = await _get(request, "payments", path, session)
    except LoadError as error:
        return {"cards_error": str(error), "cards": [], "selected": "new"}
    default = next((c["id"] for c in cards if c["is_default"]), None)
    return {"cards": cards, "selected": default or (cards[0]["id"] if cards else "new")}


async def _invoices(request: Request, session: Session) -> dict[str, Any]:
    path = customer_path(session, "/invoices")
    try:
        page = await _get(request, "invoicing", path, session, limit="50")
    except LoadError as error:
        return {"invoices_error": str(error)}
    invoices = []
    for invoice in page["invoices"]:
        lines = [line["description"] for line in invoice.get("lines", [])]
        payable = invoice["status"] in ("active", "expired") and invoice["remaining"] != "0.00"
        invoices.append(
            invoice
            | {
                "description": ", ".join(lines),
                "due": created(invoice["due_at"]) if invoice.get("due_at") else "",
                "payable": payable and not invoice["payment_in_progress"],
            }
        )
    return {"invoices": invoices}


def _page(
    request: Request, template: str, session: Session, page: str, title: str, **context: Any
) -> HTMLResponse:
    settings = settings_of(request)
    return templates.TemplateResponse(
        request,
        template,
        {
            "page": page,
            "title": title,
            "customer_id": session.customer_id,
            "csrf": csrf_of(request).issue(session),
            "stripe_js": settings.stripe_js_base,
            "stripe_key": settings.stripe_publishable_key,
            **context,
        },
    )


def _signed_out(request: Request, message: str, status_code: int = 401) -> HTMLResponse:
    return templates.TemplateResponse(
        request,
        "signed_out.html",
        {"page": "signed-out", "title": "Signed out", "message": message},
        status_code=status_code,
    )


NOT_SIGNED_IN = "You are not signed in. Open the sign-in link you were given."


@router.get("/sign-in")
async def sign_in(request: Request, token: Annotated[str, Query(max_length=4096)] = "") -> Response:
    """Keep the customer token in the session cookie and open the Credits tab."""
    settings = settings_of(request)
    session = read_token(token, settings.customer_token_secret)
    if session is None:
        return _signed_out(request, "This sign-in link is invalid or has expired.")
    response = RedirectResponse("/credits", status_code=303)
    response.set_cookie(
        SESSION_COOKIE,
        session.token,
        expires=session.expires_at,
        path="/",
        secure=settings.secure_cookies,
        httponly=True,
        samesite="strict",
    )
    return response


@router.post("/sign-out", status_code=204)
async def sign_out(request: Request, session: Checked) -> Response:
    """Forget the session cookie."""
    response = Response(status_code=204)
    response.delete_cookie(
        SESSION_COOKIE, path="/", secure=settings_of(request).secure_cookies, httponly=True,
        samesite="strict",
    )  # fmt: skip
    return response


@router.get("/", response_model=None)
async def home(request: Request) -> Response:
    """The Credits tab when signed in."""
    if session_or_none(request) is None:
        return _signed_out(request, NOT_SIGNED_IN)
    return RedirectResponse("/credits", status_code=303)


@router.get("/credits", response_class=HTMLResponse)
async def credits_page(request: Request, cursor: Cursor = None) -> HTMLResponse:
    """Balance, the credit table (newest first, paginated) and the Add credit form."""
    session = session_or_none(request)
    if session is None:
        return _signed_out(request, NOT_SIGNED_IN)
    context = await _ledger(request, session, cursor) | await _cards(request, session)
    return _page(
        request, "credits.html", session, "credits", "Credits", save_options=True, **context
    )


@router.get("/invoices", response_class=HTMLResponse)
async def invoices_page(request: Request) -> HTMLResponse:
    """The customer's invoices, and the form paying one by card."""
    session = session_or_none(request)
    if session is None:
        return _signed_out(request, NOT_SIGNED_IN)
    context = await _invoices(request, session) | await _cards(request, session)
    return _page(request, "invoices.html", session, "invoices", "Invoices", **context)


@router.get("/payment-options", response_class=HTMLResponse)
async def payment_options_page(request: Request) -> HTMLResponse:
    """Saved cards (set default, remove) and the form adding one."""
    session = session_or_none(request)
    if session is None:
        return _signed_out(request, NOT_SIGNED_IN)
    context = await _cards(request, session)
    return _page(
        request, "payment_options.html", session, "payment-options", "Payment options", **context
    )


Load = Callable[[Request, Session], Awaitable[dict[str, Any]]]


async def _fragment(request: Request, template: str, load: Load) -> Response:
    """``template`` filled by ``load`` for the signed-in customer; 401 when signed out."""
    session = session_or_none(request)
    if session is None:
        return Response(NOT_SIGNED_IN, status_code=401)
    return templates.TemplateResponse(request, template, await load(request, session))


@router.get("/fragments/ledger", response_class=HTMLResponse)
async def ledger_fragment(request: Request, cursor: Cursor = None) -> Response:
    """The balance and one page of the credit table."""

    async def ledger_page(request: Request, session: Session) -> dict[str, Any]:
        return await _ledger(request, session, cursor)

    return await _fragment(request, "_ledger.html", ledger_page)


@router.get("/fragments/card-choices", response_class=HTMLResponse)
async def card_choices_fragment(request: Request) -> Response:
    """The saved cards to pay with, the default one selected, and "New card"."""
    return await _fragment(request, "_card_choices.html", _cards)


@router.get("/fragments/invoices", response_class=HTMLResponse)
async def invoices_fragment(request: Request) -> Response:
    """The invoice table."""
    return await _fragment(request, "_invoices.html", _invoices)


@router.get("/fragments/payment-methods", response_class=HTMLResponse)
async def payment_methods_fragment(request: Request) -> Response:
    """The saved cards with their actions."""
    return await _fragment(request, "_payment_methods.html", _cards)
