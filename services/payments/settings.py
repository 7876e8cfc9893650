"""Settings of the payments service, read from the environment."""

from pydantic import Field

from shared.settings import ServiceSettings


class PaymentsSettings(ServiceSettings):
    """The shared service settings plus this service's port, worker pace and Stripe timeouts."""

    payments_port: int = Field(default=8002, ge=1, le=65535)
    payments_worker_concurrency: int = Field(
        default=4, ge=1, le=64, description="payments the charge worker handles at once"
    )
    payments_worker_poll_interval: float = Field(
        default=0.1, gt=0, le=10, description="seconds between looks for due work"
    )
    payments_retry_backoff: float = Field(
        default=0.5, gt=0, description="first delay (s) after Stripe could not be reached"
    )
    payments_retry_backoff_max: float = Field(default=60.0, gt=0)
    payments_action_poll: float = Field(
        default=1.0, gt=0, description="first delay (s) before asking Stripe about a 3-D Secure"
    )
    payments_action_poll_max: float = Field(default=15.0, gt=0)
    payments_lock_wait: float = Field(
        default=15.0, gt=0, description="seconds an HTTP call waits for a busy payment profile"
    )
    stripe_timeout: float = Field(default=20.0, gt=0, description="seconds per Stripe call")
    payments_pass_timeout: float = Field(
        default=120.0, gt=0, description="seconds one worker pass over a payment may take"
    )
    stripe_webhook_tolerance: int = Field(default=300, ge=1)

    @property
    def port(self) -> int:
        """The port the HTTP API listens on."""
        return self.payments_port
