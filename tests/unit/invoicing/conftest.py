"""Builders for the invoice's unit tests: money, issued invoices, and folding decisions."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import TypeVar

from services.invoicing.domain import decide
from services.invoicing.domain.commands import IssueInvoice
from services.invoicing.domain.events import InvoiceEvent
from services.invoicing.domain.state import Invoice, Line
from shared.money import Money

Command = TypeVar("Command")


def usd(amount: str) -> Money:
    return Money.parse(amount, "USD")


def issued(*amounts: str, due_at: datetime | None = None, invoice_id: str = "inv1") -> Invoice:
    """An invoice issued with one line per amount, its debit asked of credits."""
    lines = tuple(Line(f"line {i}", usd(a)) for i, a in enumerate(amounts))
    command = IssueInvoice(invoice_id, "USD", lines, due_at)
    return decide.fold(Invoice(invoice_id), decide.issue(Invoice(invoice_id), command))


def run(
    invoice: Invoice, decider: Callable[[Invoice, Command], list[InvoiceEvent]], command: Command
) -> tuple[Invoice, list[InvoiceEvent]]:
    """Decide, and fold the decided events; return the new invoice and the events."""
    events = decider(invoice, command)
    return decide.fold(invoice, events), events


def types(events: list[InvoiceEvent]) -> list[str]:
    return [event.event_type for event in events]
