"""Domain events of payments: a type name and a JSON-ready payload.

Public events carry exactly the payload of their ``shared.contracts`` model, so
the outbox relay can publish them as stored; internal events (the rest) never
leave the service's event store.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

# public (the contract's catalog, billing.payments.v1)
PAYMENT_CAPTURED = "PaymentCaptured"
PAYMENT_FAILED = "PaymentFailed"
PAYMENT_REQUIRES_ACTION = "PaymentRequiresAction"
REFUND_REQUESTED = "RefundRequested"
PAYMENT_REFUNDED = "PaymentRefunded"
CARD_SAVED = "CardSaved"
DEFAULT_CARD_SET = "DefaultCardSet"
CARD_REMOVED = "CardRemoved"

# internal to payments
PAYMENT_SCHEDULED = "PaymentScheduled"
CHARGE_ATTEMPTED = "ChargeAttempted"
INTENT_CREATED = "IntentCreated"
CARD_SAVE_COMPLETED = "CardSaveCompleted"
REFUND_APPROVED = "RefundApproved"
REFUND_DECLINED = "RefundDeclined"
REFUND_ATTEMPTED = "RefundAttempted"
STRIPE_REFUND_CREATED = "StripeRefundCreated"
REFUND_FAILED = "RefundFailed"
STRIPE_CUSTOMER_CREATION_STARTED = "StripeCustomerCreationStarted"
STRIPE_CUSTOMER_LINKED = "StripeCustomerLinked"

PUBLIC_EVENT_TYPES = frozenset(
    {
        PAYMENT_CAPTURED,
        PAYMENT_FAILED,
        PAYMENT_REQUIRES_ACTION,
        REFUND_REQUESTED,
        PAYMENT_REFUNDED,
        CARD_SAVED,
        DEFAULT_CARD_SET,
        CARD_REMOVED,
    }
)


@dataclass(frozen=True, slots=True)
class DomainEvent:
    """Something that happened to a payment or a payment profile."""

    type: str
    payload: Mapping[str, Any]

    @property
    def is_public(self) -> bool:
        """Tell whether the event belongs to the published contract."""
        return self.type in PUBLIC_EVENT_TYPES
