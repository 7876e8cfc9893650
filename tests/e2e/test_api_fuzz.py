"""Schemathesis against each service's OpenAPI, served by the running platform.

Every operation under ``/v1`` gets generated requests, valid and invalid, with a
valid token: a customer token for a customer's own paths (and for issuing that
customer's invoices), the operator token for operators' paths and for paths named
by an invoice or payment id. Each answer must not be a 5xx and must match the
documented schema and content type; an answer in the 4xx range must leave the
event store as it was for the customers and ids the request named.

The Stripe webhook is left out: without a valid signature it only answers 400, which
``tests/integration/payments/test_three_d_secure.py`` covers (wrong secret, stale
timestamp, tampered body). Run alone: ``pytest -m fuzz``; 25 cases per
operation by default, ``FUZZ_EXAMPLES=200`` for a deeper run.
"""

from __future__ import annotations

import os
import re
import uuid
from collections.abc import Callable
from typing import Any
from urllib.parse import unquote

import httpx
import pytest
import schemathesis
from fastapi import FastAPI
from hypothesis import HealthCheck, Phase, settings
from schemathesis import Case
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
)

from services.credits.app import create_app as create_credits_app
from services.credits.settings import CreditsSettings
from services.invoicing.app import create_app as create_invoicing_app
from services.invoicing.settings import InvoicingSettings
from services.payments.app import create_app as create_payments_app
from services.payments.settings import PaymentsSettings
from services.platform import SERVICE_NAMES, LocalPlatform
from shared.auth import issue_customer_token
from shared.settings import DEV_CUSTOMER_TOKEN_SECRET, DEV_OPERATOR_TOKEN

from .event_counts import EventCounts

pytestmark = [pytest.mark.e2e, pytest.mark.fuzz]

FUZZ = settings(
    max_examples=int(os.environ.get("FUZZ_EXAMPLES", "25")),
    deadline=None,
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=list(HealthCheck),
    derandomize=True,
)
CHECKS = [not_a_server_error, response_schema_conformance, content_type_conformance]
OPERATOR_ONLY = {
    ("POST", "/v1/customers/{customer_id}/credits/grants"),
    ("GET", "/v1/payments/{payment_id}"),
    ("POST", "/v1/payments/{payment_id}/refund"),
    ("POST", "/v1/invoices/{invoice_id}/void"),
}
_CUSTOMER_ID = re.compile(r"[A-Za-z0-9._-]{1,64}")
_IDEMPOTENCY_KEY = re.compile(r"[\x20-\x7e]{1,255}")


def _document(service: str) -> dict[str, Any]:
    """The service's OpenAPI document, from its app (built, not started)."""
    servers = {"database_url": "postgresql://127.0.0.1:1/unused", "kafka_bootstrap_servers": ""}
    apps: dict[str, Callable[[], FastAPI]] = {
        "credits": lambda: create_credits_app(CreditsSettings(**servers)),
        "payments": lambda: create_payments_app(PaymentsSettings(**servers)),
        "invoicing": lambda: create_invoicing_app(InvoicingSettings(**servers)),
    }
    return apps[service]().openapi()


DOCUMENTS = {service: _document(service) for service in SERVICE_NAMES}
DOCUMENTS_BY_PATH: dict[tuple[str, str], list[dict[str, Any]]] = {
    (method, path): operation.get("parameters", [])
    for document in DOCUMENTS.values()
    for path, operations in document["paths"].items()
    for method, operation in operations.items()
}


def _schema(service: str) -> schemathesis.BaseSchema:
    loaded = schemathesis.openapi.from_dict(DOCUMENTS[service])
    return loaded.include(path_regex="^/v1/").exclude(path="/v1/stripe/webhook")


def _fresh_customer() -> str:
    return f"cus-fz{uuid.uuid4().hex[:12]}"


def _own_customer(value: Any) -> str:
    """The customer a case acts for: a new one in place of any valid id (so nothing
    else touches its events), the generated value itself when it is invalid."""
    if isinstance(value, str) and _CUSTOMER_ID.fullmatch(value):
        return _fresh_customer()
    return str(value)


