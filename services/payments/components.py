"""The service's parts, built once per app and found from its runtime (no connection at build).

``ServiceSpec`` factories receive the :class:`ServiceRuntime`; they find this
service's parts through :func:`components_of`, and the HTTP API through
``app.state.payments``. The pool and event store are read from the runtime
when first used, after it started.
"""

from __future__ import annotations

import weakref

import asyncpg

from services.payments.profiles import ProfileService
from services.payments.repository import payment_streams, profile_streams
from services.payments.settings import PaymentsSettings
from services.payments.steps import PaymentSteps
from services.payments.stripe_gateway import StripeGateway
from services.payments.worker import PaymentWorker
from shared.runtime import ServiceRuntime


class PaymentsComponents:
    """Gateway, streams, profile service, worker steps and worker of one payments app."""

    def __init__(self, runtime: ServiceRuntime, settings: PaymentsSettings) -> None:
        self.runtime = runtime
        self.settings = settings
        self.gateway = StripeGateway(
            settings.stripe_api_key,
            settings.stripe_api_base,
            settings.stripe_webhook_secret,
            timeout=settings.stripe_timeout,
            webhook_tolerance=settings.stripe_webhook_tolerance,
            metrics=runtime.metrics,
        )
        self.payments = payment_streams(lambda: runtime.store)
        self.profiles = ProfileService(
            profile_streams(lambda: runtime.store),
            self.gateway,
            lambda: runtime.pool,
            settings.payments_lock_wait,
        )
        self.steps = PaymentSteps(self.payments, self.profiles, self.gateway)
        self.worker = PaymentWorker(lambda: runtime.pool, self.payments, self.steps, settings)

    async def run_worker(self) -> None:
        """The charge worker, woken by each append of this service (once started)."""
        self.runtime.store.on_append(self.worker.wake)
        await self.worker.run()

    @property
    def pool(self) -> asyncpg.Pool:
        """The service's connection pool (once started)."""
        return self.runtime.pool


_REGISTRY: weakref.WeakKeyDictionary[ServiceRuntime, PaymentsComponents] = (
    weakref.WeakKeyDictionary()
)


def register(runtime: ServiceRuntime, settings: PaymentsSettings) -> PaymentsComponents:
    """Build the parts of the app whose runtime is ``runtime``."""
    components = PaymentsComponents(runtime, settings)
    _REGISTRY[runtime] = components
    return components


def components_of(runtime: ServiceRuntime) -> PaymentsComponents:
    """The parts registered for ``runtime`` (built from its settings when none were)."""
    found = _REGISTRY.get(runtime)
    if found is not None:
        return found
    settings = runtime.settings
    if not isinstance(settings, PaymentsSettings):
        settings = PaymentsSettings.model_validate(settings.model_dump())
    return register(runtime, settings)
