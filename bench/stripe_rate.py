"""The Stripe fake's own rate: PaymentIntents created and confirmed per second, closed loop.

Measured in the same run as the end-to-end figures, straight against the Stripe
API base with the official SDK (a saved 4242 card, ``confirm=true``), so a
reader can see whether the fake was the limit of a top-up run.
"""

from __future__ import annotations

import asyncio
import time

import stripe

from bench.load import percentile


def _client(api_base: str, api_key: str) -> stripe.StripeClient:
    return stripe.StripeClient(
        api_key,
        base_addresses={"api": api_base},
        http_client=stripe.HTTPXClient(timeout=30),
        max_network_retries=0,
    )


async def intents_per_second(
    api_base: str, api_key: str, *, workers: int = 4, seconds: float = 10.0
) -> dict[str, float]:
    """Create+confirm PaymentIntents with ``workers`` concurrent clients for ``seconds``."""
    client = _client(api_base, api_key)
    customer = await client.v1.customers.create_async(params={"description": "bench"})
    card = await client.v1.payment_methods.create_async(
        params={
            "type": "card",
            "card": {"number": "4242424242424242", "exp_month": 12, "exp_year": 2030, "cvc": "123"},
        }
    )
    await client.v1.payment_methods.attach_async(str(card.id), params={"customer": customer.id})
    latencies: list[float] = []
    end = time.perf_counter() + seconds

    async def worker() -> None:
        while time.perf_counter() < end:
            began = time.perf_counter()
            await client.v1.payment_intents.create_async(
                params={
                    "amount": 1000,
                    "currency": "usd",
                    "customer": str(customer.id),
                    "payment_method": str(card.id),
                    "confirm": True,
                    "off_session": True,
                }
            )
            latencies.append((time.perf_counter() - began) * 1000)

    began = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(workers)))
    elapsed = time.perf_counter() - began
    return {
        "intents_per_s": round(len(latencies) / elapsed, 1),
        "workers": workers,
        "seconds": round(elapsed, 1),
        "p50_ms": round(percentile(latencies, 50), 1),
        "p99_ms": round(percentile(latencies, 99), 1),
    }
