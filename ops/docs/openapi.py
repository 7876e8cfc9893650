"""The OpenAPI document of each service, built from its app without starting it."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from fastapi import FastAPI
from pydantic_settings import BaseSettings

from services.credits.app import create_app as create_credits_app
from services.credits.settings import CreditsSettings
from services.invoicing.app import create_app as create_invoicing_app
from services.invoicing.settings import InvoicingSettings
from services.payments.app import create_app as create_payments_app
from services.payments.settings import PaymentsSettings

Settings = TypeVar("Settings", bound=BaseSettings)

_SERVERS = {
    "database_url": "postgresql://127.0.0.1:5432/billing",
    "kafka_bootstrap_servers": "127.0.0.1:9092",
}


def dev_settings(settings_class: type[Settings]) -> Settings:
    """The development settings of a service, whatever the environment says.

    Every field is passed explicitly (its default, or a loopback server for the
    required ones), and explicit values win over environment variables.
    """
    values: dict[str, Any] = {}
    for name, field in settings_class.model_fields.items():
        if name in _SERVERS:
            values[name] = _SERVERS[name]
        elif not field.is_required():
            values[name] = field.get_default(call_default_factory=True)
    return settings_class(**values)


def _credits() -> FastAPI:
    return create_credits_app(dev_settings(CreditsSettings))


def _payments() -> FastAPI:
    return create_payments_app(dev_settings(PaymentsSettings))


def _invoicing() -> FastAPI:
    return create_invoicing_app(dev_settings(InvoicingSettings))


APPS: dict[str, Callable[[], FastAPI]] = {
    "credits": _credits,
    "payments": _payments,
    "invoicing": _invoicing,
}
"""How to build each service's app, by service name."""


def openapi_documents() -> dict[str, dict[str, Any]]:
    """The OpenAPI document of every service, by service name."""
    return {name: build().openapi() for name, build in APPS.items()}
