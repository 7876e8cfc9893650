"""Browser fixtures: the platform and the portal running, Debian's Chromium driven by Playwright.

The services run as in the end-to-end tests (the ``platform`` fixture), with the
portal on a free port. Each test signs a new customer in through the portal's
sign-in link. Every request the browser makes is recorded, and no request to our
own origins (the portal, the services) may carry a card number.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import pytest_asyncio
from playwright.async_api import Browser, Page, Request, ViewportSize, async_playwright, expect

from services.platform import LocalPlatform
from shared.auth import issue_customer_token
from shared.devservers.ports import free_port
from shared.settings import DEV_CUSTOMER_TOKEN_SECRET
from tests.e2e.conftest import (  # noqa: F401 - the services, as in the e2e tests
    platform,
    started_stack,
)

CHROMIUM = Path(os.environ.get("CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
VIEWPORT: ViewportSize = {"width": 1024, "height": 800}
TEST_CARDS = (
    "4242424242424242",
    "4000000000000002",
    "4000000000000341",
    "4000002500003155",
)

expect.set_options(timeout=45_000)


@dataclass
class SentRequest:
    """One request the browser made."""

    url: str
    headers: dict[str, str]
    body: str


@dataclass
class Portal:
    """The running portal and the platform behind it."""

    platform: LocalPlatform
    url: str

    def our_origins(self) -> tuple[str, ...]:
        names = ("portal", "credits", "payments", "invoicing")
        return tuple(self.platform.url(name) for name in names)


@dataclass
class Customer:
    """A signed-in customer's page and the browser's request log."""

    customer_id: str
    page: Page
    requests: list[SentRequest] = field(default_factory=list)
    script_errors: list[str] = field(default_factory=list)


@pytest.fixture(scope="session")
def portal(platform: LocalPlatform) -> Portal:  # noqa: F811 - the imported fixture
    """The portal on a free port, in front of the e2e platform."""
    platform.config.portal_port = free_port()
    platform.start_portal()
    return Portal(platform, platform.url("portal"))


@pytest.fixture(scope="session")
def chromium() -> Path:
    """Debian's Chromium (missing: a failure under CI, a skip elsewhere)."""
    if not CHROMIUM.exists():
        message = f"{CHROMIUM} is missing: `make browser` installs Debian's chromium"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    return CHROMIUM


@pytest_asyncio.fixture(scope="session", loop_scope="session")
async def browser(chromium: Path, portal: Portal) -> AsyncIterator[Browser]:
    """Chromium, headless."""
    async with async_playwright() as playwright:
        launched = await playwright.chromium.launch(
            executable_path=str(chromium), args=CHROMIUM_ARGS, headless=True
        )
        try:
            yield launched
        finally:
            await launched.close()


def card_numbers_sent(requests: list[SentRequest], origins: tuple[str, ...]) -> list[str]:
    """URLs of requests to ``origins`` whose URL, headers or body hold a test card number."""
    found = []
    for sent in requests:
        if not sent.url.startswith(origins):
            continue
        text = " ".join((sent.url, *sent.headers.values(), sent.body))
        digits = text.replace(" ", "").replace("-", "")
        if any(number in digits for number in TEST_CARDS):
            found.append(sent.url)
    return found


SignIn = Callable[[str | None], Awaitable[Customer]]


@pytest_asyncio.fixture(loop_scope="session")
async def sign_in(portal: Portal, browser: Browser) -> AsyncIterator[SignIn]:
    """Open a browser context signed in as a customer (a new one unless named)."""
    contexts = []
    customers: list[Customer] = []

    async def open_as(customer_id: str | None = None) -> Customer:
        customer_id = customer_id or f"cus-{uuid.uuid4().hex[:12]}"
        context = await browser.new_context(viewport=VIEWPORT)
        contexts.append(context)
        page = await context.new_page()
        customer = Customer(customer_id, page)

        def record(request: Request) -> None:
            customer.requests.append(
                SentRequest(request.url, dict(request.headers), request.post_data or "")
            )

        context.on("request", record)
        page.on("pageerror", lambda error: customer.script_errors.append(str(error)))
        customers.append(customer)
        token = issue_customer_token(DEV_CUSTOMER_TOKEN_SECRET, customer_id)
        await page.goto(f"{portal.url}/sign-in?token={token}")
        await expect(page).to_have_url(f"{portal.url}/credits")
        await expect(page.locator("body[data-ready]")).to_have_count(1)
        return customer

    try:
        yield open_as
        for customer in customers:
            assert card_numbers_sent(customer.requests, portal.our_origins()) == []
            assert customer.script_errors == []
    finally:
        for context in contexts:
            await context.close()
