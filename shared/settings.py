"""Settings shared by every service, read from the environment only.

Each service subclasses :class:`ServiceSettings` and adds its own port
(``CREDITS_PORT``, ``PAYMENTS_PORT``, ``INVOICING_PORT``). Development defaults
(operator token, customer token secret, localstripe keys) are refused when a
service listens on a non-loopback address without explicit settings.
"""

from __future__ import annotations

import ipaddress

from pydantic import Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEV_OPERATOR_TOKEN = "dev-operator-token"  # noqa: S105 - a loopback-only development default
DEV_CUSTOMER_TOKEN_SECRET = "dev-customer-secret"  # noqa: S105 - likewise
DEV_STRIPE_API_KEY = "sk_test_dev"
DEV_STRIPE_WEBHOOK_SECRET = "whsec_dev"  # noqa: S105 - likewise


def is_loopback(host: str) -> bool:
    """Tell whether ``host`` names a loopback interface."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


class ServiceSettings(BaseSettings):
    """Configuration common to the three services."""

    model_config = SettingsConfigDict(env_prefix="", extra="ignore", frozen=True)

    database_url: str = Field(description="PostgreSQL DSN of the service's database")
    kafka_bootstrap_servers: str = Field(description="Kafka bootstrap servers, host:port[,...]")
    kafka_topic_prefix: str = Field(
        default="",
        pattern=r"^[a-z0-9._-]{0,40}$",
        description="put before every topic and consumer group name (isolated environments)",
    )
    kafka_topic_partitions: int = Field(default=3, ge=1, le=1000)
    kafka_replication_factor: int = Field(default=1, ge=1, le=10)
    stripe_api_key: str = DEV_STRIPE_API_KEY
    stripe_api_base: str | None = None
    stripe_webhook_secret: str = DEV_STRIPE_WEBHOOK_SECRET
    operator_token: str = DEV_OPERATOR_TOKEN
    customer_token_secret: str = DEV_CUSTOMER_TOKEN_SECRET
    host: str = "127.0.0.1"
    db_pool_size: int = Field(default=10, ge=1, le=200)
    log_level: str = "INFO"

    @property
    def port(self) -> int:
        """The port the HTTP API listens on: each service names its own variable."""
        raise NotImplementedError

    @model_validator(mode="after")
    def _refuse_dev_defaults_off_loopback(self) -> ServiceSettings:
        if is_loopback(self.host):
            return self
        defaults = {
            "OPERATOR_TOKEN": self.operator_token == DEV_OPERATOR_TOKEN,
            "CUSTOMER_TOKEN_SECRET": self.customer_token_secret == DEV_CUSTOMER_TOKEN_SECRET,
            "STRIPE_WEBHOOK_SECRET": self.stripe_webhook_secret == DEV_STRIPE_WEBHOOK_SECRET,
        }
        unset = [name for name, is_default in defaults.items() if is_default]
        if len(self.customer_token_secret.encode()) < 32:
            unset.append("CUSTOMER_TOKEN_SECRET (at least 32 bytes)")
        if unset:
            raise ValueError(
                f"listening on {self.host} (not loopback) needs explicit settings for: "
                + ", ".join(unset)
            )
        return self
