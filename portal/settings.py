"""Settings of the customer portal, read from the environment only.

The portal listens on ``HOST``:``PORTAL_PORT`` (127.0.0.1:8000), calls the three
services at ``CREDITS_URL``, ``PAYMENTS_URL`` and ``INVOICING_URL``, loads Stripe.js
from ``STRIPE_JS_BASE`` with ``STRIPE_PUBLISHABLE_KEY`` and checks sign-in tokens
with ``CUSTOMER_TOKEN_SECRET``. Development defaults are refused off loopback.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from pydantic import Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from shared.settings import DEV_CUSTOMER_TOKEN_SECRET, is_loopback

DEV_STRIPE_JS_BASE = "http://127.0.0.1:8420/js.stripe.com/v3/"
DEV_STRIPE_PUBLISHABLE_KEY = "pk_test_dev"
REAL_STRIPE_JS_ORIGIN = "https://js.stripe.com"
# what Stripe.js itself talks to and frames, besides its own origin
REAL_STRIPE_EXTRA_ORIGINS = ("https://api.stripe.com", "https://hooks.stripe.com")


def origin_of(url: str) -> str:
    """``scheme://host[:port]`` of a URL."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


class PortalSettings(BaseSettings):
    """Where the portal listens, where the services answer, and how Stripe.js loads."""

    model_config = SettingsConfigDict(env_prefix="", extra="ignore", frozen=True)

    host: str = "127.0.0.1"
    portal_port: int = Field(default=8000, ge=1, le=65535)
    credits_url: str = "http://127.0.0.1:8001"
    payments_url: str = "http://127.0.0.1:8002"
    invoicing_url: str = "http://127.0.0.1:8003"
    stripe_js_base: str = Field(default=DEV_STRIPE_JS_BASE, pattern=r"^https?://[^/\s]+/\S*$")
    stripe_publishable_key: str = Field(
        default=DEV_STRIPE_PUBLISHABLE_KEY, pattern=r"^pk_[A-Za-z0-9_]+$"
    )
    customer_token_secret: str = DEV_CUSTOMER_TOKEN_SECRET
    service_timeout: float = Field(default=10.0, gt=0, le=120)
    log_level: str = "INFO"

    @property
    def secure_cookies(self) -> bool:
        """Cookies carry ``Secure`` everywhere but plain HTTP on loopback."""
        return not is_loopback(self.host)

    @property
    def stripe_origins(self) -> tuple[str, ...]:
        """Origins that Stripe.js loads from, calls and frames."""
        origin = origin_of(self.stripe_js_base)
        if origin == REAL_STRIPE_JS_ORIGIN:
            return (origin, *REAL_STRIPE_EXTRA_ORIGINS)
        return (origin,)

    @model_validator(mode="after")
    def _refuse_dev_defaults_off_loopback(self) -> PortalSettings:
        if is_loopback(self.host):
            return self
        unset = []
        if self.customer_token_secret == DEV_CUSTOMER_TOKEN_SECRET:
            unset.append("CUSTOMER_TOKEN_SECRET")
        if len(self.customer_token_secret.encode()) < 32:
            unset.append("CUSTOMER_TOKEN_SECRET (at least 32 bytes)")
        if self.stripe_js_base == DEV_STRIPE_JS_BASE:
            unset.append("STRIPE_JS_BASE")
        if self.stripe_publishable_key == DEV_STRIPE_PUBLISHABLE_KEY:
            unset.append("STRIPE_PUBLISHABLE_KEY")
        if unset:
            raise ValueError(
                f"listening on {self.host} (not loopback) needs explicit settings for: "
                + ", ".join(unset)
            )
        return self
