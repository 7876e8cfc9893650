"""End-to-end benchmark: top-ups, invoices, reads, rebuild and memory of the running platform.

``python -m bench.system`` (run by ``make bench`` after the event store benchmark)
starts its own PostgreSQL, Kafka and localstripe and the three services in a
scratch folder, on free ports, then measures:

1. the Stripe fake's own rate (PaymentIntents created and confirmed per second,
   closed loop), before and after the load, to show whether it was the limit;
2. each service's resident memory idle, and its peak under load;
3. balance and first-ledger-page reads for accounts holding 10, 10,000 and
   100,000 events (histories appended straight into the credits event store);
4. invoices paid from credits, open loop at each rate: latency from
   ``POST /v1/invoices`` to ``InvoicePaid`` on the invoicing topic;
5. top-ups, open loop at each rate: latency from the ``POST`` to ``CreditAdded``
   on the credits topic (HTTP → Kafka → Stripe → Kafka → balance). A rate whose
   backlog does not drain stops the ladder, since higher rates would only pile up,
   and the next measurement waits until that backlog is done and every consumer
   group has caught up;
6. rebuild and verify of the credits projection over 1,000,000 events, in a
   fresh database on the same PostgreSQL.

Figures are printed beside their targets and written as JSON under ``bench/results/``.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import tempfile
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import stripe
import uvloop

from bench.histories import append_grants, fill_for_rebuild, wait_projected
from bench.load import (
    Completions,
    Send,
    listen,
    percentile,
    run_open_loop,
    start_listening,
    wait_drained,
)
from bench.machine import machine_facts
from bench.rss import RssSampler
from bench.stripe_rate import intents_per_second
from services.credits.app import SPEC as CREDITS_SPEC
from services.credits.projections import CreditsProjection
from services.invoicing.app import SPEC as INVOICING_SPEC
from services.payments.app import SPEC as PAYMENTS_SPEC
from services.platform import SERVICE_NAMES, LocalPlatform, PlatformConfig
from shared.auth import issue_customer_token
from shared.contracts import CREDITS_TOPIC, INVOICING_TOPIC
from shared.database import create_pool, migrate
from shared.devservers.ports import free_port
from shared.devservers.postgres import create_database
from shared.devservers.stack import DevStack
from shared.eventstore import EVENTS_DDL, EventStore
from shared.messaging.lag import ConsumerGroupLag
from shared.projections import PROJECTIONS_DDL
from shared.projections.rebuild import rebuild
from shared.projections.verify import verify
from shared.settings import DEV_CUSTOMER_TOKEN_SECRET, DEV_OPERATOR_TOKEN
from shared.tuning import tune_gc

TARGETS = {
    "topup_p99_ms_at_50_per_s": 100,
    "read_p99_ms": 5,
    "rebuild_1m_seconds": 10,
    "idle_rss_mib": 120,
}
OPERATOR = {"Authorization": f"Bearer {DEV_OPERATOR_TOKEN}"}
CARD_OK = "4242424242424242"


def _headers(customer_id: str) -> dict[str, str]:
    token = issue_customer_token(DEV_CUSTOMER_TOKEN_SECRET, customer_id, ttl_seconds=6 * 3600)
    return {"Authorization": f"Bearer {token}"}


class Bench:
    """One run against one platform: its clients, customers and what it heard on Kafka."""

    def __init__(self, platform: LocalPlatform, args: argparse.Namespace) -> None:
        self.platform = platform
        self.args = args
        prefix = platform.config.extra_env["KAFKA_TOPIC_PREFIX"]
        self.completions = Completions(
            finishing={
                "CreditAdded": (prefix + CREDITS_TOPIC, "request_id"),
                "InvoicePaid": (prefix + INVOICING_TOPIC, "invoice_id"),
            },
            failing={"CreditRequestFailed": (prefix + CREDITS_TOPIC, "request_id")},
        )
        limits = httpx.Limits(max_connections=2000, max_keepalive_connections=500)
        self.client = httpx.AsyncClient(limits=limits, timeout=httpx.Timeout(10.0))
        self.headers: dict[str, dict[str, str]] = {}
        self.backlog: set[str] = set()
        """Accepted requests of the last rate run that have not finished yet."""

    def url(self, service: str, path: str) -> str:
        return f"{self.platform.url(service)}{path}"

    def as_customer(self, customer_id: str) -> dict[str, str]:
        if customer_id not in self.headers:
            self.headers[customer_id] = _headers(customer_id)
        return self.headers[customer_id]

    # -- set-up ---------------------------------------------------------------------------

    async def card_customers(self, count: int) -> list[str]:
        """Customers with a 4242 card saved as their default at the payments service."""
        config = self.platform.config
        sdk = stripe.StripeClient(
            config.stripe_api_key,
            base_addresses={"api": config.stripe_api_base},
            http_client=stripe.HTTPXClient(timeout=30),
        )
        customers = [f"cus-topup-{uuid.uuid4().hex[:10]}" for _ in range(count)]

        async def save(customer: str) -> None:
            card = await sdk.v1.payment_methods.create_async(
                params={
                    "type": "card",
                    "card": {"number": CARD_OK, "exp_month": 12, "exp_year": 2030, "cvc": "123"},
                }
            )
            response = await self.client.post(
                self.url("payments", f"/v1/customers/{customer}/payment-methods"),
                json={"payment_method_id": str(card.id), "set_default": True},
                headers=self.as_customer(customer),
            )
            if response.status_code not in (200, 201):
                raise RuntimeError(f"saving a card failed: {response.status_code} {response.text}")

        for start in range(0, count, 10):
            await asyncio.gather(*(save(c) for c in customers[start : start + 10]))
        return customers

    async def credited_customers(self, count: int, amount: str) -> list[str]:
        """Customers granted ``amount`` USD of credit by an operator."""
        customers = [f"cus-invoice-{uuid.uuid4().hex[:10]}" for _ in range(count)]
        for customer in customers:
            response = await self.client.post(
                self.url("credits", f"/v1/customers/{customer}/credits/grants"),
                json={"amount": amount, "description": "bench credit"},
                headers={**OPERATOR, "Idempotency-Key": uuid.uuid4().hex},
            )
            if response.status_code != 201:
                raise RuntimeError(f"grant failed: {response.status_code} {response.text}")
        return customers

    def topup_sender(self, customers: list[str]) -> Send:
        """Request n tops up customer n (mod their number) by 10.00 USD with the default card."""

        async def send(client: httpx.AsyncClient, n: int) -> httpx.Response:
            customer = customers[n % len(customers)]
            return await client.post(
                self.url("credits", f"/v1/customers/{customer}/credits"),
                json={"amount": "10.00", "currency": "USD", "description": "bench top-up"},
                headers={**self.as_customer(customer), "Idempotency-Key": uuid.uuid4().hex},
            )

        return send

    def invoice_sender(self, customers: list[str]) -> Send:
        """Request n issues customer n (mod their number) an invoice of 1.00 USD."""

        async def send(client: httpx.AsyncClient, n: int) -> httpx.Response:
            customer = customers[n % len(customers)]
            return await client.post(
                self.url("invoicing", "/v1/invoices"),
                json={
                    "customer_id": customer,
                    "currency": "USD",
                    "lines": [{"description": "bench order", "amount": "1.00"}],
                },
                headers=self.as_customer(customer),
            )

        return send

    # -- load -----------------------------------------------------------------------------

    async def ladder(self, kind: str, customers: list[str]) -> list[dict[str, Any]]:
        """Run each rate of ``--rates`` for ``kind`` ("topups" or "invoices")."""
        args, phases = self.args, []

        send, status, field = (
            (self.topup_sender(customers), 202, "request_id")
            if kind == "topups"
            else (self.invoice_sender(customers), 201, "invoice_id")
        )
        for index, rate in enumerate(args.rates):
            print(f"  {kind}: {rate}/s for {args.duration:g} s ...", flush=True)
            figures, pending = await run_open_loop(
                send,
                self.completions,
                rate=rate,
                duration=args.duration,
                grace=args.grace,
                accepted_status=status,
                id_field=field,
                client=self.client,
            )
            left = await wait_drained(pending, self.completions, args.drain)
            figures["backlog_after_drain"] = left
            self.backlog = {ref for ref in pending if not self.completions.ended(ref)}
            phases.append(figures)
            print(f"    {_phase_line(figures)}", flush=True)
            if left:
                for skipped in args.rates[index + 1 :]:
                    phases.append({"offered_per_s": skipped, "skipped": "backlog did not drain"})
                break
        return phases

    async def settle(self, timeout: float) -> dict[str, float]:
        """Wait until the backlog a ladder left behind has finished and every consumer
        group has caught up with its topics (each service also hears, one record at a
        time, the other services' events it does not act on), so that none of it weighs
        on what is measured next; return how long that took and what was left."""
        began = time.perf_counter()
        deadline = began + timeout
        left = await wait_drained(self.backlog, self.completions, timeout)
        lag = await self.consumers_lag(deadline)
        return {"backlog": len(self.backlog), "seconds": round(time.perf_counter() - began, 1),
                "left": left, "consumer_lag_left": lag}  # fmt: skip

    async def consumers_lag(self, deadline: float) -> int:
        """Wait until the services' consumer groups have no lag (or ``deadline``); return
        the records they still had to read."""
        config = self.platform.config
        prefix = config.extra_env["KAFKA_TOPIC_PREFIX"]
        lags = [
            ConsumerGroupLag(
                config.kafka_bootstrap_servers,
                prefix + spec.name,
                [prefix + t for t in spec.consumes],
            )
            for spec in (CREDITS_SPEC, PAYMENTS_SPEC, INVOICING_SPEC)
        ]
        try:
            while True:
                total = 0
                for lag in lags:
                    total += sum((await lag.measure()).values())
                if total == 0 or time.perf_counter() > deadline:
                    return total
                await asyncio.sleep(1.0)
        finally:
            for lag in lags:
                await lag.close()

    async def warm_up(self, topup_customer: str, invoice_customer: str) -> None:
        """One top-up and one invoice through the whole flow before anything is timed
        (consumer groups joined, connections open)."""

        kinds = (
            (self.topup_sender([topup_customer]), 202, "request_id"),
            (self.invoice_sender([invoice_customer]), 201, "invoice_id"),
        )
        for send, status, field in kinds:
            figures, _ = await run_open_loop(
                send, self.completions, rate=1, duration=1, grace=60,
                accepted_status=status, id_field=field, client=self.client,
            )  # fmt: skip
            if figures["completed"] != 1:
                raise RuntimeError(f"the warm-up {field} did not complete: {figures}")

    async def wait_heard(self, records: int, timeout: float) -> float:
        """Wait until the benchmark's consumer has heard ``records`` records; return seconds."""
        began = time.perf_counter()
        await self.completions.wait_until(
            lambda: self.completions.records >= records, began + timeout
        )
        if self.completions.records < records:
            raise TimeoutError(f"heard {self.completions.records} of {records} records")
        return time.perf_counter() - began

    # -- reads ----------------------------------------------------------------------------

    async def reads(self, sizes: list[int]) -> list[dict[str, Any]]:
        """Balance and ledger-page p50/p99 for accounts holding each number of events."""
        dsn = self.platform.env("credits")["DATABASE_URL"]
        pool = await create_pool(dsn, "credits", min_size=1, max_size=2)
        store = EventStore(pool)
        counts = {f"cus-read-{size}-{uuid.uuid4().hex[:6]}": size for size in sizes}
        heard = self.completions.records
        began = time.perf_counter()
        for customer, size in counts.items():
            await append_grants(store, customer, size)
        appended = time.perf_counter() - began
        projected = await wait_projected(pool, counts)
        await pool.close()
        published = await self.wait_heard(heard + sum(sizes), timeout=300)
        print(
            f"  histories: {sum(sizes):,} events appended in {appended:.1f} s, "
            f"projected {projected:.1f} s and published {published:.1f} s later",
            flush=True,
        )
        figures = []
        for customer, size in counts.items():
            row: dict[str, Any] = {"events": size}
            for name, path in (
                ("balance", f"/v1/customers/{customer}/balance"),
                ("ledger_page", f"/v1/customers/{customer}/credits"),
            ):
                row[name] = await self._timed_gets(self.url("credits", path), customer)
            figures.append(row)
        return figures

    async def _timed_gets(self, url: str, customer: str) -> dict[str, float]:
        headers = self.as_customer(customer)
        for _ in range(20):  # warm the connection and the service's caches
            (await self.client.get(url, headers=headers)).raise_for_status()
        latencies = []
        for _ in range(self.args.reads):
            began = time.perf_counter()
            response = await self.client.get(url, headers=headers)
            latencies.append((time.perf_counter() - began) * 1000)
            response.raise_for_status()
        return {
            "p50_ms": round(percentile(latencies, 50), 2),
            "p99_ms": round(percentile(latencies, 99), 2),
            "requests": len(latencies),
        }


async def _run_platform_part(platform: LocalPlatform, args: argparse.Namespace) -> dict[str, Any]:
    bench = Bench(platform, args)
    config = platform.config
    figures: dict[str, Any] = {}
    consumer = await start_listening(config.kafka_bootstrap_servers, bench.completions)
    listener = asyncio.create_task(listen(consumer, bench.completions))
    pids = {name: platform.processes[name].pid or 0 for name in SERVICE_NAMES}
    sampler = RssSampler(pids)
    try:
        print("stripe fake, before the load ...", flush=True)
        figures["stripe_fake_before"] = await intents_per_second(
            config.stripe_api_base, config.stripe_api_key, seconds=args.stripe_seconds
        )
        figures["rss_idle_mib"] = sampler.now()
        sampler.start()
        print("customers ...", flush=True)
        invoice_customers = await bench.credited_customers(args.customers, "10000.00")
        topup_customers = await bench.card_customers(args.customers)
        await bench.warm_up(topup_customers[0], invoice_customers[0])
        await bench.consumers_lag(time.perf_counter() + 60)
        print("invoices paid from credits ...", flush=True)
        figures["invoices"] = await bench.ladder("invoices", invoice_customers)
        figures["invoices_backlog_settled"] = await bench.settle(args.settle)
        print(f"  backlog settled: {figures['invoices_backlog_settled']}", flush=True)
        print("top-ups ...", flush=True)
        figures["topups"] = await bench.ladder("topups", topup_customers)
        figures["topups_backlog_settled"] = await bench.settle(args.settle)
        print(f"  backlog settled: {figures['topups_backlog_settled']}", flush=True)
        figures["rss_peak_under_load_mib"] = sampler.stop()
        print("stripe fake, after the load ...", flush=True)
        figures["stripe_fake_after"] = await intents_per_second(
            config.stripe_api_base, config.stripe_api_key, seconds=args.stripe_seconds
        )
        # The history events are published like any other; payments and invoicing would
        # spend the machine's two cores skipping them while the reads are timed.
        for name in ("payments", "invoicing"):
            platform.processes.pop(name).stop()
        print("reads ...", flush=True)
        figures["reads"] = await bench.reads(args.history_sizes)
        figures["kafka_records_heard"] = bench.completions.records
    finally:
        if sampler.running:
            sampler.stop()
        listener.cancel()
        await consumer.stop()
        await bench.client.aclose()
    return figures


async def _rebuild_part(database_url: str, events: int) -> dict[str, Any]:
    dsn = create_database(database_url, f"bench_rebuild_{uuid.uuid4().hex[:8]}")
    pool = await create_pool(dsn, "credits", min_size=1, max_size=6)
    projection = CreditsProjection()
    try:
        await migrate(pool, "credits", [EVENTS_DDL, PROJECTIONS_DDL, projection.ddl])
        store = EventStore(pool)
        accounts = max(1, events // 1000)
        print(f"  appending {events:,} events over {accounts:,} accounts ...", flush=True)
        fill_rate = await fill_for_rebuild(store, events, accounts)
        report = await rebuild(pool, store, projection, "credits")
        began = time.perf_counter()
        differences = await verify(pool, store, projection)
        verify_seconds = time.perf_counter() - began
    finally:
        await pool.close()
    return {
        "events": report.events,
        "append_events_per_s": round(fill_rate),
        "rebuild_seconds": round(report.seconds, 2),
        "rebuild_events_per_s": round(report.events_per_second),
        "verify_seconds": round(verify_seconds, 2),
        "verify_events_per_s": round(report.events / verify_seconds) if verify_seconds else 0,
        "verify_differences": len(differences),
    }


def run(args: argparse.Namespace) -> dict[str, Any]:
    """Start the servers and the platform in a scratch folder, measure, stop everything."""
    folder = Path(tempfile.mkdtemp(prefix="bench-system-"))
    stack = DevStack(folder / "servers", env={}, postgres_settings={"max_connections": 300})
    figures: dict[str, Any] = {
        "benchmark": "system",
        "at": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": machine_facts(),
        "options": {
            "rates_per_s": args.rates,
            "seconds_per_rate": args.duration,
            "grace_s": args.grace,
            "drain_s": args.drain,
            "settle_s": args.settle,
            "customers": args.customers,
            "reads_per_figure": args.reads,
        },
        "targets": TARGETS,
    }
    print(f"starting PostgreSQL, Kafka, localstripe and the services in {folder} ...", flush=True)
    stack.start()
    try:
        run_id = uuid.uuid4().hex[:8]
        platform = LocalPlatform(
            PlatformConfig(
                database_url=stack.database_url,
                kafka_bootstrap_servers=stack.kafka_bootstrap_servers,
                stripe_api_base=stack.stripe_api_base,
                stripe_api_key=stack.stripe_api_key,
                folder=folder / "platform",
                ports={name: free_port() for name in SERVICE_NAMES},
                database_prefix=f"bench_{run_id}_",
                extra_env={"KAFKA_TOPIC_PREFIX": f"bench-{run_id}."},
            )
        )
        platform.start()
        try:
            figures.update(uvloop.run(_run_platform_part(platform, args)))
        finally:
            platform.stop()
        print(f"projection rebuild and verify of {args.rebuild_events:,} events ...", flush=True)
        figures["rebuild"] = uvloop.run(_rebuild_part(stack.database_url, args.rebuild_events))
    finally:
        stack.stop()
    return figures


def _phase_line(p: dict[str, Any]) -> str:
    if "skipped" in p:
        return f"{p['offered_per_s']:>4g}/s  skipped: {p['skipped']}"
    lat = p["latency_ms"]
    return (
        f"{p['offered_per_s']:>4g}/s offered, {p['achieved_per_s']:>6.1f}/s done, "
        f"p50 {lat['p50']:.0f} / p95 {lat['p95']:.0f} / p99 {lat['p99']:.0f} ms, "
        f"errors {p['errors']}, unfinished after {p['grace_s']:g} s grace "
        f"{p['not_completed_within_grace']}, backlog after drain {p['backlog_after_drain']}"
    )


def _verdict(met: bool) -> str:
    return "met" if met else "NOT met"


def verdicts(figures: dict[str, Any]) -> dict[str, Any]:
    """Each target beside the figure it is judged on."""
    at_50 = next(
        (p for p in figures["topups"] if p["offered_per_s"] == 50 and "latency_ms" in p), None
    )
    topup_p99 = at_50["latency_ms"]["p99"] if at_50 else None
    topup_ok = (
        bool(at_50) and topup_p99 is not None and topup_p99 < TARGETS["topup_p99_ms_at_50_per_s"]
    )
    if at_50 and at_50["not_completed_within_grace"]:
        topup_ok = False
    read_p99 = max(r[k]["p99_ms"] for r in figures["reads"] for k in ("balance", "ledger_page"))
    rebuild_s = (
        figures["rebuild"]["rebuild_seconds"] * 1_000_000 / max(1, figures["rebuild"]["events"])
    )
    idle = max(figures["rss_idle_mib"].values())
    return {
        "topup_p99_ms_at_50_per_s": {"figure": topup_p99, "met": topup_ok},
        "read_p99_ms": {"figure": read_p99, "met": read_p99 < TARGETS["read_p99_ms"]},
        "rebuild_1m_seconds": {
            "figure": round(rebuild_s, 1),
            "met": rebuild_s < TARGETS["rebuild_1m_seconds"],
        },
        "idle_rss_mib": {"figure": idle, "met": idle < TARGETS["idle_rss_mib"]},
    }


def print_summary(figures: dict[str, Any]) -> None:
    """The figures as a reader wants them: each beside its target."""
    before, after = figures["stripe_fake_before"], figures["stripe_fake_after"]
    print()
    print(f"machine: {figures['machine']['cores']} cores, {figures['machine']['memory_gib']} GiB")
    print(
        f"Stripe fake (localstripe) alone, {before['workers']} workers closed loop: "
        f"{before['intents_per_s']}/s before the load, {after['intents_per_s']}/s after"
    )
    for kind, title in (("invoices", "invoices paid from credits"), ("topups", "top-ups")):
        print(f"{title} (POST -> event on Kafka):")
        for phase in figures[kind]:
            print(f"  {_phase_line(phase)}")
    print("reads (sequential, one connection):")
    for row in figures["reads"]:
        print(
            f"  {row['events']:>7,} events: balance p50 {row['balance']['p50_ms']} / "
            f"p99 {row['balance']['p99_ms']} ms; ledger page p50 "
            f"{row['ledger_page']['p50_ms']} / p99 {row['ledger_page']['p99_ms']} ms"
        )
    rb = figures["rebuild"]
    print(
        f"rebuild of {rb['events']:,} events: {rb['rebuild_seconds']} s "
        f"({rb['rebuild_events_per_s']:,} events/s); verify {rb['verify_seconds']} s "
        f"({rb['verify_events_per_s']:,} events/s, {rb['verify_differences']} differences)"
    )
    for name in SERVICE_NAMES:
        print(
            f"RSS {name:<10} idle {figures['rss_idle_mib'][name]:>6.1f} MiB, "
            f"peak under load {figures['rss_peak_under_load_mib'][name]:>6.1f} MiB"
        )
    print("targets:")
    labels = {
        "topup_p99_ms_at_50_per_s": ("top-up p99 at 50/s", "ms", "< 100 ms"),
        "read_p99_ms": ("worst read p99", "ms", "< 5 ms"),
        "rebuild_1m_seconds": ("rebuild, per 1,000,000 events", "s", "< 10 s"),
        "idle_rss_mib": ("largest idle RSS", "MiB", "< 120 MiB"),
    }
    for key, verdict in figures["verdicts"].items():
        label, unit, target = labels[key]
        print(f"  {label:<32} {verdict['figure']} {unit:<4} target {target:<10} "
              f"{_verdict(verdict['met'])}")  # fmt: skip


def _rates(text: str) -> list[float]:
    try:
        rates = [float(x) for x in text.split(",") if x.strip()]
    except ValueError as error:
        raise argparse.ArgumentTypeError(f"rates must be numbers: {text!r}") from error
    if not rates or any(r <= 0 for r in rates):
        raise argparse.ArgumentTypeError("give one or more positive rates, e.g. 10,50,100,200")
    return rates


def _sizes(text: str) -> list[int]:
    try:
        sizes = [int(x) for x in text.split(",") if x.strip()]
    except ValueError as error:
        raise argparse.ArgumentTypeError(f"sizes must be integers: {text!r}") from error
    if not sizes or any(s <= 0 for s in sizes):
        raise argparse.ArgumentTypeError("give one or more positive history sizes")
    return sizes


def main() -> None:
    """Parse options, run, print and save the figures."""
    parser = argparse.ArgumentParser(
        prog="python -m bench.system",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "--rates",
        type=_rates,
        default=[10.0, 50.0, 100.0, 200.0],
        help="open-loop rates per second (default 10,50,100,200)",
    )
    parser.add_argument("--duration", type=float, default=60.0, help="seconds per rate")
    parser.add_argument(
        "--grace",
        type=float,
        default=15.0,
        help="seconds after the last request for completions to arrive",
    )
    parser.add_argument(
        "--drain",
        type=float,
        default=30.0,
        help="further seconds to wait for a backlog before the next rate",
    )
    parser.add_argument(
        "--settle",
        type=float,
        default=180.0,
        help="seconds to wait, after a ladder stopped on a backlog, for it to finish",
    )
    parser.add_argument("--customers", type=int, default=100)
    parser.add_argument("--reads", type=int, default=2000, help="requests per read figure")
    parser.add_argument("--history-sizes", type=_sizes, default=[10, 10_000, 100_000])
    parser.add_argument("--rebuild-events", type=int, default=1_000_000)
    parser.add_argument("--stripe-seconds", type=float, default=10.0)
    parser.add_argument(
        "--quick",
        action="store_true",
        help="a short run for development: 10 and 50/s for 10 s, smaller sizes",
    )
    args = parser.parse_args()
    if args.quick:
        args.rates, args.duration, args.grace, args.drain = [10.0, 50.0], 10.0, 10.0, 20.0
        args.settle = 60.0
        args.customers, args.reads, args.stripe_seconds = 20, 300, 3.0
        args.history_sizes, args.rebuild_events = [10, 10_000], 100_000
    tune_gc()  # as every service process does
    figures = run(args)
    figures["verdicts"] = verdicts(figures)
    print_summary(figures)
    out = Path("bench/results") / f"system-{figures['at'][:19].replace(':', '')}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(figures, indent=2) + "\n")
    print(f"saved {out}")


if __name__ == "__main__":
    main()
