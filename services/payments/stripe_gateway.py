"""Stripe adapter, the only module that imports ``stripe``: async calls, typed results and failures.

Failures come out as four kinds: :class:`CardDeclinedError` (Stripe's 402, with its
code and message), :class:`CardUnavailableError` (a PaymentMethod this customer may
not use), :class:`StripeRejectedError` (any other 4xx: the request itself is wrong)
and :class:`StripeUnavailableError` (network, 5xx, rate limit, conflicts: retry later).
Nothing here relies on idempotency keys being honoured (localstripe ignores
them): callers look objects up by their metadata before creating them again.
Every call is timed and counted by operation and outcome (``succeeded``,
``declined``, ``rejected``, ``unavailable``, ``error`` for anything else) when the
gateway has metrics.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Awaitable
from typing import Any, TypeVar

import stripe

from services.payments.domain.values import Card, IntentView
from services.payments.gateway_types import (
    CardDeclinedError,
    CardUnavailableError,
    IntentRequest,
    StripeRejectedError,
    StripeUnavailableError,
    WebhookEvent,
    WebhookRejectedError,
    card_of,
    intent_metadata,
    intent_view,
)
from shared.metrics import ServiceMetrics

log = logging.getLogger(__name__)

T = TypeVar("T")
CUSTOMER_KEY = "billing_customer_id"
PAGE = 100


class StripeGateway:
    """Async access to the Stripe API (or localstripe) for payments."""

    def __init__(
        self,
        api_key: str,
        api_base: str | None,
        webhook_secret: str,
        *,
        timeout: float = 20.0,
        webhook_tolerance: int = 300,
        metrics: ServiceMetrics | None = None,
    ) -> None:
        self._http = stripe.HTTPXClient(timeout=timeout)
        if api_base:
            self._client = stripe.StripeClient(
                api_key,
                base_addresses={"api": api_base},
                http_client=self._http,
                max_network_retries=0,
            )
        else:
            self._client = stripe.StripeClient(
                api_key, http_client=self._http, max_network_retries=0
            )
        self._api_key = api_key
        self._webhook_secret = webhook_secret
        self._tolerance = webhook_tolerance
        self._intents_by_customer = True
        self._metrics = metrics

    async def close(self) -> None:
        """Close the HTTP connections."""
        await self._http.close_async()  # type: ignore[no-untyped-call]

    async def _call(self, operation: str, call: Awaitable[T]) -> T:
        """Await a Stripe call, translate its failure, record its duration and outcome."""
        started = time.perf_counter()
        outcome = "error"
        try:
            result = await self._translated(call)
            outcome = "succeeded"
            return result
        except CardDeclinedError:
            outcome = "declined"
            raise
        except StripeRejectedError:
            outcome = "rejected"
            raise
        except StripeUnavailableError:
            outcome = "unavailable"
            raise
        finally:
            if self._metrics is not None:
                self._metrics.observe_stripe_call(operation, outcome, time.perf_counter() - started)

    async def _translated(self, call: Awaitable[T]) -> T:
        try:
            return await call
        except stripe.CardError as exc:
            raise CardDeclinedError(
                exc.code or "card_declined", exc.user_message or "Your card was declined.", 402
            ) from exc
        except (
            stripe.APIConnectionError,
            stripe.RateLimitError,
            stripe.APIError,
            stripe.IdempotencyError,  # a concurrent or earlier request with the key: look again
        ) as exc:
            raise StripeUnavailableError(
                "stripe_unavailable", str(exc), exc.http_status or 0
            ) from exc
        except stripe.StripeError as exc:
            status = exc.http_status or 0
            message = exc.user_message or type(exc).__name__
            if status >= 500 or status in (401, 409, 429):
                raise StripeUnavailableError(
                    exc.code or "stripe_unavailable", message, status
                ) from exc
            raise StripeRejectedError(exc.code or "invalid_request", message, status) from exc

    async def create_customer(self, customer_id: str) -> str:
        """Create the Stripe Customer of one of our customers; return its id."""
        created = await self._call(
            "customers.create",
            self._client.v1.customers.create_async(
                params={"metadata": {CUSTOMER_KEY: customer_id}},
                options={"idempotency_key": f"customer-{customer_id}"},
            ),
        )
        return str(created.id)

    async def find_customer(self, customer_id: str) -> str | None:
        """The Stripe Customer whose metadata names ``customer_id``, if one exists."""
        after: str | None = None
        while True:
            page = await self._call(
                "customers.list",
                self._client.v1.customers.list_async(
                    params={"limit": PAGE, **({"starting_after": after} if after else {})}
                ),
            )
            for found in page.data:
                if (found.to_dict().get("metadata") or {}).get(CUSTOMER_KEY) == customer_id:
                    return str(found.id)
            if not page.has_more or not page.data:
                return None
            after = str(page.data[-1].id)

    async def retrieve_card(self, payment_method_id: str) -> tuple[Card, str | None]:
        """The card of a PaymentMethod and the Stripe Customer it is attached to, if any."""
        method = await self._call(
            "payment_methods.retrieve",
            self._client.v1.payment_methods.retrieve_async(payment_method_id),
        )
        data = method.to_dict()
        return card_of(data), data.get("customer")

    async def prepare_card(self, payment_method_id: str, stripe_customer_id: str) -> Card:
        """Attach the card to the Stripe Customer unless it is already (declines raise)."""
        card, owner = await self.retrieve_card(payment_method_id)
        if owner == stripe_customer_id:
            return card
        if owner is not None:
            raise CardUnavailableError(
                "payment_method_unavailable", "This card cannot be used for this customer."
            )
        await self._call(
            "payment_methods.attach",
            self._client.v1.payment_methods.attach_async(
                payment_method_id, params={"customer": stripe_customer_id}
            ),
        )
        return card

    async def detach_card(self, payment_method_id: str, stripe_customer_id: str) -> None:
        """Detach the card from the Stripe Customer (nothing when it is not attached to it)."""
        _, owner = await self.retrieve_card(payment_method_id)
        if owner == stripe_customer_id:
            await self._call(
                "payment_methods.detach",
                self._client.v1.payment_methods.detach_async(payment_method_id),
            )

    async def set_default_card(
        self, stripe_customer_id: str, payment_method_id: str | None
    ) -> None:
        """Mirror the default card to ``invoice_settings.default_payment_method``."""
        await self._call(
            "customers.update",
            self._client.v1.customers.update_async(
                stripe_customer_id,
                params={"invoice_settings": {"default_payment_method": payment_method_id or ""}},
            ),
        )

    async def create_setup_intent(self, stripe_customer_id: str) -> str:
        """Create a SetupIntent (a new card, turned into a PaymentMethod by Stripe.js)."""
        intent = await self._call(
            "setup_intents.create",
            self._client.v1.setup_intents.create_async(
                params={"customer": stripe_customer_id, "usage": "off_session"}
            ),
        )
        return str(intent.client_secret)

    async def create_intent(self, request: IntentRequest) -> IntentView:
        """Create and confirm a PaymentIntent for exactly the amount (declines raise)."""
        created = await self._call(
            "payment_intents.create",
            self._client.v1.payment_intents.create_async(
                params={
                    "amount": request.amount,
                    "currency": request.currency.lower(),
                    "customer": request.stripe_customer_id,
                    "payment_method": request.payment_method_id,
                    "confirm": True,
                    "metadata": intent_metadata(request),
                    "off_session": request.off_session,
                },
                options={"idempotency_key": f"payment-{request.payment_id}"},
            ),
        )
        return intent_view(created.to_dict())

    async def retrieve_intent(self, intent_id: str) -> IntentView:
        """What a PaymentIntent says now."""
        intent = await self._call(
            "payment_intents.retrieve", self._client.v1.payment_intents.retrieve_async(intent_id)
        )
        return intent_view(intent.to_dict())

    async def find_intent(self, stripe_customer_id: str, payment_id: str) -> IntentView | None:
        """The PaymentIntent whose metadata names ``payment_id``, if one exists.

        Lists the customer's intents; a server that cannot filter by customer
        (localstripe) is scanned whole instead, from then on.
        """
        if self._intents_by_customer:
            try:
                return await self._scan_intents(stripe_customer_id, payment_id, by_customer=True)
            except StripeRejectedError as exc:
                if exc.status != 400:
                    raise
                log.info("PaymentIntents cannot be listed by customer (%s): scanning", exc.message)
                self._intents_by_customer = False
        return await self._scan_intents(stripe_customer_id, payment_id, by_customer=False)

    async def _scan_intents(
        self, stripe_customer_id: str, payment_id: str, *, by_customer: bool
    ) -> IntentView | None:
        after: str | None = None
        while True:
            params: dict[str, Any] = {"limit": PAGE}
            if by_customer:
                params["customer"] = stripe_customer_id
            if after:
                params["starting_after"] = after
            page = await self._call(
                "payment_intents.list",
                self._client.v1.payment_intents.list_async(params=params),  # type: ignore[arg-type]
            )
            for intent in page.data:
                data = intent.to_dict()
                metadata = data.get("metadata") or {}
                mine = data.get("customer") == stripe_customer_id
                if mine and metadata.get("payment_id") == payment_id:
                    return intent_view(data)
            if not page.has_more or not page.data:
                return None
            after = str(page.data[-1].id)

    async def create_refund(
        self, intent_id: str, amount: int, refund_key: str, payment_id: str
    ) -> str:
        """Refund ``amount`` of a PaymentIntent; return the Stripe refund id."""
        refund = await self._call(
            "refunds.create",
            self._client.v1.refunds.create_async(
                params={
                    "payment_intent": intent_id,
                    "amount": amount,
                    "metadata": {"refund_key": refund_key, "payment_id": payment_id},
                },
                options={"idempotency_key": refund_key},
            ),
        )
        return str(refund.id)

    async def find_refund(self, intent_id: str, refund_key: str) -> str | None:
        """The refund of the PaymentIntent whose metadata names ``refund_key``, if any."""
        after: str | None = None
        while True:
            page = await self._call(
                "refunds.list",
                self._client.v1.refunds.list_async(
                    params={
                        "payment_intent": intent_id,
                        "limit": PAGE,
                        **({"starting_after": after} if after else {}),
                    }
                ),
            )
            for refund in page.data:
                if (refund.to_dict().get("metadata") or {}).get("refund_key") == refund_key:
                    return str(refund.id)
            if not page.has_more or not page.data:
                return None
            after = str(page.data[-1].id)

    def parse_webhook(self, payload: bytes, signature: str | None) -> WebhookEvent:
        """Verify a webhook's ``Stripe-Signature`` (secret and timestamp) and read it."""
        if not signature:
            raise WebhookRejectedError("missing Stripe-Signature header")
        try:
            stripe.Webhook.construct_event(
                payload, signature, self._webhook_secret, self._tolerance, api_key=self._api_key
            )
            data = json.loads(payload)
        except stripe.SignatureVerificationError as exc:
            raise WebhookRejectedError(f"bad signature: {exc.user_message}") from None
        except ValueError:
            raise WebhookRejectedError("the body is not JSON") from None
        event_type = str(data.get("type", ""))
        obj = (data.get("data") or {}).get("object") or {}
        intent = intent_view(obj) if obj.get("object") == "payment_intent" else None
        return WebhookEvent(event_id=str(data["id"]), event_type=event_type, intent=intent)
