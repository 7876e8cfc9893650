"""localstripe: the official SDK creates a Customer; instances keep separate in-memory stores."""

import tempfile
import uuid
from pathlib import Path

import pytest
import stripe

from shared.devservers import DevStack, start_localstripe

pytestmark = pytest.mark.integration

PICKLE = Path(tempfile.gettempdir()) / "localstripe.pickle"


def _pickle_state() -> tuple[float, int] | None:
    try:
        info = PICKLE.stat()
    except FileNotFoundError:
        return None
    return info.st_mtime, info.st_size


def test_sdk_creates_and_reads_a_customer(stripe_api_base: str, dev_stack: DevStack) -> None:
    client = stripe.StripeClient(dev_stack.stripe_api_key, base_addresses={"api": stripe_api_base})
    before = _pickle_state()
    email = f"{uuid.uuid4().hex[:8]}@example.com"
    customer = client.v1.customers.create(params={"email": email, "name": "Ada"})
    assert customer.id.startswith("cus_")
    assert client.v1.customers.retrieve(customer.id).email == email
    assert _pickle_state() == before, "localstripe still writes its shared pickle file"


def test_two_localstripes_do_not_share_state(stripe_api_base: str, tmp_path: Path) -> None:
    other = start_localstripe(tmp_path / "stripe")
    try:
        first = stripe.StripeClient("sk_test_a", base_addresses={"api": stripe_api_base})
        second = stripe.StripeClient("sk_test_b", base_addresses={"api": other.api_base})
        customer = first.v1.customers.create(params={"email": "only-here@example.com"})
        with pytest.raises(stripe.InvalidRequestError):
            second.v1.customers.retrieve(customer.id)
    finally:
        other.stop()