def _as_served(value: str) -> str:
    """A path parameter as the service reads it (schemathesis keeps them percent-encoded)."""
    return unquote(value)


def _takes_idempotency_key(case: Case) -> bool:
    parameters = DOCUMENTS_BY_PATH.get((case.method.lower(), case.operation.path), [])
    return any(p.get("in") == "header" and p["name"] == "idempotency-key" for p in parameters)


def _authorise(case: Case) -> tuple[list[str], list[str]]:
    """Give the case a valid token, and a valid Idempotency-Key where it takes one (so
    that bodies get past it; malformed keys have their own tests); return the customers
    and ids the case names."""
    label = (case.method.upper(), case.operation.path)
    path = case.path_parameters if isinstance(case.path_parameters, dict) else {}
    customers: list[str] = []
    if "customer_id" in path:
        path["customer_id"] = _own_customer(path["customer_id"])
        customers.append(_as_served(path["customer_id"]))
    elif label == ("POST", "/v1/invoices"):
        body = case.body
        customer = _fresh_customer()
        if isinstance(body, dict) and "customer_id" in body:
            body["customer_id"] = customer = _own_customer(body["customer_id"])
        customers.append(customer)
    if label in OPERATOR_ONLY or not customers:
        token = DEV_OPERATOR_TOKEN
    else:
        token = issue_customer_token(DEV_CUSTOMER_TOKEN_SECRET, customers[0])
    headers = {**(case.headers or {}), "Authorization": f"Bearer {token}"}
    if _takes_idempotency_key(case):
        keys = [name for name in headers if name.lower() == "idempotency-key"]
        if not keys or not _IDEMPOTENCY_KEY.fullmatch(str(headers[keys[0]])):
            for name in keys:
                del headers[name]
            headers["Idempotency-Key"] = uuid.uuid4().hex
    case.headers = headers
    ids = [_as_served(str(value)) for name, value in path.items() if name != "customer_id"]
    return customers, ids


def exercise(case: Case, base_url: str, counts: EventCounts) -> None:
    """Send the case with a valid token; no 5xx, a documented answer, and a 4xx stores nothing."""
    customers, ids = _authorise(case)
    before = counts.count(customers, ids)
    response = case.call(base_url=base_url, timeout=30)
    case.validate_response(response, checks=CHECKS)
    if 400 <= response.status_code < 500:
        after = counts.count(customers, ids)
        assert after == before, (
            f"{case.method} {case.formatted_path} answered {response.status_code} "
            f"and stored events: {before} -> {after}"
        )


credits_schema = _schema("credits")
payments_schema = _schema("payments")
invoicing_schema = _schema("invoicing")


@pytest.mark.parametrize("service", SERVICE_NAMES)
def test_the_fuzzed_documents_are_the_ones_the_services_serve(
    platform: LocalPlatform, service: str
) -> None:
    served = httpx.get(f"{platform.url(service)}/openapi.json", timeout=10)
    assert served.status_code == 200
    assert served.json() == DOCUMENTS[service]


@credits_schema.parametrize()
@FUZZ
def test_credits_api_answers_bad_input_with_4xx_and_changes_nothing(
    case: Case, platform: LocalPlatform, event_counts: EventCounts
) -> None:
    exercise(case, platform.url("credits"), event_counts)


@payments_schema.parametrize()
@FUZZ
def test_payments_api_answers_bad_input_with_4xx_and_changes_nothing(
    case: Case, platform: LocalPlatform, event_counts: EventCounts
) -> None:
    exercise(case, platform.url("payments"), event_counts)


@invoicing_schema.parametrize()
@FUZZ
def test_invoicing_api_answers_bad_input_with_4xx_and_changes_nothing(
    case: Case, platform: LocalPlatform, event_counts: EventCounts
) -> None:
    exercise(case, platform.url("invoicing"), event_counts)
