"""``billing credits``: ledger, balance and operator grants, over the credits HTTP API."""

from __future__ import annotations

import re
import time
from typing import Annotated, Any

import typer
from rich.table import Table
from rich.text import Text

from shared.money import Money, MoneyError

from . import api
from .config import OpsConfig
from .errors import InputError
from .output import amount, minute, out, parse_time

app = typer.Typer(
    help="A customer's credit ledger and balance, and grants (credits' HTTP API, operator token).",
    no_args_is_help=True,
)

_CUSTOMER = re.compile(r"^[A-Za-z0-9._-]{1,64}$")
GRANT_SETTLE_SECONDS = 5.0

Customer = Annotated[
    str, typer.Argument(metavar="CUSTOMER", help="The customer id, e.g. cus-demo.")
]


def _customer(customer_id: str) -> str:
    if not _CUSTOMER.fullmatch(customer_id) or set(customer_id) == {"."}:
        raise InputError(
            f"customer id {customer_id!r}: 1 to 64 letters, digits, '.', '_' or '-' expected"
        )
    return customer_id


def _ledger_table(customer_id: str, page: dict[str, Any]) -> Table:
    table = Table(title=f"Credits of {customer_id}", title_justify="left")
    table.add_column("#", justify="right")
    table.add_column("Amount", justify="right")
    table.add_column("Description")
    table.add_column("Created")
    for entry in page["entries"]:
        table.add_row(
            str(entry["number"]),
            amount(entry["amount"]),
            Text(entry["description"]),
            minute(entry["created_at"]),
        )
    return table


@app.command()
def ledger(
    customer_id: Customer,
    limit: Annotated[int, typer.Option(min=1, max=200, help="Entries per page (1 to 200).")] = 50,
    cursor: Annotated[
        int | None,
        typer.Option(min=1, help="Show entries numbered below this one (a page's next cursor)."),
    ] = None,
    all_pages: Annotated[
        bool, typer.Option("--all", help="Follow every page to the oldest.")
    ] = False,
) -> None:
    """Print the ledger, newest first (#, Amount, Description, Created) and the balance."""
    config = OpsConfig.from_env()
    path = f"/v1/customers/{_customer(customer_id)}/credits"
    params = {"limit": str(limit)}
    if cursor is not None:
        params["cursor"] = str(cursor)
    page: dict[str, Any] = api.call(config, "credits", "GET", path, params=params)
    entries = list(page["entries"])
    while all_pages and page.get("next_cursor"):
        params["cursor"] = page["next_cursor"]
        page = api.call(config, "credits", "GET", path, params=params)
        entries.extend(page["entries"])
    out.print(_ledger_table(customer_id, {**page, "entries": entries}))
    out.print(f"Balance: {amount(page['balance'])} {page['currency']}")
    if page.get("next_cursor"):
        out.print(f"Older entries: --cursor {page['next_cursor']}")


@app.command()
def balance(
    customer_id: Customer,
    as_of: Annotated[
        str | None,
        typer.Option(
            help="An ISO 8601 time (UTC when it has no zone): the balance the account's "
            "events recorded up to then leave, folded from the event store.",
        ),
    ] = None,
) -> None:
    """Print the balance now, or at the time given with --as-of."""
    config = OpsConfig.from_env()
    params = {}
    if as_of is not None:
        params["as_of"] = parse_time(as_of, "--as-of").isoformat()
    path = f"/v1/customers/{_customer(customer_id)}/balance"
    found: dict[str, Any] = api.call(config, "credits", "GET", path, params=params)
    when = f" as of {params['as_of']}" if as_of is not None else ""
    out.print(
        f"Balance of {customer_id}{when}: {found['balance']} {found['currency']} "
        f"(account version {found['version']})"
    )


def _grant_money(text: str, currency: str) -> Money:
    try:
        money = Money.parse(text, currency)
    except MoneyError as error:
        raise InputError(f"amount: {error}") from None
    if money.minor <= 0:
        raise InputError(f"amount {text!r}: a grant must be more than zero")
    return money


def _settled_balance(config: OpsConfig, path: str, before: int) -> dict[str, Any]:
    """The balance once the projection shows a version after ``before`` (or as it is)."""
    deadline = time.monotonic() + GRANT_SETTLE_SECONDS
    found: dict[str, Any] = api.call(config, "credits", "GET", path)
    while found["version"] <= before and time.monotonic() < deadline:
        time.sleep(0.1)
        found = api.call(config, "credits", "GET", path)
    return found


@app.command(context_settings={"ignore_unknown_options": True})
def grant(
    customer_id: Customer,
    amount_text: Annotated[
        str, typer.Argument(metavar="AMOUNT", help="A positive decimal amount, e.g. 25.00.")
    ],
    description: Annotated[
        str, typer.Argument(metavar="DESCRIPTION", help="The ledger entry's description.")
    ],
    currency: Annotated[str, typer.Option(help="ISO 4217 currency code.")] = "USD",
    idempotency_key: Annotated[
        str | None,
        typer.Option(help="Send it again with the same key: the grant is made once."),
    ] = None,
) -> None:
    """Credit a customer's balance without a payment (operator token), then print the balance."""
    config = OpsConfig.from_env()
    customer = _customer(customer_id)
    money = _grant_money(amount_text, currency.upper())
    balance_path = f"/v1/customers/{customer}/balance"
    before: dict[str, Any] = api.call(config, "credits", "GET", balance_path)
    headers = {"Idempotency-Key": idempotency_key} if idempotency_key else None
    made: dict[str, Any] = api.call(
        config,
        "credits",
        "POST",
        f"/v1/customers/{customer}/credits/grants",
        json={
            "amount": money.to_decimal_string(),
            "currency": money.currency,
            "description": description,
        },
        headers=headers,
    )
    out.print(
        f"Granted {made['amount']} {made['currency']} to {customer}: "
        f"{made['description']} ({made['grant_id']})",
        markup=False,
    )
    after = _settled_balance(config, balance_path, before["version"])
    out.print(f"Balance of {customer}: {after['balance']} {after['currency']}")
