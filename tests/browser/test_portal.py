"""The customer portal in headless Chromium against the running platform.

Top-ups with a new, a declined and a 3-D Secure card, an invoice paid partly from
credits and then by a saved card, payment options, and the layout at 375 px. The
``sign_in`` fixture checks after each test that no request to our origins carried
a card number. The first test writes the screenshots of docs/screenshots/.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import httpx
import pytest
from playwright.async_api import Locator, Page, expect

from tests.e2e.invoice_helpers import Billing, wait_until

from .conftest import TEST_CARDS, Portal, SignIn, card_numbers_sent

pytestmark = pytest.mark.e2e

CARD_OK, CARD_DECLINED_ON_SAVE, CARD_DECLINED_ON_CHARGE, CARD_3DS = TEST_CARDS
SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
CREATED = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d$")


async def save_screenshot(locator: Locator, name: str, tmp_path: Path) -> None:
    """Write docs/screenshots/<name> when missing or with UPDATE_SCREENSHOTS=1 (else tmp)."""
    target = SCREENSHOTS / name
    if target.exists() and not os.environ.get("UPDATE_SCREENSHOTS"):
        target = tmp_path / name
    target.parent.mkdir(parents=True, exist_ok=True)
    await locator.screenshot(path=str(target), animations="disabled", caret="hide")
    assert target.stat().st_size > 1000


async def open_tab(page: Page, name: str) -> None:
    """Follow a tab's link and wait until its page's script is ready."""
    await page.get_by_role("link", name=name, exact=True).click()
    await expect(page.get_by_role("heading", level=1)).to_have_text(name)
    await expect(page.locator("body[data-ready]")).to_have_count(1)


def rows(page: Page) -> Locator:
    return page.locator("#credits-table tbody tr")


async def fill_card(page: Page, number: str) -> None:
    """Type a card into Stripe.js's card element (localstripe's fields)."""
    element = page.locator("#card-element")
    await element.get_by_placeholder("number").fill(number)
    await element.get_by_placeholder("exp_month").fill("12")
    await element.get_by_placeholder("exp_year").fill("34")
    await element.get_by_placeholder("cvc").fill("123")
    await element.get_by_placeholder("postal_code").fill("42424")


async def open_add_credit(page: Page, amount: str, description: str) -> None:
    await page.get_by_role("button", name="Add credit").focus()
    await page.keyboard.press("Enter")
    await expect(page.get_by_label("Amount (USD)")).to_be_focused()
    await page.get_by_label("Amount (USD)").fill(amount)
    await page.get_by_label("Description").fill(description)


async def add_saved_card(page: Page, number: str, *, default: bool) -> None:
    """Save a card on the Payment options tab."""
    await open_tab(page, "Payment options")
    await fill_card(page, number)
    if default:
        await page.get_by_label("Set as default").check()
    await page.get_by_role("button", name="Save card").click()
    await expect(page.locator("#form-status")).to_have_text("Card saved.")
    await expect(page.locator("#cards li", has_text=number[-4:])).to_have_count(1)


async def test_add_100_with_a_new_card_saved_as_default(
    sign_in: SignIn, portal: Portal, tmp_path: Path
) -> None:
    customer = await sign_in("cus-portal-demo")
    page = customer.page
    await expect(page.locator("#balance")).to_have_text("0.00")
    await open_add_credit(page, "100.00", "test")
    await expect(page.get_by_role("radio", name="New card")).to_be_checked()
    await fill_card(page, CARD_OK)
    await page.get_by_label("Save", exact=True).check()
    await page.get_by_label("Set as default").check()
    await save_screenshot(page.locator("#add-credit"), "add-credit.png", tmp_path)

    await page.get_by_role("button", name="Process payment").click()

    await expect(page.locator("#form-status")).to_have_text("Pending…")
    await expect(page.locator("#form-status")).to_have_text("Added 100.00 to your credits.")
    await expect(rows(page)).to_have_count(1)
    await expect(rows(page).first.locator("td")).to_have_text(["1", "100", "test", CREATED])
    await expect(page.locator("#balance")).to_have_text("100.00")
    await page.get_by_role("button", name="Cancel").click()
    await save_screenshot(page.locator("#credits"), "credits-tab.png", tmp_path)

    await open_tab(page, "Payment options")
    listed = page.locator("#cards li")
    await expect(listed).to_have_count(1)
    await expect(listed.first).to_contain_text("Visa •••• 4242")
    await expect(listed.first.locator(".badge")).to_have_text("default")

    to_stripe = [r.url for r in customer.requests if CARD_OK in r.body]
    assert to_stripe, "the card went to Stripe"
    assert not [url for url in to_stripe if url.startswith(portal.our_origins())]


async def test_declined_cards_show_the_message_and_change_nothing(sign_in: SignIn) -> None:
    page = (await sign_in(None)).page
    await open_add_credit(page, "25.00", "declined")
    await fill_card(page, CARD_DECLINED_ON_SAVE)
    await page.get_by_label("Save", exact=True).check()
    await page.get_by_role("button", name="Process payment").click()
    await expect(page.locator("#card-error")).to_contain_text("declined")
    await expect(rows(page)).to_have_text(["No credit entries yet."])
    await expect(page.locator("#balance")).to_have_text("0.00")

    await add_saved_card(page, CARD_DECLINED_ON_CHARGE, default=True)
    await open_tab(page, "Credits")
    await open_add_credit(page, "25.00", "declined")
    await expect(page.get_by_role("radio", name=re.compile("0341"))).to_be_checked()
    await page.get_by_role("button", name="Process payment").click()
    await expect(page.locator("#form-error")).to_contain_text("declined")
    await expect(rows(page)).to_have_text(["No credit entries yet."])
    await expect(page.locator("#balance")).to_have_text("0.00")


async def test_3d_secure_completes_once_or_fails_and_says_so(sign_in: SignIn) -> None:
    page = (await sign_in(None)).page
    await open_add_credit(page, "30.00", "secure")
    await fill_card(page, CARD_3DS)
    await page.get_by_label("Save", exact=True).check()
    await page.get_by_role("button", name="Process payment").click()
    # Stripe.js authenticates the card while saving it, then the payment itself
    await page.get_by_role("button", name="Complete authentication").click()
    await page.get_by_role("button", name="Complete authentication").click()
    await expect(page.locator("#form-status")).to_have_text("Added 30.00 to your credits.")
    await expect(rows(page)).to_have_count(1)
    await expect(rows(page).first.locator("td")).to_have_text(["1", "30", "secure", CREATED])
    await expect(page.locator("#balance")).to_have_text("30.00")

    await open_add_credit(page, "40.00", "not authenticated")
    await expect(page.get_by_role("radio", name=re.compile("3155"))).to_be_checked()
    await page.get_by_role("button", name="Process payment").click()
    await page.get_by_role("button", name="Fail authentication").click()
    # payments learns of the failure by polling Stripe, with a growing interval
    await expect(page.locator("#form-error")).to_contain_text(
        "Authentication failed", timeout=90_000
    )
    await expect(rows(page)).to_have_count(1)
    await expect(page.locator("#balance")).to_have_text("30.00")


async def test_invoice_paid_from_credits_then_by_a_saved_card(
    sign_in: SignIn, portal: Portal
) -> None:
    customer = await sign_in(None)
    page, customer_id = customer.page, customer.customer_id
    async with httpx.AsyncClient(timeout=10) as client:
        billing = Billing(portal.platform, client)
        await billing.grant(customer_id, "20.00")
        invoice_id = await billing.issued(customer_id, "47.76")
        await billing.wait_invoice(
            customer_id, invoice_id,
            lambda i: i["paid_from_credits"] == "20.00" and i["last_payment_error"]
            and not i["payment_in_progress"],
        )  # fmt: skip

        async def debited() -> bool:
            return len((await billing.ledger(customer_id))["entries"]) == 2

        await wait_until(debited, 30, lambda: "the debit in the ledger")

    await page.get_by_role("button", name="Refresh").click()
    await expect(rows(page).first.locator("td")).to_have_text(
        ["2", "-20", f"Debited to invoice {invoice_id}", CREATED]
    )
    await expect(page.locator("#balance")).to_have_text("0.00")

    await add_saved_card(page, CARD_OK, default=False)
    await open_tab(page, "Invoices")
    row = page.locator(f"#invoice-{invoice_id}")
    await expect(row.locator("td").nth(1)).to_contain_text("active")
    await expect(row.locator("td").nth(5)).to_have_text("27.76")
    await row.get_by_role("button", name="Pay 27.76").click()
    await expect(page.get_by_role("radio", name=re.compile("4242"))).to_be_checked()
    await page.get_by_role("button", name="Pay", exact=True).click()

    await expect(page.locator("#invoice-status")).to_have_text(f"Invoice {invoice_id} is paid.")
    await expect(row.locator("td").nth(1)).to_have_text("paid")
    cells = ["47.76", "20.00", "27.76", "0.00"]
    for index, value in enumerate(cells, start=2):
        await expect(row.locator("td").nth(index)).to_have_text(value)


async def test_errors_are_shown_beside_their_field(sign_in: SignIn) -> None:
    page = (await sign_in(None)).page
    await add_saved_card(page, CARD_OK, default=True)
    await open_tab(page, "Credits")
    await open_add_credit(page, "", "no amount")
    await page.get_by_role("button", name="Process payment").click()
    amount = page.get_by_label("Amount (USD)")
    await expect(page.locator("#amount-error")).to_have_text("Enter an amount in USD.")
    await expect(amount).to_have_attribute("aria-invalid", "true")
    await expect(amount).to_be_focused()

    await amount.fill("0.50")  # below the smallest top-up: the service names the field
    await page.keyboard.press("Enter")
    await expect(page.locator("#amount-error")).not_to_be_empty()
    await expect(page.locator("#form-error")).to_be_empty()
    await expect(rows(page)).to_have_text(["No credit entries yet."])


async def test_the_credit_table_is_paginated_newest_first(sign_in: SignIn, portal: Portal) -> None:
    customer = await sign_in(None)
    page = customer.page
    async with httpx.AsyncClient(timeout=10) as client:
        billing = Billing(portal.platform, client)
        for _ in range(21):
            await billing.grant(customer.customer_id, "1.00")

        async def all_listed() -> bool:
            return len((await billing.ledger(customer.customer_id))["entries"]) == 21

        await wait_until(all_listed, 30, lambda: "21 grants in the ledger")
    await page.get_by_role("button", name="Refresh").click()
    await expect(rows(page)).to_have_count(20)
    await expect(rows(page).first.locator("td").first).to_have_text("21")
    await expect(page.locator("#balance")).to_have_text("21.00")
    await page.get_by_role("link", name="Older entries").click()
    await expect(rows(page)).to_have_count(1)
    await expect(rows(page).first.locator("td")).to_have_text(["1", "1", "welcome credit", CREATED])
    await page.get_by_role("link", name="Newest entries").click()
    await expect(rows(page)).to_have_count(20)


async def test_payment_options_set_default_and_remove(sign_in: SignIn) -> None:
    page = (await sign_in(None)).page
    await add_saved_card(page, CARD_OK, default=True)
    await add_saved_card(page, CARD_DECLINED_ON_CHARGE, default=False)
    second = page.locator("#cards li", has_text="0341")
    await second.get_by_role("button", name="as default").click()
    await expect(second.locator(".badge")).to_have_text("default")
    await expect(page.locator("#cards li").first).to_contain_text("0341")
    first = page.locator("#cards li", has_text="4242")
    await first.get_by_role("button", name="Remove").click()
    await expect(page.locator("#cards li")).to_have_count(1)
    await expect(page.locator("#cards li")).to_contain_text("0341")


async def test_readable_at_375_px_wide(sign_in: SignIn) -> None:
    page = (await sign_in(None)).page
    await page.set_viewport_size({"width": 375, "height": 740})
    for tab in ("Credits", "Invoices", "Payment options"):
        await open_tab(page, tab)
        if tab == "Credits":
            await page.get_by_role("button", name="Add credit").click()
        width = await page.evaluate("document.documentElement.scrollWidth")
        assert width <= 375, f"{tab} is {width} px wide"


def test_card_numbers_are_found_in_a_request_log() -> None:
    from .conftest import SentRequest

    log = [
        SentRequest("http://127.0.0.1:1/api/credits", {}, '{"n": "4242 4242 4242 4242"}'),
        SentRequest("http://127.0.0.1:2/v1/setup_intents/x/confirm", {}, CARD_OK),
    ]
    assert card_numbers_sent(log, ("http://127.0.0.1:1",)) == ["http://127.0.0.1:1/api/credits"]
