"""Run the whole platform on this machine: ``python -m services`` (what ``make run`` does).

Starts whichever of PostgreSQL, Kafka and Stripe (localstripe) the environment
does not name, with their data under ``.data/`` (kept between runs), creates one
database per service, starts the three services and the customer portal, prints
where everything answers (the portal with a sign-in link for the demo customer),
and stops it all on Ctrl-C or SIGTERM.
"""

from __future__ import annotations

import argparse
import logging
import os
import signal
import sys
import threading
import warnings
from pathlib import Path

import jwt
import stripe

from services.platform import DEFAULT_PORTS, PORTAL_PORT, LocalPlatform, PlatformConfig
from shared.auth import issue_customer_token
from shared.devservers.stack import DevStack
from shared.settings import DEV_CUSTOMER_TOKEN_SECRET, DEV_OPERATOR_TOKEN

DEMO_CUSTOMER = "cus-demo"


def _print_banner(stack: DevStack, platform: LocalPlatform, logs: Path) -> None:
    operator = os.environ.get("OPERATOR_TOKEN", DEV_OPERATOR_TOKEN)
    secret = os.environ.get("CUSTOMER_TOKEN_SECRET", DEV_CUSTOMER_TOKEN_SECRET)
    print("\nbilling platform is up (Ctrl-C stops everything)\n")
    for name in DEFAULT_PORTS:
        print(f"  {name:<10} {platform.url(name)}   (docs /docs, health /healthz /readyz)")
    print(f"  {'postgres':<10} {stack.database_url}")
    print(f"  {'kafka':<10} {stack.kafka_bootstrap_servers}")
    print(f"  {'stripe':<10} {stack.stripe_api_base}")
    print(f"\n  operator token         {operator}")
    print(f"  customer token secret  {secret}")
    with warnings.catch_warnings():  # the development secret is short on purpose
        warnings.simplefilter("ignore", jwt.warnings.InsecureKeyLengthWarning)
        token = issue_customer_token(secret, DEMO_CUSTOMER, ttl_seconds=7 * 24 * 3600)
    print(f"  token of {DEMO_CUSTOMER}   {token}")
    print(f"\n  customer portal        {platform.url('portal')}/")
    print(f"  sign in as {DEMO_CUSTOMER}    {platform.url('portal')}/sign-in?token={token}\n")
    print(f"  service logs           {logs}/<service>.log")
    card = _demo_card(stack)
    body = f'{{"amount": "100.00", "currency": "USD", "description": "test"{card}}}'
    print("\n  add 100.00 of credit for the demo customer:\n")
    print(f"  curl -s -X POST {platform.url('credits')}/v1/customers/{DEMO_CUSTOMER}/credits \\")
    print(f"    -H 'Authorization: Bearer {token}' \\")
    print("    -H \"Idempotency-Key: demo-$(date +%s%N)\" -H 'Content-Type: application/json' \\")
    print(f"    -d '{body}'")
    print(f"  curl -s -H 'Authorization: Bearer {token}' \\")
    print(f"    {platform.url('credits')}/v1/customers/{DEMO_CUSTOMER}/credits\n", flush=True)


def _demo_card(stack: DevStack) -> str:
    """A Visa test PaymentMethod at our localstripe, as a JSON fragment ('' elsewhere)."""
    if stack.stripe is None:
        return ""
    client = stripe.StripeClient(
        stack.stripe_api_key, base_addresses={"api": stack.stripe_api_base}
    )
    method = client.v1.payment_methods.create(
        params={
            "type": "card",
            "card": {"number": "4242424242424242", "exp_month": 12, "exp_year": 2034, "cvc": "123"},
        }
    )
    return f', "payment_method_id": "{method.id}"'


def main(argv: list[str] | None = None) -> int:
    """Start servers and services, wait for a stop signal, stop everything."""
    parser = argparse.ArgumentParser(prog="python -m services", description=__doc__)
    parser.add_argument("--data", type=Path, default=Path(".data"), help="data folder")
    parser.add_argument("--timeout", type=float, default=60.0, help="seconds to wait per service")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    stop = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stop.set())
    data = args.data.resolve()
    ports = {n: int(os.environ.get(f"{n.upper()}_PORT", p)) for n, p in DEFAULT_PORTS.items()}
    with DevStack(data, fixed_ports=True) as stack:
        platform = LocalPlatform(
            PlatformConfig(
                database_url=stack.database_url,
                kafka_bootstrap_servers=stack.kafka_bootstrap_servers,
                stripe_api_base=stack.stripe_api_base,
                stripe_api_key=stack.stripe_api_key,
                folder=data,
                ports=ports,
                portal_port=int(os.environ.get("PORTAL_PORT", PORTAL_PORT)),
            )
        )
        try:
            platform.start(timeout=args.timeout)
            platform.start_portal(timeout=args.timeout)
            _print_banner(stack, platform, data / "logs")
            while not stop.wait(1.0):
                for name in platform.dead():
                    print(f"{name} exited: see {data}/logs/{name}.log", file=sys.stderr)
                    stop.set()
        finally:
            platform.stop()
    print("stopped", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
